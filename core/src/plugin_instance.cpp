#include "plugin_instance.hpp"

#include <sys/stat.h>

#include "dbclone/core/error.hpp"

namespace dbclone {

PluginInstance::PluginInstance(const LoadedPlugin& plugin, CreateFn create, DestroyFn destroy,
                               const std::filesystem::path& data_dir,
                               const std::string& options_json)
    : log_prefix_(plugin.info.name), destroy_(destroy) {
    std::filesystem::create_directories(data_dir);
    ::chmod(data_dir.c_str(), 0700);
    host_api_ = make_host_api(&log_prefix_);
    std::string dir = data_dir.string();
    dbc_plugin_init init{};
    init.struct_size = sizeof init;
    init.config_json = plugin.config_json.c_str();
    init.data_dir = dir.c_str();
    init.options_json = options_json.c_str();
    CallError err;
    check(create(&host_api_, &init, &handle_, err.get()), err);
}

PluginInstance::~PluginInstance() {
    if (handle_ != nullptr) destroy_(handle_);
}

void PluginInstance::check(dbc_rc rc, const CallError& err) const {
    if (rc != DBC_OK) throw Error(error_kind_for(rc), log_prefix_ + ": " + err.message());
}

std::optional<std::vector<std::string>> PluginInstance::collect(
    const std::function<dbc_rc(const dbc_sink*, dbc_error*)>& call, bool absent_is_empty) const {
    std::vector<std::string> records;
    RecordSink sink(records);
    CallError err;
    dbc_rc rc = call(sink.get(), err.get());
    if (rc == DBC_NOT_SUPPORTED || (absent_is_empty && rc == DBC_NOT_FOUND)) return std::nullopt;
    check(rc, err);
    return records;
}

}  // namespace dbclone
