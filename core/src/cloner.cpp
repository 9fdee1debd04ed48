#include "dbclone/core/cloner.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "dbclone/core/error.hpp"
#include "dbclone/core/golden_copy_cache.hpp"
#include "dbclone/core/json.hpp"
#include "dbclone/core/password.hpp"
#include "dbclone/core/record_json.hpp"
#include "dbclone/core/tenant_id.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

// Actions that undo completed steps, run newest first unless dismissed. Once
// one fails (the server is down, say), the older ones are skipped, except those
// pushed as `always`: what is left stays recorded, for reconcile to finish.
class UndoLog {
  public:
    void push(std::string what, std::function<void()> undo, bool always = false) {
        actions_.push_back({std::move(what), std::move(undo), always});
    }
    void pop() { actions_.pop_back(); }
    void dismiss() { actions_.clear(); }
    bool failed() const { return failed_; }
    ~UndoLog() {
        for (auto it = actions_.rbegin(); it != actions_.rend(); ++it) {
            if (failed_ && !it->always) continue;
            try {
                it->undo();
            } catch (const std::exception& e) {
                spdlog::error("undo of '{}' failed: {}; 'dbclone reconcile' finishes it", it->what,
                              e.what());
                failed_ = true;
            }
        }
    }

  private:
    struct Action {
        std::string what;
        std::function<void()> undo;
        bool always;
    };
    std::vector<Action> actions_;
    bool failed_ = false;
};

// Times one step and tells the observer.
class StepClock {
  public:
    explicit StepClock(const StepObserver& observer) : observer_(observer) {}
    void done(const std::string& step) {
        auto now = std::chrono::steady_clock::now();
        if (observer_) observer_(step, now - started_);
        started_ = now;
    }

  private:
    const StepObserver& observer_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// What a create passes to the backend beyond the fixed fields: the strategy
// asked for and, for a dedicated server, where to reach it as its superuser.
std::string clone_options(const CreateRequest& request, const std::filesystem::path& run_dir,
                          uint32_t port) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    if (!request.strategy.empty()) {
        w.Key("strategy");
        w.String(request.strategy.c_str());
    }
    if (!run_dir.empty()) {
        w.Key("socket_dir");
        w.String(run_dir.c_str());
        w.Key("port");
        w.Uint(port);
    }
    w.EndObject();
    return buffer.GetString();
}

// The backend's limits report with its disk entry replaced: the kernel caps a
// dedicated tenant's data directory, whatever the server measures.
std::string with_disk_enforced(const std::string& report, uint64_t bytes) {
    rapidjson::Document doc;
    doc.Parse(report.empty() ? "{}" : report.c_str());
    if (!doc.IsObject()) doc.SetObject();
    auto& a = doc.GetAllocator();
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("state", "enforced", a);
    std::string detail = "btrfs qgroup limit of " + std::to_string(bytes) +
                         " bytes on the data directory's subvolume: the server's writes past it "
                         "fail with \"Disk quota exceeded\"";
    entry.AddMember("detail", rapidjson::Value(detail.c_str(), a), a);
    doc.RemoveMember("disk_kb");
    doc.AddMember("disk_kb", entry, a);
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    doc.Accept(w);
    return buffer.GetString();
}

}  // namespace

bool process_alive(int64_t pid) {
    return sdk::process_alive(pid);
}

CloneRecord Cloner::rotate_password(const std::string& tenant_id, const std::string& login) {
    validate_tenant_id(tenant_id);
    if (login != "owner" && login != "query")
        throw Error(ErrorKind::InvalidInput,
                    "unknown login " + in_quotes(login) + "; allowed: owner, query");
    auto& registry = engine_.registry();
    auto record = registry.find_clone(tenant_id);
    if (!record) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(tenant_id));
    if (record->state != "ready")
        throw Error(ErrorKind::Conflict, "tenant " + in_quotes(tenant_id) + " is " + record->state);
    bool query = login == "query";
    const std::string& user = query ? record->query_user : record->user_name;
    Backend& backend = engine_.backend(record->db_type);
    if (user.empty() || !backend.has_capability(DBC_CAP_USERS))
        throw Error(ErrorKind::InvalidInput, "tenant " + in_quotes(tenant_id) + " (" +
                                                 record->db_type + ") has no " + login + " login");
    // A dedicated server is reached as its superuser over its socket, as at create.
    std::string options = "{}";
    if (is_dedicated(record->placement))
        options = clone_options({}, engine_.run_dir(record->server), record->port);
    std::string old = query ? record->query_password : record->password;
    std::string fresh = generate_password();
    backend.set_password(tenant_id, user, fresh, options);
    try {
        registry.transaction([&] {
            registry.update_password(tenant_id, query, fresh);
            registry.add_event(tenant_id, "password_rotated", user);
        });
    } catch (...) {
        // The registry keeps the old one: so must the server, or nobody could log in.
        backend.set_password(tenant_id, user, old, options);
        throw;
    }
    return *registry.find_clone(tenant_id);
}

