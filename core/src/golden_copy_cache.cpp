#include "dbclone/core/golden_copy_cache.hpp"

#include <spdlog/spdlog.h>

#include "dbclone/core/file_lock.hpp"

namespace dbclone {

GoldenCopy GoldenCopyCache::ensure(Backend& backend, const std::string& version,
                                   const RootFile& root, const std::string& placement) {
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

}  // namespace dbclone
