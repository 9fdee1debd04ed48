#include "os_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>

namespace dbclone::process_runtime {

namespace {

// In the child: become `account`, send output to `log`, exec argv. Never returns.
// `parent`: when not 0, the child is killed should that process die (the
// tool it runs must not outlive the dbclone that waits for it).
[[noreturn]] void become_and_exec(const std::vector<std::string>& argv, const Account& account,
                                  const std::string& log, pid_t parent = 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
    }
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    // The server gets standard input, output and error, nothing else: not the
    // API's listening socket, not the registry, whatever a library opened
    // without close-on-exec.
    ::close_range(3, ~0U, 0);
    if (::geteuid() == 0) {
        if (::setgid(account.gid) != 0 || ::initgroups(account.name.c_str(), account.gid) != 0 ||
            ::setuid(account.uid) != 0)
            ::_exit(126);
    }
    // After setuid, which clears it; a parent already gone leaves init as ours.
    if (parent != 0 && (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent))
        ::_exit(125);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
}

// Writes `pid` to `path` through a temporary file and rename, with calls
// that are safe between fork and exec (no allocation, no stdio).
bool write_pid_file(const char* path, const char* temp, pid_t pid) {
    char digits[24];
    int n = 0;
    for (auto v = static_cast<unsigned long>(pid); n == 0 || v != 0; v /= 10)
        digits[sizeof digits - 1 - n++] = static_cast<char>('0' + v % 10);
    int fd = ::open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    bool ok = ::write(fd, digits + sizeof digits - n, static_cast<size_t>(n)) == n;
    ok = ::close(fd) == 0 && ok;
    return ok && ::rename(temp, path) == 0;
}

}  // namespace

Account Account::named(const std::string& name) {
    if (::geteuid() != 0) {
        struct passwd* me = ::getpwuid(::geteuid());
        return {::geteuid(), ::getegid(), me != nullptr ? me->pw_name : ""};
    }
    struct passwd* pw = ::getpwnam(name.c_str());
    if (pw == nullptr)
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "no OS user \"" + name + "\" to run the server as");
    return {pw->pw_uid, pw->pw_gid, name};
}

void run_to_completion(const std::vector<std::string>& argv, const Account& account,
                       const std::string& log) {
    // initdb and the like die with this process: one killed mid-build would
    // otherwise go on writing into (or deleting) a directory reconcile removes.
    pid_t self = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw sdk::Failure(DBC_ERROR, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) become_and_exec(argv, account, log, self);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw sdk::Failure(DBC_ERROR, argv[0] + " failed (status " + std::to_string(status) +
                                          "): " + tail_of(log));
}

void start_detached(const std::vector<std::string>& argv, const Account& account,
                    const std::string& log, const std::string& pid_file) {
    std::string temp = pid_file + ".tmp";
    // Fork twice: the server's parent exits at once, so the server belongs to
    // init and lives on after this dbclone process ends. That parent records
    // the server's pid first: should dbclone die now, before the server has
    // written a pid file of its own, reconcile can still find and stop it.
    pid_t pid = ::fork();
    if (pid < 0) throw sdk::Failure(DBC_ERROR, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::setsid();
        ::signal(SIGHUP, SIG_IGN);
        pid_t server = ::fork();
        if (server != 0)
            ::_exit(server > 0 && write_pid_file(pid_file.c_str(), temp.c_str(), server) ? 0 : 1);
        become_and_exec(argv, account, log);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw sdk::Failure(DBC_ERROR, "cannot start " + argv[0]);
}

bool running(pid_t pid, const std::string& needle) {
    if (!sdk::process_alive(pid)) return false;
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), {});
    return cmdline.find(needle) != std::string::npos;
}

std::string tail_of(const std::string& file, int lines) {
    std::ifstream in(file);
    std::deque<std::string> last;
    for (std::string line; std::getline(in, line);) {
        last.push_back(line);
        if (static_cast<int>(last.size()) > lines) last.pop_front();
    }
    std::string out;
    for (const auto& l : last) out += (out.empty() ? "" : " | ") + l;
    return out.empty() ? "(no output)" : out;
}

void check_reachable(const std::string& path, const Account& account) {
    if (account.uid == 0) return;
    for (std::filesystem::path p = std::filesystem::path(path).parent_path();
         !p.empty() && p != p.root_path(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) continue;
        bool through = st.st_uid == account.uid   ? (st.st_mode & S_IXUSR)
                       : st.st_gid == account.gid ? (st.st_mode & S_IXGRP)
                                                  : (st.st_mode & S_IXOTH);
        if (!through) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "user " + account.name + " cannot traverse " + p.string() +
                                   " (mode " + mode + "), so a server cannot reach " + path +
                                   "; set data_dir in the config to a directory it can reach");
        }
    }
}

void make_owned_directory(const std::string& dir, const Account& account, unsigned mode) {
    std::filesystem::create_directories(dir);
    if (::chown(dir.c_str(), account.uid, account.gid) != 0 || ::chmod(dir.c_str(), mode) != 0)
        throw sdk::Failure(
            DBC_ERROR, "cannot give " + dir + " to " + account.name + ": " + std::strerror(errno));
}

}  // namespace dbclone::process_runtime
