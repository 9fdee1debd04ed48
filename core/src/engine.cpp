#include "dbclone/core/engine.hpp"

#include <sys/stat.h>

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sha256.hpp>

#include "dbclone/core/error.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

// Runs before the registry is opened, so its file lands in a private directory.
const std::filesystem::path& private_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw Error(ErrorKind::Failed,
                    "cannot create state directory " + dir.string() + ": " + ec.message());
    // Others may traverse (servers of dedicated placements run as their own users
    // and must reach their data directories below it) but never list it.
    ::chmod(dir.c_str(), 0711);
    std::filesystem::create_directories(dir / "locks");
    ::chmod((dir / "locks").c_str(), 0700);
    return dir;
}

}  // namespace

namespace {
// A Config made in code may leave data_dir empty: the default is below the state.
Config with_defaults(Config c) {
    if (c.data_dir.empty()) c.data_dir = c.state_dir / "data";
    return c;
}
}  // namespace

Engine::Engine(Config config)
    : config_(with_defaults(std::move(config))),
      registry_(private_directory(config_.state_dir) / "dbclone.db",
                config_.init_registry ? Registry::Open::create : Registry::Open::create_if_fresh),
      plugins_(config_.plugin_dirs, PluginLoader([this](const std::string& name) {
                   return config_.settings_for(name);
               })),
      roots_(config_.roots_dir),
      ports_(registry_, PortConfig::load(config_.port_config)) {}

Backend& Engine::backend(const std::string& db_type) {
    std::lock_guard lock(backends_mutex_);
    auto it = backends_.find(db_type);
    if (it != backends_.end()) return *it->second;
    auto plugin = plugins_.find(DBC_KIND_BACKEND, db_type);
    if (plugin == nullptr) {
        auto known = backend_types();
        throw Error(ErrorKind::NotFound,
                    "unknown database type " + in_quotes(db_type) +
                        "; available: " + (known.empty() ? "none" : join(known)));
    }
    std::string options = plugin_options();
    auto created = std::make_unique<Backend>(
        plugin, config_.state_dir / "plugins" / plugin->info.name, options);
    return *backends_.emplace(db_type, std::move(created)).first->second;
}

// What every plugin is told of this installation (dbc_plugin_init.options_json).
std::string Engine::plugin_options() {
    return "{\"installation_id\":" + sdk::json_quote(registry_.installation_id()) +
           ",\"registry\":" + sdk::json_quote(registry_.file().string()) + "}";
}

std::filesystem::path Engine::run_dir(const std::string& server) const {
    return config_.state_dir / "run" / sdk::Sha256::of(server).substr(0, 12);
}

Runtime& Engine::runtime(const std::string& name) {
    std::lock_guard lock(backends_mutex_);
    auto it = runtimes_.find(name);
    if (it != runtimes_.end()) return *it->second;
    auto plugin = plugins_.find(DBC_KIND_RUNTIME, name);
    if (plugin == nullptr) {
        auto known = runtime_names();
        throw Error(ErrorKind::NotFound, "no runtime plugin " + in_quotes(name) +
                                             "; loaded: " + (known.empty() ? "none" : join(known)));
    }
    std::string options = plugin_options();
    auto created = std::make_unique<Runtime>(plugin, config_.state_dir / "plugins" / name, options);
    return *runtimes_.emplace(name, std::move(created)).first->second;
}

const std::vector<std::unique_ptr<CheckPlugin>>& Engine::check_plugins() {
    std::lock_guard lock(backends_mutex_);
    if (!checks_) {
        checks_.emplace();
        std::string options = plugin_options();
        for (const auto& plugin : plugins_.plugins())
            if (plugin->info.kind == DBC_KIND_CHECK)
                checks_->push_back(std::make_unique<CheckPlugin>(
                    plugin, config_.state_dir / "plugins" / plugin->info.name, options));
    }
    return *checks_;
}

const DirectoryCloner& Engine::storage() {
    std::lock_guard lock(backends_mutex_);
    if (!storage_) {
        std::filesystem::create_directories(config_.data_dir);
        ::chmod(config_.data_dir.c_str(), 0711);
        storage_ = std::make_unique<DirectoryCloner>(
            config_.data_dir, parse_storage_strategy(config_.storage_strategy));
    }
    return *storage_;
}

}  // namespace dbclone
