// Golden copies: a root image materialized once per (version, backend,
// placement), then reused by every clone. Building is serialized across
// processes by a lock file, and the result is recorded in the registry.
#pragma once

#include <string>
#include <vector>

#include "dbclone/core/backend.hpp"
#include "dbclone/core/engine.hpp"
#include "dbclone/core/root_catalog.hpp"

namespace dbclone {

// True for placements that give a tenant a server of its own.
bool is_dedicated(const std::string& placement);

// The options a runtime gets: {"run_dir": ..., "initialize": true when a new
// data directory must be made, "tenant": ..., "root_version": ... (labels),
// "limits_json": the tenant's limits as text, for its server's own settings}.
std::string run_options(const std::filesystem::path& run_dir, bool initialize,
                        const std::string& tenant = "", const std::string& root_version = "",
                        const std::string& limits_json = "");

// `s` as a JSON string literal.
std::string json_quoted(const std::string& s);

class GoldenCopyCache {
  public:
    explicit GoldenCopyCache(Engine& engine) : engine_(engine) {}

    // The current golden copy of `root` for this backend and placement; the backend
    // rebuilds it when it is missing or was built from another sha256. For
    // dedicated placements the golden copy is a stopped server's data directory
    // (its location), built by running a server on it with the process runtime.
    GoldenCopy ensure(Backend& backend, const std::string& version, const RootFile& root,
                      const std::string& placement);

    // Golden copies that no tenant of their backend and version uses (a row in
    // any state, so a create under way keeps its golden copy). Removed, with
    // their registry rows, unless `dry_run`; each under the lock its builds take.
    std::vector<GoldenRecord> collect_garbage(bool dry_run);
    // Every golden copy of `version`, used or not (`roots remove --force`).
    std::vector<GoldenRecord> remove_version(const std::string& version);

  private:
    bool in_use(const GoldenRecord& golden);
    void remove(const GoldenRecord& golden);
    std::filesystem::path lock_file(const std::string& backend, const std::string& version,
                                    const std::string& kind) const;
    GoldenCopy ensure_data_directory(Backend& backend, const std::string& version,
                                     const RootFile& root, const std::string& placement);

    Engine& engine_;
};

}  // namespace dbclone
