// A backend plugin's handle, seen from C++: each call goes through the plugin's C
// vtable and a dbc_rc other than DBC_OK comes back as a dbclone::Error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dbclone/core/plugin_loader.hpp"
#include "dbclone/core/root_catalog.hpp"

namespace dbclone {

class CallError;
class PluginInstance;

// Where a database lives and how to log in; see dbc_target.
struct Target {
    std::string tenant_id;  // empty for the golden copy
    std::string location;
    std::string host;
    uint32_t port = 0;
    std::string user;
    std::string password;
};

struct GoldenCopy {
    std::string location;
    std::string fingerprint;
    std::string content;  // the backend's content record of it; "" if none
    uint64_t bytes = 0;   // as the backend counts it; 0 if unknown
};

struct CloneSpec {
    std::string tenant_id;
    std::string golden_location;
    std::string database_name;
    std::string user_name;
    std::string password;
    std::string placement;
    std::string options_json;  // extensions, e.g. {"strategy": "tablespace"}
    std::string query_user;    // ABI 1.2; "": no query login
    std::string query_password;
    std::string limits_json;  // LimitSet::to_json
};

// What a clone made: where it is, and the 1.2 results.
struct CloneOutcome {
    Target target;
    std::string query_user;     // the query login made; "" if none
    std::string limits_report;  // dbc_clone_result.limits_json; "" if none
};

class Backend {
  public:
    // Creates the plugin's handle; `data_dir` is created (0700) if missing.
    // `options_json` reaches the plugin as dbc_plugin_init.options_json.
    Backend(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
            const std::string& options_json);
    ~Backend();
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    const PluginInfo& info() const { return plugin_->info; }
    bool has_capability(uint64_t bit) const { return (plugin_->info.capabilities & bit) != 0; }

    // Throws Error(InvalidInput) for a root of several files when the plugin
    // lacks DBC_CAP_ROOT_FILES.
    GoldenCopy ensure_golden(const std::string& root_version, const RootFile& root,
                             const std::string& placement, const std::string& options_json = "");
    CloneOutcome clone(const CloneSpec& spec);
    // An empty tenant_id drops the golden build leftover at `location`.
    void drop(const std::string& tenant_id, const std::string& location, const std::string& user);
    // Removes the golden copy at `location` (dbc_drop_request with {"golden": true}).
    void drop_golden(const std::string& location);

    // True when the plugin writes content records (its golden copies carry one).
    bool records_content() const { return vtable_->content != nullptr; }
    // nullopt when the plugin does not fingerprint.
    std::optional<std::string> fingerprint(const Target& target);
    // false when the plugin cannot probe; throws when the probe fails.
    bool probe(const Target& target);
    // The files the plugin wrote into `dir` for a root made from the live
    // database `source`, in apply order; throws Error(InvalidInput) when the
    // plugin cannot export.
    std::vector<std::string> export_root(const std::string& source, const std::string& dir);
    // Each artifact as a JSON record; nullopt when the plugin cannot list them.
    std::optional<std::vector<std::string>> list_artifacts();
    // Each isolation probe's record, `attacker` against `victim`; nullopt when the
    // plugin has no probes.
    std::optional<std::vector<std::string>> attempt_access(const Target& attacker,
                                                           const Target& victim);
    // The raw vtable entries for a check's services (may be NULL), called under
    // this handle's lock by the functions below.
    dbc_rc canary(const dbc_target& target, dbc_canary_op op, const char* token, int32_t* found,
                  dbc_error* err);
    dbc_rc run_queries(const dbc_target& target, uint32_t count, const dbc_sink* sink,
                       dbc_error* err);
    dbc_rc fingerprint_raw(const dbc_target& target, const char** out, dbc_error* err);
    dbc_rc probe_raw(const dbc_target& target, dbc_error* err);
    dbc_rc content(const dbc_target& target, const dbc_sink* sink, dbc_error* err);
    dbc_rc attempt_access_raw(const dbc_target& a, const dbc_target& b, const dbc_sink* sink,
                              dbc_error* err);
    // The disk the target's database takes; nullopt when the plugin cannot say.
    std::optional<uint64_t> measure_size(const Target& target);
    // Gives the tenant's login `user` the password `password`; Error(InvalidInput)
    // when the plugin cannot.
    void set_password(const std::string& tenant_id, const std::string& user,
                      const std::string& password, const std::string& options_json);
    dbc_rc attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                              const char* limits_json, const dbc_sink* sink, dbc_error* err);

  private:
    void check(dbc_rc rc, const CallError& err) const;
    // Runs `call` with a sink that collects records, under the handle's lock.
    std::optional<std::vector<std::string>> collect(
        const std::function<dbc_rc(const dbc_sink*, dbc_error*)>& call);

    std::shared_ptr<LoadedPlugin> plugin_;
    const dbc_backend_vtable* vtable_;
    std::unique_ptr<PluginInstance> instance_;
    void* handle_ = nullptr;
    std::mutex mutex_;  // the ABI lets the host serialize calls on one handle
};

}  // namespace dbclone
