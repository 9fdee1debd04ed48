#include "dbclone/core/runtime.hpp"

#include <sys/stat.h>

#include "dbclone/core/error.hpp"
#include "host_api.hpp"

namespace dbclone {

Runtime::Runtime(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
                 const std::string& options_json)
    : plugin_(std::move(plugin)),
      vtable_(&std::get<dbc_runtime_vtable>(plugin_->vtable)),
      log_prefix_(plugin_->info.name) {
    std::filesystem::create_directories(data_dir);
    ::chmod(data_dir.c_str(), 0700);
    host_api_ = make_host_api(&log_prefix_);
    std::string dir = data_dir.string();
    dbc_plugin_init init{};
    init.struct_size = sizeof init;
    init.config_json = plugin_->config_json.c_str();
    init.data_dir = dir.c_str();
    init.options_json = options_json.c_str();
    CallError err;
    check(vtable_->create(&host_api_, &init, &handle_, err.get()), err);
}

Runtime::~Runtime() {
    if (handle_ != nullptr) vtable_->destroy(handle_);
}

void Runtime::check(int32_t rc, const CallError& err) const {
    if (rc != DBC_OK) throw Error(error_kind_for(rc), log_prefix_ + ": " + err.message());
}

void Runtime::start(const ServerSpec& spec) {
    std::lock_guard lock(mutex_);
    std::string data_dir = spec.data_dir.string();
    dbc_server_spec c{};
    c.struct_size = sizeof c;
    c.name = spec.name.c_str();
    c.engine = spec.engine.c_str();
    c.data_dir = data_dir.c_str();
    c.port = spec.port;
    c.options_json = spec.options_json.empty() ? nullptr : spec.options_json.c_str();
    CallError err;
    check(vtable_->start_server(handle_, &c, err.get()), err);
}

void Runtime::stop(const std::string& name, uint32_t timeout_ms) {
    std::lock_guard lock(mutex_);
    CallError err;
    check(vtable_->stop_server(handle_, name.c_str(), timeout_ms, err.get()), err);
}

void Runtime::remove(const std::string& name) {
    std::lock_guard lock(mutex_);
    CallError err;
    check(vtable_->remove_server(handle_, name.c_str(), err.get()), err);
}

std::optional<std::vector<std::string>> Runtime::collect(
    const std::function<int32_t(const dbc_sink*, dbc_error*)>& call) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> records;
    RecordSink sink(records);
    CallError err;
    int32_t rc = call(sink.get(), err.get());
    if (rc == DBC_NOT_SUPPORTED || rc == DBC_NOT_FOUND) return std::nullopt;
    check(rc, err);
    return records;
}

std::optional<std::string> Runtime::inspect(const std::string& name) {
    if (vtable_->inspect == nullptr) return std::nullopt;
    auto records = collect([&](const dbc_sink* sink, dbc_error* err) {
        return vtable_->inspect(handle_, name.c_str(), sink, err);
    });
    if (!records || records->empty()) return std::nullopt;
    return records->front();
}

std::optional<std::vector<std::string>> Runtime::list() {
    if (vtable_->list == nullptr) return std::nullopt;
    return collect(
        [&](const dbc_sink* sink, dbc_error* err) { return vtable_->list(handle_, sink, err); });
}

}  // namespace dbclone