std::vector<std::string> Cloner::placements_for(const std::string& db_type) {
    Backend& backend = engine_.backend(db_type);
    std::vector<std::string> out;
    if (backend.has_capability(DBC_CAP_EMBEDDED)) out.push_back("embedded");
    if (backend.has_capability(DBC_CAP_SHARED_SERVER)) out.push_back("shared");
    if (backend.has_capability(DBC_CAP_DATA_DIRECTORY)) {
        auto runtimes = engine_.runtime_names();
        for (const char* dedicated : {"process", "docker"})
            if (std::find(runtimes.begin(), runtimes.end(), dedicated) != runtimes.end())
                out.emplace_back(dedicated);
    }
    return out;
}

CloneRecord Cloner::create(const CreateRequest& request, const StepObserver& observer) {
    StepClock clock(observer);
    validate_tenant_id(request.tenant_id);
    Backend& backend = engine_.backend(request.db_type);
    std::string version =
        request.version.empty() ? engine_.config().default_version : request.version;
    auto allowed = placements_for(request.db_type);
    std::string placement = request.placement;
    if (placement.empty()) {
        auto configured = engine_.config().default_placement.find(request.db_type);
        bool usable =
            configured != engine_.config().default_placement.end() &&
            std::find(allowed.begin(), allowed.end(), configured->second) != allowed.end();
        placement = usable ? configured->second : allowed.front();
    }
    if (std::find(allowed.begin(), allowed.end(), placement) == allowed.end())
        throw Error(ErrorKind::InvalidInput, "placement " + in_quotes(placement) +
                                                 " is not available for " + request.db_type +
                                                 "; allowed: " + join(allowed));
    RootFile root = engine_.roots().resolve(version, request.db_type);
    LimitSet limits = engine_.config().default_limits;
    for (const auto& item : request.limits) limits.assign(item);
    clock.done("validate");

    auto& registry = engine_.registry();
    CloneRecord record;
    record.tenant_id = request.tenant_id;
    record.db_type = request.db_type;
    record.root_version = version;
    record.placement = placement;
    record.state = "creating";
    record.database_name = tenant_database_name(request.tenant_id);
    record.user_name = tenant_user_name(request.tenant_id);
    record.password = generate_password();
    if (backend.has_capability(DBC_CAP_USERS)) {
        record.query_user = tenant_query_user_name(request.tenant_id);
        record.query_password = generate_password();
    }
    record.limits = limits.to_json();
    record.owner_pid = ::getpid();
    bool dedicated = is_dedicated(placement);
    if (dedicated) {
        record.server = "dbclone_" + request.db_type + "_tenant_" + request.tenant_id;
        record.data_dir = (engine_.config().data_dir / "tenants" / request.tenant_id).string();
    }
    registry.transaction([&] {
        registry.insert_clone(record);
        // The port is taken in the same transaction as the row: no other process
        // can take it, and a failed insert takes none.
        if (dedicated) record.port = engine_.ports().allocate(request.db_type, request.tenant_id);
        registry.add_event(record.tenant_id, "create_started",
                           record.db_type + " " + version + " " + placement);
    });
    UndoLog undo;
    undo.push(
        "registry row",
        [&] {
            registry.transaction([&] {
                if (undo.failed()) {
                    // Something could not be undone: the row stays, owned by no
                    // process, so that reconcile removes the rest with it.
                    record.owner_pid = 0;
                    registry.update_clone(record);
                    registry.add_event(record.tenant_id, "undo_failed",
                                       "left for 'dbclone reconcile'");
                    return;
                }
                registry.delete_clone(record.tenant_id);
                for (const auto& a : registry.ports())
                    if (a.tenant_id == record.tenant_id) registry.delete_port(a.port);
            });
        },
        true);
    try {
        clock.done("register");
        GoldenCopy golden = GoldenCopyCache(engine_).ensure(backend, version, root, placement);
        clock.done("golden copy");

        std::filesystem::path run_dir;
        const uint64_t disk_limit = json::disk_limit_bytes(record);
        bool disk_capped = false;
        if (dedicated) {
            const DirectoryCloner& storage = engine_.storage();
            storage.clone(golden.location, record.data_dir);
            // Undo actions run after this block has ended: they name nothing
            // declared inside it (the engine's parts are reached anew).
            undo.push("data directory", [&] { engine_.storage().remove(record.data_dir); });
            disk_capped = disk_limit != 0 && storage.limit_size(record.data_dir, disk_limit);
            clock.done("data directory");
            Runtime& runtime = engine_.runtime(placement);
            run_dir = engine_.run_dir(record.server);
            undo.push("server", [&, run_dir] {
                engine_.runtime(placement).remove(record.server);
                std::filesystem::remove_all(run_dir);
            });
            runtime.start({record.server, request.db_type, record.data_dir, record.port,
                           run_options(run_dir, false, record.tenant_id, version, record.limits)});
            clock.done("start server");
        }
        // A dedicated server goes as a whole; on a shared one the backend drops,
        // by the tenant's names, also after a clone that failed: its own undo
        // may have failed too (the server went away). Not after a conflict:
        // what exists under those names is not this create's.
        if (!dedicated)
            undo.push("clone", [&] {
                backend.drop(record.tenant_id, record.database_name, record.user_name);
            });
        CloneOutcome outcome;
        try {
            outcome = backend.clone({record.tenant_id, golden.location, record.database_name,
                                     record.user_name, record.password, placement,
                                     clone_options(request, run_dir, record.port),
                                     record.query_user, record.query_password, record.limits});
        } catch (const Error& e) {
            if (!dedicated && e.kind() == ErrorKind::Conflict) undo.pop();
            throw;
        }
        clock.done("clone");
        const Target& clone = outcome.target;
        record.query_user = outcome.query_user;
        if (record.query_user.empty()) record.query_password.clear();
        record.limits_report = disk_capped ? with_disk_enforced(outcome.limits_report, disk_limit)
                                           : outcome.limits_report;

        backend.probe(clone);
        clock.done("verify");

        record.state = "ready";
        record.location = clone.location;
        record.host = clone.host;
        record.port = clone.port;
        record.owner_pid = 0;
        record.golden_fingerprint = golden.fingerprint;
        registry.transaction([&] {
            registry.update_clone(record);
            registry.add_event(record.tenant_id, "create_ready", clone.location);
        });
        clock.done("ready");
        undo.dismiss();
    } catch (const std::exception& e) {
        try {
            registry.add_event(record.tenant_id, "create_failed", e.what());
        } catch (const std::exception& audit) {
            spdlog::error("cannot record failure of {}: {}", record.tenant_id, audit.what());
        }
        throw;
    }
    return *registry.find_clone(record.tenant_id);
}

