#include "bench_support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dbclone/sha256.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace dbclone::bench {

namespace {

std::vector<char*> c_args(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    return args;
}

// Starts argv with the given stdin/stdout/stderr descriptors (-1: inherit
// stdin, discard stdout or stderr).
pid_t spawn(const std::vector<std::string>& argv, int in, int out, int err = -1) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in >= 0) posix_spawn_file_actions_adddup2(&actions, in, 0);
    if (out >= 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1);
    else
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    if (err >= 0)
        posix_spawn_file_actions_adddup2(&actions, err, 2);
    else
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    auto args = c_args(argv);
    pid_t pid = -1;
    if (posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

int wait_for(pid_t pid) {
    if (pid < 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Stats stats(std::vector<double> ms) {
    if (ms.empty()) return {};
    std::sort(ms.begin(), ms.end());
    double sum = 0;
    for (double m : ms) sum += m;
    return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)],
            sum / static_cast<double>(ms.size())};
}

double since_ms(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

int run(const std::vector<std::string>& argv) {
    return wait_for(spawn(argv, -1, -1));
}

int start_in_background(const std::vector<std::string>& argv, const std::filesystem::path& out,
                        const std::filesystem::path& err) {
    int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_t pid = out_fd >= 0 && err_fd >= 0 ? spawn(argv, -1, out_fd, err_fd) : -1;
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return pid;
}

int run_pipeline(const std::vector<std::string>& from, const std::vector<std::string>& to) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t writer = spawn(from, -1, fds[1]);
    pid_t reader = spawn(to, fds[0], -1);
    close(fds[0]);
    close(fds[1]);
    int a = wait_for(writer), b = wait_for(reader);
    return a == 0 && b == 0 ? 0 : 1;
}

double timed_run(const std::vector<std::string>& argv) {
    auto t = std::chrono::steady_clock::now();
    if (run(argv) != 0) throw std::runtime_error("benchmark step failed: " + argv[0]);
    return since_ms(t);
}

void write_root(const std::filesystem::path& roots, const std::string& version,
                const std::string& backend, const std::string& file_name,
                const std::string& content) {
    std::filesystem::create_directories(roots / version);
    std::ofstream(roots / version / file_name) << content;
    std::ofstream(roots / version / "manifest.json")
        << R"({"description": "benchmark root", "files": {")" << backend << R"(": {"file": ")"
        << file_name << R"(", "sha256": ")" << sdk::Sha256::of(content) << "\"}}}\n";
}

std::string pgbench_root_sql(int scale) {
    std::ostringstream s;
    s << "CREATE TABLE pgbench_branches (bid int NOT NULL, bbalance int, filler char(88)) "
         "WITH (fillfactor=100);\n"
         "CREATE TABLE pgbench_tellers (tid int NOT NULL, bid int, tbalance int, filler "
         "char(84)) WITH (fillfactor=100);\n"
         "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler "
         "char(84)) WITH (fillfactor=100);\n"
         "CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, "
         "filler char(22));\n"
      << "INSERT INTO pgbench_branches (bid, bbalance) SELECT bid, 0 FROM generate_series(1, "
      << scale << ") bid;\n"
      << "INSERT INTO pgbench_tellers (tid, bid, tbalance) SELECT tid, (tid - 1) / 10 + 1, 0 "
         "FROM generate_series(1, "
      << scale * 10 << ") tid;\n"
      << "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT aid, (aid - 1) / "
         "100000 + 1, 0, '' FROM generate_series(1, "
      << scale * 100000 << ") aid;\n"
      << "ALTER TABLE pgbench_branches ADD PRIMARY KEY (bid);\n"
         "ALTER TABLE pgbench_tellers ADD PRIMARY KEY (tid);\n"
         "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid);\n";
    return s.str();
}

Config bench_config(const std::filesystem::path& work, const std::string& name,
                    const std::filesystem::path& roots, const std::string& backend,
                    const std::string& settings) {
    Config config;
    config.state_dir = work / ("state-" + name);
    config.roots_dir = roots;
    config.port_config = std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/port_config.json";
    config.plugin_dirs = {DBCLONE_PLUGIN_DIR};
    if (!backend.empty()) config.plugin_settings[backend] = settings;
    return config;
}

}  // namespace dbclone::bench
