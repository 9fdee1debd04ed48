#include "dbclone/core/check_plugin.hpp"

#include <sys/stat.h>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "host_api.hpp"
#include "plugin_instance.hpp"

namespace dbclone {

CheckPlugin::CheckPlugin(std::shared_ptr<LoadedPlugin> plugin,
                         const std::filesystem::path& data_dir, const std::string& options_json)
    : plugin_(std::move(plugin)),
      vtable_(&std::get<dbc_check_vtable>(plugin_->vtable)),
      instance_(std::make_unique<PluginInstance>(*plugin_, vtable_->create, vtable_->destroy,
                                                 data_dir, options_json)),
      handle_(instance_->handle()) {
    auto records = instance_->collect([&](const dbc_sink* sink, dbc_error* err) {
        return vtable_->list_checks(handle_, sink, err);
    });
    for (const auto& r : records.value_or(std::vector<std::string>{})) {
        auto doc = json::parse(r, plugin_->info.name + " check record");
        bool guardrail =
            doc.HasMember("guardrail") && doc["guardrail"].IsBool() && doc["guardrail"].GetBool();
        checks_.push_back(
            {json::optional_string(doc, "name", plugin_->info.name).value_or(""),
             json::optional_string(doc, "description", plugin_->info.name).value_or(""),
             guardrail});
    }
}

CheckPlugin::~CheckPlugin() = default;

void CheckPlugin::check(int32_t rc, const CallError& err) const {
    instance_->check(rc, err);
}

std::string CheckPlugin::run(const dbc_check_context& context) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> records;
    RecordSink sink(records);
    CallError err;
    check(vtable_->run_check(handle_, &context, sink.get(), err.get()), err);
    if (records.empty())
        throw Error(ErrorKind::Failed,
                    plugin_->info.name + ": check " + context.check_name + " reported nothing");
    return records.front();
}

}  // namespace dbclone
