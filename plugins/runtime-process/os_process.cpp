#include "os_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
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
[[noreturn]] void become_and_exec(const std::vector<std::string>& argv, const Account& account,
                                  const std::string& log) {
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
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
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
    pid_t pid = ::fork();
    if (pid < 0) throw sdk::Failure(DBC_ERROR, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) become_and_exec(argv, account, log);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw sdk::Failure(DBC_ERROR, argv[0] + " failed (status " + std::to_string(status) +
                                          "): " + tail_of(log));
}

void start_detached(const std::vector<std::string>& argv, const Account& account,
                    const std::string& log) {
    // Fork twice: the server's parent exits at once, so the server belongs to
    // init and lives on after this dbclone process ends.
    pid_t pid = ::fork();
    if (pid < 0) throw sdk::Failure(DBC_ERROR, std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        ::setsid();
        ::signal(SIGHUP, SIG_IGN);
        pid_t server = ::fork();
        if (server != 0) ::_exit(server < 0 ? 1 : 0);
        become_and_exec(argv, account, log);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw sdk::Failure(DBC_ERROR, "cannot start " + argv[0]);
}

bool running(pid_t pid, const std::string& needle) {
    if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
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
