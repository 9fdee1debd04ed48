// One live handle of a plugin (whatever its kind): made from the plugin's
// config and a private data directory, destroyed with this object. Backend,
// Runtime and CheckPlugin each own one and add their kind's calls.
#pragma once

#include <dbclone/plugin.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbclone/core/plugin_loader.hpp"
#include "host_api.hpp"

namespace dbclone {

class PluginInstance {
  public:
    using CreateFn = dbc_rc (*)(const dbc_host_api*, const dbc_plugin_init*, void**, dbc_error*);
    using DestroyFn = void (*)(void*);

    // Creates `data_dir` (0700) and the plugin's handle; throws Error with the
    // plugin's message when `create` fails.
    PluginInstance(const LoadedPlugin& plugin, CreateFn create, DestroyFn destroy,
                   const std::filesystem::path& data_dir, const std::string& options_json);
    ~PluginInstance();
    PluginInstance(const PluginInstance&) = delete;
    PluginInstance& operator=(const PluginInstance&) = delete;

    void* handle() const { return handle_; }
    // Throws the plugin's error, prefixed with its name, unless rc is DBC_OK.
    void check(dbc_rc rc, const CallError& err) const;
    // Runs `call` with a sink that collects records; nullopt when the plugin
    // answers DBC_NOT_SUPPORTED (or DBC_NOT_FOUND, when `absent_is_empty`).
    std::optional<std::vector<std::string>> collect(
        const std::function<dbc_rc(const dbc_sink*, dbc_error*)>& call,
        bool absent_is_empty = false) const;

  private:
    std::string log_prefix_;
    dbc_host_api host_api_{};
    DestroyFn destroy_;
    void* handle_ = nullptr;
};

}  // namespace dbclone
