// Runs a database's own command-line tool (pg_restore, pg_dump, mariadb-dump)
// from a plugin: an argv vector, never a shell; standard input from /dev/null;
// every descriptor but the three closed in the child; standard output to a
// file or a string, errors to a file of their own (two pipes read one after
// the other could deadlock). Secrets go in `env` (the child's environment,
// readable by this user alone), never in argv, which `ps` shows to everyone.
#ifndef DBCLONE_CHILD_PROGRAM_HPP
#define DBCLONE_CHILD_PROGRAM_HPP

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/sdk.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace dbclone::sdk {

struct ProgramResult {
    int exit_code = -1;  // -1: killed by a signal
    std::string output;  // standard output, unless it went to a file
    std::string errors;  // standard error
    // The last line of `errors`: a tool's one-line reason.
    std::string last_error_line() const {
        std::string e = errors;
        while (!e.empty() && e.back() == '\n') e.pop_back();
        auto at = e.rfind('\n');
        return at == std::string::npos ? e : e.substr(at + 1);
    }
};

namespace detail {
inline std::string read_fd(int fd) {
    std::string out;
    char buffer[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n > 0)
            out.append(buffer, static_cast<size_t>(n));
        else if (n == 0 || errno != EINTR)
            return out;
    }
}
}  // namespace detail

// `argv[0]` is the program's path. `env` entries ("NAME=value") are added to
// this process's environment for the child. With `output_file`, standard
// output is written there (created 0600, truncated); else it is returned.
inline ProgramResult run_program(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env = {},
                                 const std::string& output_file = "") {
    int out[2] = {-1, -1};
    int target = -1;
    if (output_file.empty()) {
        if (::pipe2(out, O_CLOEXEC) != 0)
            throw Failure(DBC_ERROR, std::string("pipe: ") + std::strerror(errno));
    } else {
        target = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (target < 0)
            throw Failure(DBC_ERROR, "cannot write " + output_file + ": " + std::strerror(errno));
    }
    char errors_path[] = "/tmp/dbclone-tool-XXXXXX";
    int errors = ::mkostemp(errors_path, O_CLOEXEC);
    if (errors >= 0) ::unlink(errors_path);
    // Built before fork: the child only calls what is safe between fork and exec.
    std::vector<std::string> environment;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        bool replaced = false;  // by an entry of `env` (getenv reads the first one)
        for (const auto& mine : env)
            replaced =
                replaced || entry.compare(0, mine.find('=') + 1, mine, 0, mine.find('=') + 1) == 0;
        if (!replaced) environment.push_back(entry);
    }
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = errors < 0 ? -1 : ::fork();
    if (pid == 0) {
        ::dup2(output_file.empty() ? out[1] : target, STDOUT_FILENO);
        ::dup2(errors, STDERR_FILENO);
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, STDIN_FILENO);
        ::close_range(3, ~0U, 0);  // nothing of this process's but the three
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    ProgramResult result;
    if (output_file.empty()) {
        ::close(out[1]);
        if (pid > 0) result.output = detail::read_fd(out[0]);
        ::close(out[0]);
    } else {
        ::close(target);
    }
    int status = 0;
    while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (errors >= 0) {
        ::lseek(errors, 0, SEEK_SET);
        result.errors = detail::read_fd(errors);
        ::close(errors);
    }
    if (pid < 0) throw Failure(DBC_ERROR, std::string("cannot start ") + argv.at(0));
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

}  // namespace dbclone::sdk

#endif  // DBCLONE_CHILD_PROGRAM_HPP
