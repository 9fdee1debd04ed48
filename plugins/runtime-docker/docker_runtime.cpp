// The `docker` runtime: a tenant's server runs in a container of its own,
// `dbclone_<type>_tenant_<id>-<installation id>`, labelled with its installation,
// so two state directories on one Docker engine never see (or reconcile away)
// each other's containers. The tenant's data directory is
// bind-mounted, its port published on 127.0.0.1 only, memory and CPU limits,
// on a network with inter-container communication disabled. It speaks the
// Docker Engine API over the engine's Unix socket (DockerClient), not the CLI.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include "docker_client.hpp"
#include "server_engines.hpp"

namespace fs = std::filesystem;

namespace dbclone::docker_runtime {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using process_runtime::MariadbEngine;
using process_runtime::PostgresqlEngine;
using process_runtime::ServerEngine;
using process_runtime::ServerPlaces;

constexpr const char* container_data = "/data";
constexpr const char* container_run = "/run/dbclone";

void pair(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str());
}

bool tcp_accepts(uint32_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

}  // namespace

class DockerRuntime {
  public:
    static constexpr const char* description =
        "Runs a tenant's server in a container of its own (Docker Engine API)";
    static constexpr const char* config_schema = R"({
        "type": "object",
        "properties": {
            "socket": {"type": "string"},
            "images": {"type": "object"},
            "network": {"type": "string"},
            "memory_mb": {"type": "integer"},
            "cpus_milli": {"type": "integer"},
            "pids_limit": {"type": "integer"},
            "start_timeout_ms": {"type": "integer"}
        },
        "additionalProperties": false
    })";

    DockerRuntime(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          config_(sdk::view(init.config_json)),
          socket_(
              or_default(sdk::option_string(init.config_json, "socket"), "/var/run/docker.sock")),
          network_(or_default(sdk::option_string(init.config_json, "network"), "dbclone_tenants")),
          memory_(sdk::option_int(init.config_json, "memory_mb", 512) << 20),
          nano_cpus_(sdk::option_int(init.config_json, "cpus_milli", 1000) * 1000000),
          pids_limit_(sdk::option_int(init.config_json, "pids_limit", 256)),
          timeout_(std::chrono::milliseconds(
              sdk::option_int(init.config_json, "start_timeout_ms", 60000))),
          installation_(sdk::option_string(init.options_json, "installation_id")),
          postgresql_("/usr/lib/postgresql/15/bin") {
        static const std::regex installation_pattern("^[A-Za-z0-9]{1,64}$");
        if (!std::regex_match(installation_, installation_pattern))
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "the docker runtime needs options.installation_id ([A-Za-z0-9]+)");
    }

    void start_server(const dbc_server_spec& spec) {
        static const std::regex name_pattern("^dbclone_[a-z0-9_]{1,100}$");
        std::string name(sdk::view(spec.name)), engine_name(sdk::view(spec.engine));
        if (!std::regex_match(name, name_pattern))
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "container name \"" + name + "\" is not dbclone_[a-z0-9_]+");
        if (spec.port == 0)
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "a container needs a port to publish");
        const ServerEngine& engine = engine_for(engine_name);
        ServerPlaces host_side{std::string(sdk::view(spec.data_dir)),
                               sdk::option_string(spec.options_json, "run_dir"), spec.port};
        if (host_side.run_dir.empty())
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "start_server needs options.run_dir");
        DockerClient& docker = client();
        const std::string container = container_name(name);
        auto existing = docker.call("GET", "/containers/" + container + "/json", "", {404});
        if (existing.status == 404) {
            ensure_network(docker);
            // The server runs as the owner of its data directory: the image's server
            // user must have the same uid (scripts/build-test-image.sh sees to it).
            struct stat owner {};
            if (::stat(host_side.data_dir.c_str(), &owner) != 0)
                throw sdk::Failure(DBC_NOT_FOUND, "no data directory " + host_side.data_dir);
            fs::create_directories(host_side.run_dir);
            if (::chown(host_side.run_dir.c_str(), owner.st_uid, owner.st_gid) != 0)
                throw sdk::Failure(DBC_ERROR,
                                   "cannot give " + host_side.run_dir + " to the server's user");
            ::chmod(host_side.run_dir.c_str(), 0700);
            docker.call("POST", "/containers/create?name=" + container,
                        create_body(spec, engine_name, engine, host_side, owner));
        }
        docker.call("POST", "/containers/" + container + "/start", "", {304});
        // Healthy: the published port accepts TCP, and the engine says it is ready.
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        while (!(tcp_accepts(spec.port) && engine.ready(host_side))) {
            if (std::chrono::steady_clock::now() > deadline)
                throw sdk::Failure(DBC_TIMEOUT, container + " did not become ready within " +
                                                    std::to_string(timeout_.count()) + " ms");
            auto state = sdk::option_string(
                docker.call("GET", "/containers/" + container + "/json").body.c_str(), "State",
                "Status");
            if (state == "exited" || state == "dead")
                throw sdk::Failure(
                    DBC_ERROR, container + " exited while starting: " + logs(docker, container));
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        host_.info("started container " + container + " on 127.0.0.1:" + std::to_string(spec.port));
    }

    void stop_server(std::string_view name, uint32_t timeout_ms) {
        client().call(
            "POST",
            "/containers/" + container_name(name) + "/stop?t=" + std::to_string(timeout_ms / 1000),
            "", {304, 404});
    }

    // A removal another client started (a create killed mid-way, its engine
    // still tearing the container down) answers 409: wait for it to finish
    // instead of failing, so one reconcile is enough.
    void remove_server(std::string_view name) {
        std::string path = "/containers/" + container_name(name);
        auto deadline = std::chrono::steady_clock::now() + timeout_;
        while (client().call("DELETE", path + "?force=true&v=true", "", {404, 409}).status == 409) {
            if (client().call("GET", path + "/json", "", {404}).status == 404) return;
            if (std::chrono::steady_clock::now() > deadline)
                throw sdk::Failure(DBC_TIMEOUT, container_name(name) +
                                                    " was still being removed after " +
                                                    std::to_string(timeout_.count()) + " ms");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    // The container's state, and what container_isolation checks: where its
    // ports are published and whether its network lets containers talk.
    void inspect(std::string_view name, const sdk::Sink& sink) {
        DockerClient& docker = client();
        auto r = docker.call("GET", "/containers/" + container_name(name) + "/json");
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseIterativeFlag>(r.body.c_str());
        std::string network = doc["HostConfig"]["NetworkMode"].GetString();
        std::string icc =
            sdk::option_string(docker.call("GET", "/networks/" + network, "", {404}).body.c_str(),
                               "Options", "com.docker.network.bridge.enable_icc");
        rapidjson::StringBuffer buffer;
        Writer w(buffer);
        w.StartObject();
        pair(w, "name", std::string(name));
        pair(w, "container", container_name(name));
        pair(w, "state", doc["State"]["Status"].GetString());
        w.Key("pid");
        w.Int64(doc["State"]["Pid"].GetInt64());
        pair(w, "image", doc["Config"]["Image"].GetString());
        pair(w, "network", network);
        pair(w, "network_icc", icc.empty() ? "true" : icc);
        w.Key("host_ips");
        w.StartArray();
        const auto& bindings = doc["HostConfig"]["PortBindings"];
        if (bindings.IsObject())
            for (const auto& port : bindings.GetObject())
                if (port.value.IsArray())
                    for (const auto& b : port.value.GetArray())
                        w.String(b.HasMember("HostIp") ? b["HostIp"].GetString() : "");
        w.EndArray();
        w.EndObject();
        sink.write(buffer.GetString());
    }

    // Only this installation's containers: the filter is
    // {"label":["dbclone.installation=<id>"]}, URL-encoded (the id is [A-Za-z0-9]).
    void list(const sdk::Sink& sink) {
        auto r = client().call("GET",
                               "/containers/json?all=true&filters=%7B%22label%22%3A%5B%22"
                               "dbclone.installation%3D" +
                                   installation_ + "%22%5D%7D");
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseIterativeFlag>(r.body.c_str());
        for (const auto& c : doc.GetArray()) {
            const auto& labels = c["Labels"];
            if (!labels.IsObject() || !labels.HasMember("dbclone.server") ||
                !labels["dbclone.server"].IsString())
                continue;
            std::string name = labels["dbclone.server"].GetString();
            rapidjson::StringBuffer buffer;
            Writer w(buffer);
            w.StartObject();
            pair(w, "name", name);
            pair(w, "state", c["State"].GetString());
            w.EndObject();
            sink.write(buffer.GetString());
        }
    }

  private:
    // The container of server `name` in this installation.
    std::string container_name(std::string_view name) const {
        return std::string(name) + "-" + installation_;
    }

    static std::string or_default(std::string value, const char* fallback) {
        return value.empty() ? fallback : value;
    }

    DockerClient& client() {
        if (!client_) client_ = std::make_unique<DockerClient>(socket_);
        return *client_;
    }

    const ServerEngine& engine_for(const std::string& engine) const {
        if (engine == "postgresql") return postgresql_;
        if (engine == "mysql") return mariadb_;
        throw sdk::Failure(DBC_INVALID_ARGUMENT, "the docker runtime cannot run \"" + engine +
                                                     "\"; it runs postgresql and mysql");
    }

    // Configured image of an engine, else the default a user would expect.
    std::string image_for(const std::string& engine) const {
        std::string configured = sdk::option_string(config_.c_str(), "images", engine.c_str());
        if (!configured.empty()) return configured;
        return engine == "postgresql" ? "postgres:15" : "mariadb:10.11";
    }

    void ensure_network(DockerClient& docker) {
        if (docker.call("GET", "/networks/" + network_, "", {404}).status != 404) return;
        rapidjson::StringBuffer buffer;
        Writer w(buffer);
        w.StartObject();
        pair(w, "Name", network_);
        pair(w, "Driver", "bridge");
        w.Key("Options");
        w.StartObject();
        // Tenants' containers cannot reach each other.
        pair(w, "com.docker.network.bridge.enable_icc", "false");
        w.EndObject();
        w.Key("Labels");
        w.StartObject();
        pair(w, "dbclone.managed", "true");
        w.EndObject();
        w.EndObject();
        docker.call("POST", "/networks/create", buffer.GetString(),
                    {409});  // 409: another process won
    }

    std::string create_body(const dbc_server_spec& spec, const std::string& engine_name,
                            const ServerEngine& engine, const ServerPlaces& host_side,
                            const struct stat& owner) const {
        ServerPlaces inside{
            container_data,
            container_run,
            spec.port,
            "0.0.0.0",
            sdk::TenantLimits::parse(sdk::option_string(spec.options_json, "limits_json")),
            static_cast<uint64_t>(memory_)};
        std::string port = std::to_string(spec.port) + "/tcp";
        rapidjson::StringBuffer buffer;
        Writer w(buffer);
        w.StartObject();
        pair(w, "Image", image_for(engine_name));
        w.Key("Cmd");
        w.StartArray();
        for (const auto& arg : engine.start(inside)) w.String(arg.c_str());
        w.EndArray();
        pair(w, "User", std::to_string(owner.st_uid) + ":" + std::to_string(owner.st_gid));
        w.Key("Labels");
        w.StartObject();
        pair(w, "dbclone.managed", "true");
        pair(w, "dbclone.installation", installation_);
        pair(w, "dbclone.server", std::string(sdk::view(spec.name)));
        pair(w, "dbclone.engine", engine_name);
        pair(w, "dbclone.tenant", sdk::option_string(spec.options_json, "tenant"));
        pair(w, "dbclone.root_version", sdk::option_string(spec.options_json, "root_version"));
        w.EndObject();
        w.Key("ExposedPorts");
        w.StartObject();
        w.Key(port.c_str());
        w.StartObject();
        w.EndObject();
        w.EndObject();
        w.Key("HostConfig");
        w.StartObject();
        w.Key("Binds");
        w.StartArray();
        w.String((host_side.data_dir + ":" + container_data).c_str());
        w.String((host_side.run_dir + ":" + container_run).c_str());
        w.EndArray();
        w.Key("PortBindings");
        w.StartObject();
        w.Key(port.c_str());
        w.StartArray();
        w.StartObject();
        pair(w, "HostIp", "127.0.0.1");  // published on loopback only
        pair(w, "HostPort", std::to_string(spec.port));
        w.EndObject();
        w.EndArray();
        w.EndObject();
        w.Key("Memory");
        w.Int64(memory_);
        w.Key("NanoCpus");
        w.Int64(nano_cpus_);
        // A fork bomb stops at the pids limit. The server runs as the data
        // directory's owner, not root, and needs no capability at all, so it
        // gets none, and cannot gain one (no setuid program can raise it).
        // Nothing but the binds and a small /tmp is writable.
        w.Key("PidsLimit");
        w.Int64(pids_limit_);
        w.Key("CapDrop");
        w.StartArray();
        w.String("ALL");
        w.EndArray();
        w.Key("SecurityOpt");
        w.StartArray();
        w.String("no-new-privileges:true");
        w.EndArray();
        w.Key("ReadonlyRootfs");
        w.Bool(true);
        w.Key("Tmpfs");
        w.StartObject();
        pair(w, "/tmp", "rw,nosuid,nodev,noexec,size=64m");
        w.EndObject();
        pair(w, "NetworkMode", network_);
        w.EndObject();
        w.EndObject();
        return buffer.GetString();
    }

    static std::string logs(DockerClient& docker, const std::string& name) {
        auto r =
            docker.request("GET", "/containers/" + name + "/logs?stdout=true&stderr=true&tail=5");
        std::string text;
        // Multiplexed stream: 8-byte frame headers, then text; keep the text.
        for (size_t i = 0; i + 8 <= r.body.size();) {
            uint32_t length = (uint8_t(r.body[i + 4]) << 24) | (uint8_t(r.body[i + 5]) << 16) |
                              (uint8_t(r.body[i + 6]) << 8) | uint8_t(r.body[i + 7]);
            text += r.body.substr(i + 8, length);
            i += 8 + length;
        }
        for (char& c : text)
            if (c == '\n') c = ' ';
        return text.empty() ? "(no output)" : text;
    }

    sdk::Host host_;
    std::string config_;
    std::string socket_;
    std::string network_;
    int64_t memory_;
    int64_t nano_cpus_;
    int64_t pids_limit_;
    std::chrono::milliseconds timeout_;
    std::string installation_;
    PostgresqlEngine postgresql_;
    MariadbEngine mariadb_;
    std::unique_ptr<DockerClient> client_;
};

}  // namespace dbclone::docker_runtime

DBC_DECLARE_RUNTIME(dbclone::docker_runtime::DockerRuntime, "docker", "0.1.0")
