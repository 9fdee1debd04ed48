#include "dbclone/core/golden_copy_cache.hpp"

#include <spdlog/spdlog.h>

#include "dbclone/core/file_lock.hpp"
#include "dbclone/core/json.hpp"

#include <unistd.h>

namespace dbclone {

namespace {
// What a golden data directory holds; bumped when that changes. 2: who may log
// in (PostgreSQL peer through a map, no mysql@localhost; docs/placements.md).
constexpr int golden_data_layout = 2;
}  // namespace

GoldenCopy GoldenCopyCache::ensure(Backend& backend, const std::string& version,
                                   const RootFile& root, const std::string& placement) {
    if (is_dedicated(placement)) return ensure_data_directory(backend, version, root, placement);
    const std::string& name = backend.info().name;
    // Names are validated (plugin name, version pattern, fixed placements), so they
    // are safe in a file name.
    FileLock lock(engine_.lock_dir() /
                  ("golden-" + name + "-" + version + "-" + placement + ".lock"));
    GoldenCopy golden = backend.ensure_golden(version, root.path.string(), root.sha256, placement);
    auto& registry = engine_.registry();
    auto known = registry.find_golden(name, version, placement);
    if (!known || known->sha256 != root.sha256 || known->location != golden.location ||
        known->fingerprint != golden.fingerprint) {
        registry.transaction([&] {
            registry.upsert_golden(
                {name, version, placement, root.sha256, golden.location, golden.fingerprint, ""});
            registry.add_event("", "golden_copy_ready",
                               name + " " + version + " " + placement + " sha256 " + root.sha256);
        });
        spdlog::info("golden copy of {} {} ({}) is {}", name, version, placement, golden.location);
    }
    return golden;
}

GoldenCopy GoldenCopyCache::ensure_data_directory(Backend& backend, const std::string& version,
                                                  const RootFile& root,
                                                  const std::string& placement) {
    const std::string& name = backend.info().name;
    // One data directory serves every dedicated placement: containers mount a
    // clone of it just as processes use one.
    const std::string kind = "data_directory";
    FileLock lock(engine_.lock_dir() / ("golden-" + name + "-" + version + "-" + kind + ".lock"));
    auto& registry = engine_.registry();
    const DirectoryCloner& storage = engine_.storage();
    // The name carries the layout too: a directory built by an older dbclone
    // (whose servers let the OS user postgres in by trust, say) is not reused.
    std::filesystem::path dir = engine_.config().data_dir / "golden" /
                                (name + "-" + version + "-" + root.sha256.substr(0, 16) + "-l" +
                                 std::to_string(golden_data_layout));
    auto known = registry.find_golden(name, version, kind);
    if (known && known->sha256 == root.sha256 && known->location == dir.string() &&
        std::filesystem::exists(dir))
        return GoldenCopy{dir.string(), known->fingerprint};

    std::filesystem::path build = dir.string() + ".build";
    std::filesystem::create_directories(dir.parent_path());
    storage.remove(build);
    storage.create_golden(build);
    Runtime& runtime = engine_.runtime("process");
    std::string server = "dbclone_golden_" + name + "_" + std::to_string(::getpid());
    std::filesystem::path run_dir = engine_.run_dir(server);
    GoldenCopy golden;
    try {
        runtime.start({server, name, build, 0, run_options(run_dir, true)});
        try {
            golden =
                backend.ensure_golden(version, root.path.string(), root.sha256, placement,
                                      R"({"socket_dir":)" + json_quoted(run_dir.string()) + "}");
        } catch (...) {
            runtime.remove(server);
            throw;
        }
        runtime.stop(server);  // a clean shutdown: the copy needs no recovery
        runtime.remove(server);
    } catch (...) {
        storage.remove(build);
        std::filesystem::remove_all(run_dir);
        throw;
    }
    std::filesystem::remove_all(run_dir);
    storage.remove(dir);
    std::filesystem::rename(build, dir);
    registry.transaction([&] {
        registry.upsert_golden(
            {name, version, kind, root.sha256, dir.string(), golden.fingerprint, ""});
        registry.add_event("", "golden_copy_ready",
                           name + " " + version + " data directory " + dir.string());
    });
    spdlog::info("golden data directory of {} {} is {} ({})", name, version, dir.string(),
                 storage_strategy_name(storage.strategy()));
    return GoldenCopy{dir.string(), golden.fingerprint};
}

std::string json_quoted(const std::string& s) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    return buffer.GetString();
}

bool is_dedicated(const std::string& placement) {
    return placement == "process" || placement == "docker";
}

std::string run_options(const std::filesystem::path& run_dir, bool initialize,
                        const std::string& tenant, const std::string& root_version) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    w.StartObject();
    w.Key("run_dir");
    w.String(run_dir.c_str());
    if (initialize) {
        w.Key("initialize");
        w.Bool(true);
    }
    if (!tenant.empty()) {
        w.Key("tenant");
        w.String(tenant.c_str());
        w.Key("root_version");
        w.String(root_version.c_str());
    }
    w.EndObject();
    return buffer.GetString();
}

}  // namespace dbclone
