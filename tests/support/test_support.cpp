#include "test_support.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/core/engine.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace dbclone::testing {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dbclone-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

LoopBtrfs::LoopBtrfs(uint64_t megabytes) {
    if (::geteuid() != 0) {
        why_not_ = "loop devices need root";
        return;
    }
    std::filesystem::path image = dir_ / "btrfs.img";
    std::ofstream(image).close();
    if (::truncate(image.c_str(), static_cast<off_t>(megabytes << 20)) != 0) {
        why_not_ = "cannot make an image file";
        return;
    }
    auto mkfs = run_program({"mkfs.btrfs", "-q", image.string()});
    if (mkfs.exit_code != 0) {
        why_not_ = "mkfs.btrfs failed or is missing (btrfs-progs): " + mkfs.err;
        return;
    }
    std::filesystem::create_directories(mount_point());
    auto mount = run_program({"mount", "-o", "loop", image.string(), mount_point().string()});
    if (mount.exit_code != 0) {
        why_not_ = "cannot mount a loop device here: " + mount.err;
        return;
    }
    mounted_ = true;
}

void LoopBtrfs::let_servers_in() const {
    auto temp = std::filesystem::temp_directory_path().string() + "/";
    for (auto dir = mount_point(); dir != dir.parent_path(); dir = dir.parent_path())
        if (dir.string().starts_with(temp))
            std::filesystem::permissions(dir, std::filesystem::perms::others_exec,
                                         std::filesystem::perm_options::add);
}

LoopBtrfs::~LoopBtrfs() {
    if (mounted_) ::umount2(mount_point().c_str(), MNT_DETACH);
}

Config test_config(const std::filesystem::path& state_dir,
                   std::vector<std::filesystem::path> extra_plugin_dirs) {
    Config c;
    c.state_dir = state_dir;
    c.roots_dir = std::filesystem::path(DBCLONE_SOURCE_DIR) / "config" / "roots";
    c.port_config = std::filesystem::path(DBCLONE_SOURCE_DIR) / "config" / "port_config.json";
    c.plugin_dirs = std::move(extra_plugin_dirs);
    c.plugin_dirs.emplace_back(DBCLONE_PLUGIN_DIR);
    return c;
}

namespace {

std::string slurp(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

CommandResult run_program(const std::vector<std::string>& argv) {
    TempDir capture;
    auto out_file = capture / "out", err_file = capture / "err";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT, 0600);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot run " + argv[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out_file),
            slurp(err_file)};
}

CommandResult run_dbclone(const std::vector<std::string>& args) {
    std::vector<std::string> argv{DBCLONE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_program(argv);
}

bool kill_dbclone_when(const std::vector<std::string>& args, const std::function<bool()>& reached,
                       std::chrono::milliseconds timeout) {
    std::vector<std::string> argv{DBCLONE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_args;
    for (auto& a : argv) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    pid_t pid = 0;
    if (::posix_spawn(&pid, c_args[0], nullptr, nullptr, c_args.data(), environ) != 0)
        throw std::runtime_error("cannot run " + argv[0]);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool exited = false;
    while (!(exited = ::waitpid(pid, nullptr, WNOHANG) == pid) && !reached() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (exited) return false;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    // libmongoc (loaded with the mongodb plugin) keeps its counters in a shared
    // memory segment named after the process, which only its exit handler removes.
    std::filesystem::remove("/dev/shm/mongoc-" + std::to_string(pid));
    return true;
}

std::vector<int> run_in_processes(int count, const std::function<void(int)>& body) {
    std::vector<pid_t> children;
    for (int i = 0; i < count; ++i) {
        pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            int status = 0;
            try {
                body(i);
            } catch (...) {
                status = 1;
            }
            ::_exit(status);
        }
        children.push_back(pid);
    }
    std::vector<int> statuses;
    for (pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        statuses.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
    return statuses;
}

std::vector<std::string> files_below(const std::filesystem::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file())
            out.push_back(std::filesystem::relative(it->path(), dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace dbclone::testing

namespace dbclone::testing {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

std::string pg_admin_url() {
    return env("DBCLONE_TEST_PG_URL");
}
CloneRecord as_query_login(CloneRecord tenant) {
    tenant.user_name = tenant.query_user;
    tenant.password = tenant.query_password;
    return tenant;
}
std::string pg_superuser_url() {
    return env("DBCLONE_TEST_PG_SUPERUSER_URL");
}

std::string mysql_admin_url() {
    return env("DBCLONE_TEST_MYSQL_URL");
}

std::string shared_golden_name(Engine& engine, const std::string& version) {
    return sdk::golden_name(version, engine.registry().installation_id());
}

Config server_test_config(const std::filesystem::path& state_dir, const std::string& backend,
                          const std::string& url) {
    Config c = test_config(state_dir);
    c.plugin_settings[backend] = R"({"url": ")" + url + "\"}";
    return c;
}

}  // namespace dbclone::testing
