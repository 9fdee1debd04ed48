// The golden copy on a MongoDB-compatible server: database
// dbclone_root_<version>, loaded once from the root's mongodb.json (collections
// with their options, documents in Extended JSON, index specs, views). What was
// built from which sha256 is recorded in dbclone_meta.golden_copies.
#pragma once

#include <dbclone/plugin_helpers.hpp>

#include <optional>
#include <string>
#include <vector>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

inline constexpr const char* meta_database = "dbclone_meta";

struct GoldenDatabase {
    std::string name;
    std::string sha256;
    std::string fingerprint;
    std::string content;  // its content record (collection_content); "" if built before 1.1
};

// The completed golden database recorded under `name`, or nullopt.
std::optional<GoldenDatabase> find_golden(MongoClient& admin, const std::string& name);

// What a build could not carry over because the server lacks it (validators,
// views), one line each, for the host's log.
struct BuildNotes {
    std::vector<std::string> skipped;
};

// (Re)builds the database from the root's files, in order, and records it. The caller holds
// the build lock.
GoldenDatabase build_golden(MongoClient& admin, const std::string& name,
                            const std::vector<sdk::RootPart>& parts, const std::string& sha256,
                            BuildNotes& notes);

// Creates collection `name` in `db` with `options` (a document, may be empty);
// where the server rejects the options as unsupported, creates it without them
// and says so in `notes`.
void create_collection(MongoClient& client, const std::string& db, const std::string& name,
                       const bson_t* options, BuildNotes& notes);

}  // namespace dbclone::mongodb
