// The engine: everything one dbclone process needs, built from a Config. The CLI
// and the API server each make one; the registry keeps two engines (two
// processes) consistent with each other.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dbclone/core/backend.hpp"
#include "dbclone/core/check_plugin.hpp"
#include "dbclone/core/config.hpp"
#include "dbclone/core/directory_cloner.hpp"
#include "dbclone/core/plugin_host.hpp"
#include "dbclone/core/port_allocator.hpp"
#include "dbclone/core/registry.hpp"
#include "dbclone/core/root_catalog.hpp"
#include "dbclone/core/runtime.hpp"

namespace dbclone {

class Engine {
  public:
    // Creates the state directory (0700) and opens the registry; loads plugins.
    explicit Engine(Config config);

    const Config& config() const { return config_; }
    Registry& registry() { return registry_; }
    const PluginHost& plugins() const { return plugins_; }
    const RootCatalog& roots() const { return roots_; }
    PortAllocator& ports() { return ports_; }

    // The backend for a database type, created on first use. Throws
    // Error(NotFound) listing the types whose plugins are loaded.
    Backend& backend(const std::string& db_type);
    std::vector<std::string> backend_types() const { return plugins_.names(DBC_KIND_BACKEND); }

    // The runtime plugin of that name ("process", "docker"), created on first
    // use. Throws Error(NotFound) listing the runtimes that are loaded.
    Runtime& runtime(const std::string& name);
    std::vector<std::string> runtime_names() const { return plugins_.names(DBC_KIND_RUNTIME); }

    // Every loaded check plugin, created on first use, in load order.
    const std::vector<std::unique_ptr<CheckPlugin>>& check_plugins();

    // Clones data directories under config().data_dir, with the configured or
    // detected strategy; made on first use.
    const DirectoryCloner& storage();

    // A server's directory for its socket and log: <state>/run/<12 hex digits of
    // the server name's sha256>. Short on purpose: a Unix socket's path may not
    // exceed 107 bytes.
    std::filesystem::path run_dir(const std::string& server) const;

    // Where core keeps its lock files.
    std::filesystem::path lock_dir() const { return config_.state_dir / "locks"; }

  private:
    std::string plugin_options();
    Config config_;
    Registry registry_;
    PluginHost plugins_;
    RootCatalog roots_;
    PortAllocator ports_;
    std::mutex backends_mutex_;
    std::map<std::string, std::unique_ptr<Backend>> backends_;
    std::map<std::string, std::unique_ptr<Runtime>> runtimes_;
    std::unique_ptr<DirectoryCloner> storage_;
    std::optional<std::vector<std::unique_ptr<CheckPlugin>>> checks_;
};

}  // namespace dbclone
