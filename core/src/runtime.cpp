#include "dbclone/core/runtime.hpp"

#include <sys/stat.h>

#include "dbclone/core/error.hpp"
#include "host_api.hpp"
#include "plugin_instance.hpp"

namespace dbclone {

Runtime::Runtime(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
                 const std::string& options_json)
    : plugin_(std::move(plugin)),
      vtable_(&std::get<dbc_runtime_vtable>(plugin_->vtable)),
      instance_(std::make_unique<PluginInstance>(*plugin_, vtable_->create, vtable_->destroy,
                                                 data_dir, options_json)),
      handle_(instance_->handle()) {}

Runtime::~Runtime() = default;

void Runtime::check(int32_t rc, const CallError& err) const {
    instance_->check(rc, err);
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
    return instance_->collect(call, true);
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
