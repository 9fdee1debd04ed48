#include "dbclone/core/check_plugin.hpp"

#include <sys/stat.h>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "host_api.hpp"

namespace dbclone {

CheckPlugin::CheckPlugin(std::shared_ptr<LoadedPlugin> plugin,
                         const std::filesystem::path& data_dir, const std::string& options_json)
    : plugin_(std::move(plugin)),
      vtable_(&std::get<dbc_check_vtable>(plugin_->vtable)),
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
    std::vector<std::string> records;
    RecordSink sink(records);
    CallError list_err;
    check(vtable_->list_checks(handle_, sink.get(), list_err.get()), list_err);
    for (const auto& r : records) {
        auto doc = json::parse(r, log_prefix_ + " check record");
        checks_.push_back({json::optional_string(doc, "name", log_prefix_).value_or(""),
                           json::optional_string(doc, "description", log_prefix_).value_or("")});
    }
}

CheckPlugin::~CheckPlugin() {
    if (handle_ != nullptr) vtable_->destroy(handle_);
}

void CheckPlugin::check(int32_t rc, const CallError& err) const {
    if (rc != DBC_OK) throw Error(error_kind_for(rc), log_prefix_ + ": " + err.message());
}

std::string CheckPlugin::run(const dbc_check_context& context) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> records;
    RecordSink sink(records);
    CallError err;
    check(vtable_->run_check(handle_, &context, sink.get(), err.get()), err);
    if (records.empty())
        throw Error(ErrorKind::Failed,
                    log_prefix_ + ": check " + context.check_name + " reported nothing");
    return records.front();
}

}  // namespace dbclone