void Cloner::remove(const std::string& tenant_id) {
    validate_tenant_id(tenant_id);
    auto& registry = engine_.registry();
    CloneRecord record;
    registry.transaction([&] {
        auto found = registry.find_clone(tenant_id);
        if (!found) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(tenant_id));
        if (found->state != "ready" && found->owner_pid != ::getpid() &&
            process_alive(found->owner_pid))
            throw Error(ErrorKind::Conflict, "tenant " + in_quotes(tenant_id) + " is " +
                                                 found->state + " by process " +
                                                 std::to_string(found->owner_pid));
        record = *found;
        record.state = "removing";
        record.owner_pid = ::getpid();
        registry.update_clone(record);
        registry.add_event(tenant_id, "remove_started", "");
    });
    if (!record.server.empty()) {
        // A server of its own: stop and remove it, then its data directory.
        engine_.runtime(record.placement).remove(record.server);
        engine_.storage().remove(record.data_dir);
        std::filesystem::remove_all(engine_.run_dir(record.server));
    } else {
        Backend& backend = engine_.backend(record.db_type);
        std::string location = record.location.empty() ? record.database_name : record.location;
        backend.drop(tenant_id, location, record.user_name);
    }
    registry.transaction([&] {
        for (const auto& a : registry.ports())
            if (a.tenant_id == tenant_id) registry.delete_port(a.port);
        registry.delete_clone(tenant_id);
        registry.add_event(tenant_id, "removed", "");
    });
}

CloneRecord Cloner::dedicated_tenant(const std::string& tenant_id) {
    validate_tenant_id(tenant_id);
    auto record = engine_.registry().find_clone(tenant_id);
    if (!record) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(tenant_id));
    if (record->server.empty())
        throw Error(ErrorKind::InvalidInput, "tenant " + in_quotes(tenant_id) + " is on a " +
                                                 record->placement +
                                                 " placement; only dedicated servers (process, "
                                                 "docker) start and stop");
    return *record;
}

void Cloner::start(const std::string& tenant_id) {
    CloneRecord r = dedicated_tenant(tenant_id);
    engine_.runtime(r.placement)
        .start(
            {r.server, r.db_type, r.data_dir, r.port,
             run_options(engine_.run_dir(r.server), false, r.tenant_id, r.root_version, r.limits)});
    engine_.registry().add_event(tenant_id, "started", r.server);
}

void Cloner::stop(const std::string& tenant_id) {
    CloneRecord r = dedicated_tenant(tenant_id);
    engine_.runtime(r.placement).stop(r.server);
    engine_.registry().add_event(tenant_id, "stopped", r.server);
}

}  // namespace dbclone
