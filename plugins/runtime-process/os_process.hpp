// Starting programs as another (unprivileged) user, from argv vectors (never a
// shell), and watching them: what the process runtime needs of the OS.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dbclone::process_runtime {

// The account a server runs as. When dbclone is not root, the current user.
struct Account {
    uid_t uid;
    gid_t gid;
    std::string name;
    // Looks `name` up; as non-root returns the current user whatever `name` is.
    static Account named(const std::string& name);
};

// Runs argv as `account` and waits for it; output goes to `log`. It is killed
// should this process die first. Throws sdk::Failure with the log's last
// lines when it exits non-zero.
void run_to_completion(const std::vector<std::string>& argv, const Account& account,
                       const std::string& log);

// Starts argv as `account` in a new session, detached (it outlives dbclone),
// with output appended to `log`, and writes the server's pid to `pid_file`
// (atomically, before this returns). Returns at once.
void start_detached(const std::vector<std::string>& argv, const Account& account,
                    const std::string& log, const std::string& pid_file);

// True when `pid` is alive and its command line contains `needle` (guards
// against a recycled pid).
bool running(pid_t pid, const std::string& needle);

// The last `lines` lines of a file, on one line, for error messages.
std::string tail_of(const std::string& file, int lines = 3);

// Throws sdk::Failure naming the first parent directory of `path` that
// `account` may not traverse (a server could not reach its data there).
void check_reachable(const std::string& path, const Account& account);

// Makes `dir` (and parents) and gives it to `account` with `mode`.
void make_owned_directory(const std::string& dir, const Account& account, unsigned mode);

}  // namespace dbclone::process_runtime
