// The `process` runtime: a tenant's server is a local process (postgres,
// mariadbd) on the tenant's data directory and port, bound to 127.0.0.1, run as
// the engine's unprivileged user, detached so it outlives dbclone. What it
// started is recorded in its data directory, so a later dbclone process (or
// reconcile) can stop, inspect and list it.
#include <signal.h>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "os_process.hpp"
#include "server_engines.hpp"

namespace fs = std::filesystem;

namespace dbclone::process_runtime {

namespace {

// What the runtime remembers of a server it started.
struct ServerRecord {
    std::string name, engine;
    ServerPlaces places;

    std::string json() const {
        return "{\"name\":" + sdk::json_quote(name) + ",\"engine\":" + sdk::json_quote(engine) +
               ",\"data_dir\":" + sdk::json_quote(places.data_dir) +
               ",\"run_dir\":" + sdk::json_quote(places.run_dir) +
               ",\"port\":" + std::to_string(places.port) + "}";
    }
    static ServerRecord parse(const std::string& text) {
        ServerRecord r{sdk::option_string(text.c_str(), "name"),
                       sdk::option_string(text.c_str(), "engine"),
                       {}};
        r.places.data_dir = sdk::option_string(text.c_str(), "data_dir");
        r.places.run_dir = sdk::option_string(text.c_str(), "run_dir");
        r.places.port = static_cast<uint32_t>(sdk::option_int(text.c_str(), "port", 0));
        return r;
    }
};

pid_t read_pid(const std::string& pid_file) {
    std::ifstream in(pid_file);
    long pid = 0;
    in >> pid;
    return static_cast<pid_t>(pid);
}

}  // namespace

class ProcessRuntime {
  public:
    static constexpr const char* description =
        "Runs a tenant's server as a local process on 127.0.0.1";
    static constexpr const char* config_schema = R"({
        "type": "object",
        "properties": {
            "postgresql_bin": {"type": "string"},
            "users": {"type": "object"},
            "start_timeout_ms": {"type": "integer"}
        },
        "additionalProperties": false
    })";

    ProcessRuntime(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          config_(sdk::view(init.config_json)),
          records_(fs::path(init.data_dir) / "servers"),
          timeout_(std::chrono::milliseconds(
              sdk::option_int(init.config_json, "start_timeout_ms", 60000))) {
        fs::create_directories(records_);
    }

    void start_server(const dbc_server_spec& spec) {
        static const std::regex name_pattern("^[a-z0-9_]{1,100}$");
        std::string name(sdk::view(spec.name));
        if (!std::regex_match(name, name_pattern))
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "server name \"" + name + "\" is not [a-z0-9_]{1,100}");
        ServerRecord record{name,
                            std::string(sdk::view(spec.engine)),
                            {std::string(sdk::view(spec.data_dir)),
                             sdk::option_string(spec.options_json, "run_dir"), spec.port}};
        if (record.places.run_dir.empty())
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "start_server needs options.run_dir");
        record.places.limits =
            sdk::TenantLimits::parse(sdk::option_string(spec.options_json, "limits_json"));
        if (record.places.run_dir.size() > 80)
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "run directory " + record.places.run_dir +
                                   " is too long for a Unix socket path (108 bytes "
                                   "with the socket's own name); use a shorter state directory");
        const ServerEngine& engine = engine_for(record.engine);
        Account account = Account::named(user_for(record.engine, engine));
        if (running(engine, record.places)) return;  // already up: starting is idempotent
        check_reachable(record.places.data_dir, account);
        check_reachable(record.places.run_dir, account);
        make_owned_directory(record.places.run_dir, account, 0700);
        std::string log = record.places.run_dir + "/server.log";
        if (sdk::option_bool(spec.options_json, "initialize")) {
            make_owned_directory(record.places.data_dir, account, 0700);
            run_to_completion(engine.initialize(record.places), account,
                              record.places.run_dir + "/initialize.log");
            engine.finish_initialize(record.places);
        }
        save(record);
        start_detached(engine.start(record.places), account, log, launch_pid_file(record.places));
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        while (!engine.ready(record.places)) {
            if (std::chrono::steady_clock::now() > deadline)
                throw sdk::Failure(DBC_TIMEOUT, name + " did not accept connections within " +
                                                    std::to_string(timeout_.count()) +
                                                    " ms: " + tail_of(log));
            // The pid it was started with (gone, not merely renamed: it may not
            // have reached exec yet): a server that fails at once (its port
            // taken, say) removes its own pid file on the way out.
            if (!sdk::process_alive(read_pid(launch_pid_file(record.places))) &&
                !engine.ready(record.places))
                throw sdk::Failure(DBC_ERROR, name + " exited while starting: " + tail_of(log));
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        host_.info("started " + name + " on port " + std::to_string(record.places.port));
    }

    void stop_server(std::string_view name, uint32_t timeout_ms) {
        auto record = load(name);
        if (!record) return;
        const ServerEngine& engine = engine_for(record->engine);
        pid_t pid = server_pid(engine, record->places);
        if (pid == 0) pid = still_starting(engine, record->places);
        if (pid == 0) return;
        // A server still starting is killed outright: its start was cut short
        // (a create or build being undone), so it holds nothing to save, and
        // MariaDB 10.11 sent SIGTERM while it starts never finishes starting
        // nor stopping.
        bool starting = !engine.ready(record->places);
        ::kill(pid, starting ? SIGKILL : engine.stop_signal());
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (::dbclone::process_runtime::running(pid, engine.process_name())) {
            if (std::chrono::steady_clock::now() > deadline) {
                host_.warn(std::string(name) + " did not stop in " + std::to_string(timeout_ms) +
                           " ms; killing it");
                ::kill(pid, SIGKILL);
                deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    void remove_server(std::string_view name) {
        stop_server(name, 10000);
        std::error_code ec;
        fs::remove(records_ / (std::string(name) + ".json"), ec);
        fs::remove(records_ / (std::string(name) + ".json.tmp"), ec);
    }

    void inspect(std::string_view name, const sdk::Sink& sink) {
        auto record = load(name);
        if (!record) throw sdk::Failure(DBC_NOT_FOUND, "no server " + std::string(name));
        sink.write(describe(*record));
    }

    void list(const sdk::Sink& sink) {
        for (const auto& entry : fs::directory_iterator(records_))
            if (entry.path().extension() == ".json")
                if (auto record = load(entry.path().stem().string())) sink.write(describe(*record));
    }

  private:
    const ServerEngine& engine_for(const std::string& engine) {
        if (engine == "postgresql") {
            if (!postgresql_)
                postgresql_ = std::make_unique<PostgresqlEngine>(
                    sdk::option_string(config_.c_str(), "postgresql_bin"));
            return *postgresql_;
        }
        if (engine == "mysql") return mariadb_;
        throw sdk::Failure(DBC_INVALID_ARGUMENT, "the process runtime cannot run \"" + engine +
                                                     "\"; it runs postgresql and mysql");
    }

    // The OS user from config ("users": {"postgresql": "..."}), else the engine's.
    std::string user_for(const std::string& engine_name, const ServerEngine& engine) const {
        std::string configured = sdk::option_string(config_.c_str(), "users", engine_name.c_str());
        return configured.empty() ? engine.default_user() : configured;
    }

    // Where start_detached records the pid of the process it started.
    static std::string launch_pid_file(const ServerPlaces& places) {
        return places.run_dir + "/launched.pid";
    }

    // The running server's pid, or 0: the pid the server wrote, else the one
    // it was started with (a server killed dbclone left before it wrote one),
    // if that process is still this server (its command line names the data
    // directory: a pid reused by another tenant's server is not).
    pid_t server_pid(const ServerEngine& engine, const ServerPlaces& places) {
        using ::dbclone::process_runtime::running;
        if (pid_t pid = read_pid(engine.pid_file(places)); running(pid, engine.process_name()))
            return pid;
        pid_t pid = read_pid(launch_pid_file(places));
        return running(pid, engine.process_name()) && running(pid, places.data_dir) ? pid : 0;
    }

    // The pid it was started with, when that process is alive but not yet the
    // server (between fork and exec: switching user takes milliseconds), as a
    // killed dbclone may leave it: waited for, up to 2 s, to become the server.
    pid_t still_starting(const ServerEngine& engine, const ServerPlaces& places) {
        pid_t pid = read_pid(launch_pid_file(places));
        for (int i = 0; i < 40 && sdk::process_alive(pid); ++i) {
            if (pid_t server = server_pid(engine, places)) return server;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return 0;
    }

    bool running(const ServerEngine& engine, const ServerPlaces& places) {
        return engine.ready(places) &&
               ::dbclone::process_runtime::running(read_pid(engine.pid_file(places)),
                                                   engine.process_name());
    }

    // Writes the record through a temporary file and a rename, so that a kill
    // mid-write leaves the old record or none, never a half-written one that a
    // later reconcile cannot read (it names the engine to stop).
    void save(const ServerRecord& record) const {
        fs::path file = records_ / (record.name + ".json");
        fs::path temp = file.string() + ".tmp";
        {
            std::ofstream out(temp, std::ios::trunc);
            out << record.json();
            out.flush();
            if (!out)
                throw sdk::Failure(DBC_ERROR, "cannot write the server record " + temp.string());
        }
        fs::rename(temp, file);
    }

    std::optional<ServerRecord> load(std::string_view name) const {
        std::ifstream in(records_ / (std::string(name) + ".json"));
        if (!in) return std::nullopt;
        std::string text((std::istreambuf_iterator<char>(in)), {});
        return ServerRecord::parse(text);
    }

    std::string describe(const ServerRecord& r) {
        const ServerEngine& engine = engine_for(r.engine);
        pid_t pid = server_pid(engine, r.places);
        bool up = pid != 0;
        return "{\"name\":" + sdk::json_quote(r.name) + ",\"engine\":" + sdk::json_quote(r.engine) +
               ",\"state\":" + sdk::json_quote(up ? "running" : "stopped") +
               ",\"pid\":" + std::to_string(up ? pid : 0) +
               ",\"port\":" + std::to_string(r.places.port) +
               ",\"data_dir\":" + sdk::json_quote(r.places.data_dir) + "}";
    }

    sdk::Host host_;
    std::string config_;
    fs::path records_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<PostgresqlEngine> postgresql_;
    MariadbEngine mariadb_;
};

}  // namespace dbclone::process_runtime

DBC_DECLARE_RUNTIME(dbclone::process_runtime::ProcessRuntime, "process", "0.1.0")
