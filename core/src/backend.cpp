#include "dbclone/core/backend.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <dbclone/sdk.hpp>

#include <filesystem>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"

#include "host_api.hpp"
#include "plugin_instance.hpp"
#include "target_view.hpp"

namespace dbclone {

namespace {

const char* or_null(const std::string& s) {
    return s.empty() ? nullptr : s.c_str();
}
std::string or_empty(const char* s) {
    return s != nullptr ? s : "";
}

}  // namespace

dbc_target target_view(const Target& t) {
    dbc_target c{};
    c.struct_size = sizeof c;
    c.tenant_id = or_null(t.tenant_id);
    c.location = t.location.c_str();
    c.host = or_null(t.host);
    c.port = t.port;
    c.user = or_null(t.user);
    c.password = or_null(t.password);
    return c;
}

Backend::Backend(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
                 const std::string& options_json)
    : plugin_(std::move(plugin)),
      vtable_(&std::get<dbc_backend_vtable>(plugin_->vtable)),
      instance_(std::make_unique<PluginInstance>(*plugin_, vtable_->create, vtable_->destroy,
                                                 data_dir, options_json)),
      handle_(instance_->handle()) {}

Backend::~Backend() = default;

void Backend::check(dbc_rc rc, const CallError& err) const {
    instance_->check(rc, err);
}

GoldenCopy Backend::ensure_golden(const std::string& root_version, const RootFile& root,
                                  const std::string& placement, const std::string& options_json) {
    if (root.parts.size() > 1 && !has_capability(DBC_CAP_ROOT_FILES))
        throw Error(ErrorKind::InvalidInput,
                    "root " + root_version + " gives " + plugin_->info.name + " " +
                        std::to_string(root.parts.size()) + " files; this " + plugin_->info.name +
                        " plugin loads one (it lacks DBC_CAP_ROOT_FILES)");
    // A directory reads as nothing to a backend that expects a file: its
    // tenants would come out empty.
    if (!has_capability(DBC_CAP_ROOT_DIRECTORIES))
        for (const auto& part : root.parts)
            if (std::filesystem::is_directory(part.path))
                throw Error(ErrorKind::InvalidInput,
                            "root " + root_version + ": " + part.path.string() +
                                " is a directory; the " + plugin_->info.name +
                                " plugin takes root files only (directories: PostgreSQL's "
                                "pg_dump -Fd)");
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartArray();
    for (const auto& part : root.parts) {
        w.StartObject();
        w.Key("file");
        w.String(part.path.c_str());
        w.Key("sha256");
        w.String(part.sha256.c_str());
        w.EndObject();
    }
    w.EndArray();
    std::string file = root.path.string(), parts = buffer.GetString();
    std::lock_guard lock(mutex_);
    dbc_golden_request req{};
    req.struct_size = sizeof req;
    req.root_version = root_version.c_str();
    req.root_file = file.c_str();
    req.root_sha256 = root.sha256.c_str();
    req.placement = placement.c_str();
    req.options_json = or_null(options_json);
    req.root_files_json = parts.c_str();
    dbc_golden_result out{};
    out.struct_size = sizeof out;
    CallError err;
    check(vtable_->ensure_golden(handle_, &req, &out, err.get()), err);
    GoldenCopy golden{or_empty(out.location), or_empty(out.fingerprint), or_empty(out.content_json),
                      out.size_bytes};
    // It is recorded and later embedded in a check's options: it must be JSON.
    if (!golden.content.empty() &&
        !json::parse(golden.content, plugin_->info.name + "'s golden content record").IsObject())
        throw Error(ErrorKind::Failed, plugin_->info.name +
                                           " returned a golden content record that "
                                           "is not a JSON object");
    return golden;
}

CloneOutcome Backend::clone(const CloneSpec& spec) {
    std::lock_guard lock(mutex_);
    dbc_clone_request req{};
    req.struct_size = sizeof req;
    req.tenant_id = spec.tenant_id.c_str();
    req.golden_location = spec.golden_location.c_str();
    req.database_name = spec.database_name.c_str();
    req.user_name = spec.user_name.c_str();
    req.password = spec.password.c_str();
    req.placement = spec.placement.c_str();
    req.options_json = or_null(spec.options_json);
    req.query_user_name = or_null(spec.query_user);
    req.query_password = or_null(spec.query_password);
    req.limits_json = or_null(spec.limits_json);
    dbc_clone_result out{};
    out.struct_size = sizeof out;
    CallError err;
    check(vtable_->clone(handle_, &req, &out, err.get()), err);
    std::string report = or_empty(out.limits_json);
    if (!report.empty() && !json::parse(report, plugin_->info.name + "'s limits report").IsObject())
        throw Error(ErrorKind::Failed,
                    plugin_->info.name + " returned a limits report that is not a JSON object");
    return {Target{spec.tenant_id, or_empty(out.location), or_empty(out.host), out.port,
                   or_empty(out.user), spec.password},
            or_empty(out.query_user), report};
}

void Backend::drop(const std::string& tenant_id, const std::string& location,
                   const std::string& user) {
    std::lock_guard lock(mutex_);
    dbc_drop_request req{};
    req.struct_size = sizeof req;
    req.tenant_id = or_null(tenant_id);  // NULL: a golden build's leftover
    req.location = location.c_str();
    req.user_name = or_null(user);
    CallError err;
    check(vtable_->drop(handle_, &req, err.get()), err);
}

void Backend::drop_golden(const std::string& location) {
    std::lock_guard lock(mutex_);
    dbc_drop_request req{};
    req.struct_size = sizeof req;
    req.location = location.c_str();
    req.options_json = R"({"golden":true})";
    CallError err;
    check(vtable_->drop(handle_, &req, err.get()), err);
}

std::optional<std::string> Backend::fingerprint(const Target& target) {
    if (vtable_->fingerprint == nullptr) return std::nullopt;
    std::lock_guard lock(mutex_);
    dbc_target c = target_view(target);
    const char* out = nullptr;
    CallError err;
    dbc_rc rc = vtable_->fingerprint(handle_, &c, &out, err.get());
    if (rc == DBC_NOT_SUPPORTED) return std::nullopt;
    check(rc, err);
    return or_empty(out);
}

bool Backend::probe(const Target& target) {
    if (vtable_->probe == nullptr) return false;
    std::lock_guard lock(mutex_);
    dbc_target c = target_view(target);
    CallError err;
    dbc_rc rc = vtable_->probe(handle_, &c, err.get());
    if (rc == DBC_NOT_SUPPORTED) return false;
    check(rc, err);
    return true;
}

std::optional<std::vector<std::string>> Backend::collect(
    const std::function<dbc_rc(const dbc_sink*, dbc_error*)>& call) {
    std::lock_guard lock(mutex_);
    return instance_->collect(call);
}

std::vector<std::string> Backend::export_root(const std::string& source, const std::string& dir) {
    if (vtable_->export_root == nullptr)
        throw Error(ErrorKind::InvalidInput,
                    "the " + plugin_->info.name + " plugin cannot import a root from a database");
    auto records = collect([&](const dbc_sink* sink, dbc_error* err) {
        return vtable_->export_root(handle_, source.c_str(), dir.c_str(), sink, err);
    });
    std::vector<std::string> files;
    for (const auto& record : records.value_or(std::vector<std::string>{})) {
        auto doc = json::parse(record, plugin_->info.name + "'s exported file");
        if (!doc.IsObject() || !doc.HasMember("file") || !doc["file"].IsString())
            throw Error(ErrorKind::Failed, plugin_->info.name + " named no exported file");
        files.emplace_back(doc["file"].GetString());
    }
    if (files.empty()) throw Error(ErrorKind::Failed, plugin_->info.name + " exported no file");
    return files;
}

std::optional<std::vector<std::string>> Backend::list_artifacts() {
    if (vtable_->list_artifacts == nullptr) return std::nullopt;
    return collect([&](const dbc_sink* sink, dbc_error* err) {
        return vtable_->list_artifacts(handle_, sink, err);
    });
}

std::optional<std::vector<std::string>> Backend::attempt_access(const Target& attacker,
                                                                const Target& victim) {
    if (vtable_->attempt_access == nullptr) return std::nullopt;
    dbc_target a = target_view(attacker), b = target_view(victim);
    return collect([&](const dbc_sink* sink, dbc_error* err) {
        return vtable_->attempt_access(handle_, &a, &b, sink, err);
    });
}

namespace {
dbc_rc unsupported(dbc_error* err) {
    return sdk::fill_error(err, DBC_NOT_SUPPORTED, "not supported by this backend");
}
}  // namespace

dbc_rc Backend::canary(const dbc_target& target, dbc_canary_op op, const char* token,
                       int32_t* found, dbc_error* err) {
    if (vtable_->canary == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->canary(handle_, &target, op, token, found, err);
}

dbc_rc Backend::run_queries(const dbc_target& target, uint32_t count, const dbc_sink* sink,
                            dbc_error* err) {
    if (vtable_->run_queries == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->run_queries(handle_, &target, count, sink, err);
}

dbc_rc Backend::fingerprint_raw(const dbc_target& target, const char** out, dbc_error* err) {
    if (vtable_->fingerprint == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->fingerprint(handle_, &target, out, err);
}

dbc_rc Backend::probe_raw(const dbc_target& target, dbc_error* err) {
    if (vtable_->probe == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->probe(handle_, &target, err);
}

dbc_rc Backend::content(const dbc_target& target, const dbc_sink* sink, dbc_error* err) {
    if (vtable_->content == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->content(handle_, &target, sink, err);
}

dbc_rc Backend::attempt_access_raw(const dbc_target& a, const dbc_target& b, const dbc_sink* sink,
                                   dbc_error* err) {
    if (vtable_->attempt_access == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->attempt_access(handle_, &a, &b, sink, err);
}

std::optional<uint64_t> Backend::measure_size(const Target& target) {
    if (vtable_->measure_size == nullptr) return std::nullopt;
    std::lock_guard lock(mutex_);
    dbc_target c = target_view(target);
    uint64_t bytes = 0;
    CallError err;
    check(vtable_->measure_size(handle_, &c, &bytes, err.get()), err);
    return bytes;
}

void Backend::set_password(const std::string& tenant_id, const std::string& user,
                           const std::string& password, const std::string& options_json) {
    if (vtable_->set_password == nullptr)
        throw Error(ErrorKind::InvalidInput,
                    plugin_->info.name + " cannot change a login's password");
    std::lock_guard lock(mutex_);
    CallError err;
    check(vtable_->set_password(handle_, tenant_id.c_str(), user.c_str(), password.c_str(),
                                or_null(options_json), err.get()),
          err);
}

dbc_rc Backend::attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                                   const char* limits_json, const dbc_sink* sink, dbc_error* err) {
    if (vtable_->attempt_guardrails == nullptr) return unsupported(err);
    std::lock_guard lock(mutex_);
    return vtable_->attempt_guardrails(handle_, &owner, query, limits_json, sink, err);
}

}  // namespace dbclone
