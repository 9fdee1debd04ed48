// A runtime plugin's handle, seen from C++: it runs tenants' servers (a local
// process, a container). Each call goes through the plugin's C vtable; a dbc_rc
// other than DBC_OK comes back as a dbclone::Error.
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

namespace dbclone {

class CallError;
class PluginInstance;

struct ServerSpec {
    std::string name;    // "dbclone_<type>_tenant_<id>"
    std::string engine;  // backend name
    std::filesystem::path data_dir;
    uint32_t port = 0;  // 0: no TCP listener (golden-copy builds)
    std::string options_json;
};

class Runtime {
  public:
    Runtime(std::shared_ptr<LoadedPlugin> plugin, const std::filesystem::path& data_dir,
            const std::string& options_json);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const PluginInfo& info() const { return plugin_->info; }

    // Starts the server and returns when it accepts connections.
    void start(const ServerSpec& spec);
    void stop(const std::string& name, uint32_t timeout_ms = 10000);
    void remove(const std::string& name);
    // The server's record ({"name", "state", "pid", "port", ...}), or nullopt when
    // the runtime knows no such server or cannot inspect.
    std::optional<std::string> inspect(const std::string& name);
    // One record per server this runtime manages; nullopt when it cannot list.
    std::optional<std::vector<std::string>> list();

  private:
    void check(int32_t rc, const CallError& err) const;
    std::optional<std::vector<std::string>> collect(
        const std::function<int32_t(const dbc_sink*, dbc_error*)>& call);

    std::shared_ptr<LoadedPlugin> plugin_;
    const dbc_runtime_vtable* vtable_;
    std::unique_ptr<PluginInstance> instance_;
    void* handle_ = nullptr;
    std::mutex mutex_;
};

}  // namespace dbclone
