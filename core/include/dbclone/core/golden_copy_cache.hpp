// Golden copies: a root image materialized once per (version, backend,
// placement), then reused by every clone. Building is serialized across
// processes by a lock file, and the result is recorded in the registry.
#pragma once

#include <string>

#include "dbclone/core/backend.hpp"
#include "dbclone/core/engine.hpp"
#include "dbclone/core/root_catalog.hpp"

namespace dbclone {

class GoldenCopyCache {
  public:
    explicit GoldenCopyCache(Engine& engine) : engine_(engine) {}

    // The current golden copy of `root` for this backend and placement; the backend
    // rebuilds it when it is missing or was built from another sha256.
    GoldenCopy ensure(Backend& backend, const std::string& version, const RootFile& root,
                      const std::string& placement);

  private:
    Engine& engine_;
};

}  // namespace dbclone
