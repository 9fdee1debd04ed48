// Finds plugin libraries in the plugin directories, loads every one it can, and
// remembers why it refused the others. One bad library never stops the rest.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dbclone/core/plugin_loader.hpp"

namespace dbclone {

class PluginHost {
  public:
    // Loads every *.so in `directories`, in order; a directory that does not exist is
    // skipped. The first plugin of a name wins; later ones are refused as duplicates.
    PluginHost(const std::vector<std::filesystem::path>& directories, const PluginLoader& loader);

    const std::vector<std::shared_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
    // One line per refused library: "<file>: <reason>".
    const std::vector<std::string>& refusals() const { return refusals_; }
    const std::vector<std::filesystem::path>& directories() const { return directories_; }

    // The plugin of that kind and name, or nullptr.
    std::shared_ptr<LoadedPlugin> find(dbc_plugin_kind kind, const std::string& name) const;
    // Names of the loaded plugins of one kind, sorted.
    std::vector<std::string> names(dbc_plugin_kind kind) const;

  private:
    std::vector<std::filesystem::path> directories_;
    std::vector<std::shared_ptr<LoadedPlugin>> plugins_;
    std::vector<std::string> refusals_;
};

}  // namespace dbclone
