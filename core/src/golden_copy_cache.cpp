#include "dbclone/core/golden_copy_cache.hpp"

#include <spdlog/spdlog.h>
#include <dbclone/content_record.hpp>

#include "dbclone/core/error.hpp"
#include "dbclone/core/file_lock.hpp"
#include "dbclone/core/json.hpp"

#include <unistd.h>

namespace dbclone {

namespace {
// The apparent size of the files below `dir` (a reflinked copy counts whole).
uint64_t directory_bytes(const std::filesystem::path& dir) {
    uint64_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    return total;
}

// What a golden data directory holds; bumped when that changes. 2: who may log
// in (PostgreSQL peer through a map, no mysql@localhost; docs/placements.md).
constexpr int golden_data_layout = 2;
}  // namespace

GoldenCopy GoldenCopyCache::ensure(Backend& backend, const std::string& version,
                                   const RootFile& root, const std::string& placement) {
    if (is_dedicated(placement)) return ensure_data_directory(backend, version, root, placement);
    const std::string& name = backend.info().name;
    FileLock lock(lock_file(name, version, placement));
    GoldenCopy golden = backend.ensure_golden(version, root, placement);
    auto& registry = engine_.registry();
    auto known = registry.find_golden(name, version, placement);
    if (!known || known->sha256 != root.sha256 || known->location != golden.location ||
        known->fingerprint != golden.fingerprint || known->content != golden.content ||
        known->bytes != golden.bytes) {
        registry.transaction([&] {
            registry.upsert_golden({name, version, placement, root.sha256, golden.location,
                                    golden.fingerprint, "", golden.content, golden.bytes});
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
    FileLock lock(lock_file(name, version, kind));
    auto& registry = engine_.registry();
    const DirectoryCloner& storage = engine_.storage();
    // The name carries the layout too: a directory built by an older dbclone
    // (whose servers let the OS user postgres in by trust, say) is not reused.
    std::filesystem::path dir = engine_.config().data_dir / "golden" /
                                (name + "-" + version + "-" + root.sha256.substr(0, 16) + "-l" +
                                 std::to_string(golden_data_layout));
    auto known = registry.find_golden(name, version, kind);
    // A directory whose content record is missing or of an older format is
    // rebuilt, as the backends rebuild their own golden copies.
    if (known && known->sha256 == root.sha256 && known->location == dir.string() &&
        std::filesystem::exists(dir) &&
        (!backend.records_content() || sdk::ContentRecord::is_current(known->content)))
        return GoldenCopy{dir.string(), known->fingerprint, known->content, known->bytes};

    // The builder's pid in the name: reconcile removes it once that is gone.
    std::filesystem::path build = dir.string() + ".build-" + std::to_string(::getpid());
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
                backend.ensure_golden(version, root, placement,
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
    golden.bytes = directory_bytes(dir);
    registry.transaction([&] {
        registry.upsert_golden({name, version, kind, root.sha256, dir.string(), golden.fingerprint,
                                "", golden.content, golden.bytes});
        registry.add_event("", "golden_copy_ready",
                           name + " " + version + " data directory " + dir.string());
    });
    spdlog::info("golden data directory of {} {} is {} ({})", name, version, dir.string(),
                 storage_strategy_name(storage.strategy()));
    return GoldenCopy{dir.string(), golden.fingerprint, golden.content, golden.bytes};
}

std::filesystem::path GoldenCopyCache::lock_file(const std::string& backend,
                                                 const std::string& version,
                                                 const std::string& kind) const {
    // Names are validated (plugin name, version pattern, fixed placements), so
    // they are safe in a file name.
    return engine_.lock_dir() / ("golden-" + backend + "-" + version + "-" + kind + ".lock");
}

bool GoldenCopyCache::in_use(const GoldenRecord& g) {
    for (const auto& c : engine_.registry().clones())
        if (c.db_type == g.backend && c.root_version == g.root_version &&
            (g.placement == "data_directory" ? is_dedicated(c.placement)
                                             : c.placement == g.placement))
            return true;
    return false;
}

void GoldenCopyCache::remove(const GoldenRecord& g) {
    if (g.placement == "data_directory") {
        // Only ever a directory of our golden copies, whatever the row says.
        auto dir = std::filesystem::path(g.location).lexically_normal();
        if (dir.parent_path() != (engine_.config().data_dir / "golden").lexically_normal())
            throw Error(ErrorKind::Failed, "refusing to remove " + g.location +
                                               ": not a golden data directory of this state");
        engine_.storage().remove(dir);
    } else {
        engine_.backend(g.backend).drop_golden(g.location);
    }
    auto& registry = engine_.registry();
    registry.transaction([&] {
        registry.delete_golden(g.backend, g.root_version, g.placement);
        registry.add_event("", "golden_copy_removed",
                           g.backend + " " + g.root_version + " " + g.placement + " " + g.location);
    });
    spdlog::info("removed the golden copy of {} {} ({}): {}", g.backend, g.root_version,
                 g.placement, g.location);
}

std::vector<GoldenRecord> GoldenCopyCache::collect_garbage(bool dry_run) {
    std::vector<GoldenRecord> out;
    for (const auto& g : engine_.registry().goldens()) {
        FileLock lock(lock_file(g.backend, g.root_version, g.placement));
        if (in_use(g)) continue;
        if (!dry_run) remove(g);
        out.push_back(g);
    }
    return out;
}

std::vector<GoldenRecord> GoldenCopyCache::remove_version(const std::string& version) {
    std::vector<GoldenRecord> out;
    for (const auto& g : engine_.registry().goldens()) {
        if (g.root_version != version) continue;
        FileLock lock(lock_file(g.backend, g.root_version, g.placement));
        remove(g);
        out.push_back(g);
    }
    return out;
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
                        const std::string& tenant, const std::string& root_version,
                        const std::string& limits_json) {
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
    if (!limits_json.empty()) {
        w.Key("limits_json");
        w.String(limits_json.c_str());
    }
    w.EndObject();
    return buffer.GetString();
}

}  // namespace dbclone
