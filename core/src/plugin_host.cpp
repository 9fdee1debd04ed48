#include "dbclone/core/plugin_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

namespace dbclone {

namespace {

// Plugin files of one directory, sorted so the load order is reproducible.
std::vector<std::filesystem::path> libraries_in(const std::filesystem::path& directory) {
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec))
        if (entry.path().extension() == ".so" && !entry.is_directory())
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

PluginHost::PluginHost(const std::vector<std::filesystem::path>& directories,
                       const PluginLoader& loader) {
    std::set<std::filesystem::path> seen_directories;
    std::set<std::string> names;
    for (const auto& directory : directories) {
        std::error_code ec;
        auto canonical = std::filesystem::canonical(directory, ec);
        if (ec || !seen_directories.insert(canonical).second) continue;
        directories_.push_back(canonical);
        for (const auto& file : libraries_in(canonical)) {
            try {
                auto plugin = loader.load(file, names);
                names.insert(plugin->info.name);
                spdlog::debug("loaded plugin {} {} from {}", plugin->info.name,
                              plugin->info.version, file.string());
                plugins_.push_back(std::move(plugin));
            } catch (const PluginRefused& e) {
                spdlog::warn("plugin refused: {}", e.what());
                refusals_.emplace_back(e.what());
            }
        }
    }
}

std::shared_ptr<LoadedPlugin> PluginHost::find(dbc_plugin_kind kind,
                                               const std::string& name) const {
    for (const auto& p : plugins_)
        if (p->info.kind == kind && p->info.name == name) return p;
    return nullptr;
}

std::vector<std::string> PluginHost::names(dbc_plugin_kind kind) const {
    std::vector<std::string> out;
    for (const auto& p : plugins_)
        if (p->info.kind == kind) out.push_back(p->info.name);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace dbclone
