// Loads one plugin library and validates it, in the order ARCHITECTURE point 11
// gives: entry symbol, descriptor, ABI version, kind, unique name, required
// entries, configuration. A library that fails any step is unloaded and refused
// with one line naming the file and the reason.
#pragma once

#include <dbclone/plugin.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>

namespace boost::dll {
class shared_library;
}

namespace dbclone {

// What `dbclone plugins` shows of a plugin, copied out of its descriptor.
struct PluginInfo {
    std::string name;
    std::string version;
    std::string description;
    dbc_plugin_kind kind = 0;
    uint32_t abi_major = 0;
    uint32_t abi_minor = 0;
    uint64_t capabilities = 0;
    std::filesystem::path path;
};

// A validated plugin. Holds its library, so the code outlives every object that
// points into it; copies of vtables are zero-extended to this host's sizes.
struct LoadedPlugin {
    PluginInfo info;
    std::string config_json;  // the plugin's validated config section
    std::variant<dbc_backend_vtable, dbc_runtime_vtable, dbc_check_vtable> vtable;
    std::shared_ptr<boost::dll::shared_library> library;
};

class PluginRefused : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "backend", "runtime", "check" or "unknown(N)".
std::string kind_name(dbc_plugin_kind kind);

class PluginLoader {
  public:
    // `config_for(name)` returns the plugin's config section as JSON ("{}" if none).
    explicit PluginLoader(std::function<std::string(const std::string&)> config_for);

    // Loads `file`; throws PluginRefused("<file>: <reason>") on any failure.
    // `taken_names` are the names of plugins already loaded.
    std::shared_ptr<LoadedPlugin> load(const std::filesystem::path& file,
                                       const std::set<std::string>& taken_names) const;

  private:
    std::function<std::string(const std::string&)> config_for_;
};

}  // namespace dbclone
