// A MongoDB root's files as the plugin loads them: dbclone's own format (one
// JSON document {"collections": [...], "views": [...]}), mongoexport's output
// for one collection (one Extended JSON document per line, or with
// --jsonArray one array of them), named after the file ("orders.json" holds
// collection orders), or mongodump's (mongodump_reader.hpp). Each comes back
// in dbclone's format.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bson_document.hpp"

namespace dbclone::mongodb {

// Every file of a root, in order, each as (the file, its content in dbclone's
// format); mongodump's files are read together, as one, at the place of the
// first of them (a collection's .bson and .metadata.json belong together).
// Throws sdk::Failure(DBC_INVALID_ARGUMENT) naming the file (and the line, for
// mongoexport output), never its values.
std::vector<std::pair<std::string, BsonDocument>> read_root_files(
    const std::vector<std::string>& paths);

}  // namespace dbclone::mongodb
