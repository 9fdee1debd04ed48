// A local copy of a golden database's documents: one file of concatenated BSON
// per collection, written once when the golden copy is ready. A streaming clone
// reads its documents from here instead of from the server, so the server only
// writes: on FerretDB, whose CPU is the limit, that is most of the cost of a
// copy (bench/README.md).
#pragma once

#include <filesystem>
#include <string>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

class DocumentCache {
  public:
    // The cache of `golden` as built from root `sha256`, under `root_dir`.
    DocumentCache(const std::filesystem::path& root_dir, const std::string& golden,
                  const std::string& sha256);

    bool complete() const;
    // Reads every collection of the golden database into the cache, unless it is
    // complete. The caller holds the golden copy's build lock.
    void ensure(MongoClient& admin);
    // The cached documents of `collection`; empty when it was not cached.
    std::filesystem::path file_of(const std::string& collection) const;
    // Removes the cache (its golden copy is gone). Idempotent.
    void remove() const;

  private:
    std::filesystem::path dir_;
    std::string golden_;
};

// Inserts the documents of a cache file into db.collection, in unordered
// batches; returns how many.
long long insert_from_file(MongoClient& client, const std::filesystem::path& file,
                           const std::string& db, const std::string& collection);

}  // namespace dbclone::mongodb
