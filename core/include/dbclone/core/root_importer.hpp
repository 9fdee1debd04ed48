// `dbclone roots import`: a root image made from a user's live database by
// its backend's own export (pg_dump, mariadb-dump, a copy of a SQLite file, a
// MongoDB read), with the manifest and its sha256s written for the user.
#pragma once

#include <string>

#include "dbclone/core/engine.hpp"
#include "dbclone/core/root_catalog.hpp"

namespace dbclone {

class RootImporter {
  public:
    explicit RootImporter(Engine& engine) : engine_(engine) {}

    // Adds `backend`'s files exported from `source` to root `version`: a new
    // version, or one that has no file for that backend yet. Everything is
    // written under a temporary name first; a failure leaves the roots
    // directory as it was. Returns what the manifest now says for `backend`.
    RootFile import(const std::string& version, const std::string& backend,
                    const std::string& source, const std::string& description);

  private:
    Engine& engine_;
};

// `url` with its password replaced by "***", for descriptions and messages.
std::string without_password(const std::string& url);

}  // namespace dbclone
