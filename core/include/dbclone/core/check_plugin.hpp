// A check plugin's handle, seen from C++: the checks it offers and running one.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dbclone/core/plugin_loader.hpp"

namespace dbclone {

class CallError;
class PluginInstance;

struct CheckInfo {
    std::string name;
    std::string description;
    bool guardrail = false;  // about limits: counts in "guarded", not in "isolated"
};

class CheckPlugin {
  public:
    CheckPlugin(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
                const std::string& options_json);
    ~CheckPlugin();
    CheckPlugin(const CheckPlugin&) = delete;
    CheckPlugin& operator=(const CheckPlugin&) = delete;

    const PluginInfo& info() const { return plugin_->info; }
    const std::vector<CheckInfo>& checks() const { return checks_; }
    // Runs one check; returns its result record ({"outcome", "details", ...}).
    std::string run(const dbc_check_context& context);

  private:
    void check(int32_t rc, const CallError& err) const;

    std::shared_ptr<LoadedPlugin> plugin_;
    const dbc_check_vtable* vtable_;
    std::unique_ptr<PluginInstance> instance_;
    void* handle_ = nullptr;
    std::vector<CheckInfo> checks_;
    std::mutex mutex_;
};

}  // namespace dbclone
