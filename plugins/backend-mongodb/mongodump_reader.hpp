// mongodump's output read as a MongoDB root, without mongorestore: the files
// of one database's folder (`<collection>.bson`, the documents one after
// another, and `<collection>.metadata.json`, the options, indexes and type in
// canonical Extended JSON), or one `mongodump --archive` file holding all of
// them (a magic number, a header, the metadata documents, then segments of
// each collection's documents, every part ended by 0xffffffff).
#pragma once

#include <string>
#include <vector>

#include "bson_document.hpp"

namespace dbclone::mongodb {

struct DumpedCollection {
    std::string name;
    bool is_view = false;
    BsonDocument options;               // create's options; a view's viewOn and pipeline
    std::vector<BsonDocument> indexes;  // index specs, without the _id index
    std::vector<BsonDocument> documents;
};

// Whether `path` is mongodump's: a .bson or .metadata.json file, an archive,
// or compressed (which read_mongodump refuses with advice).
bool is_mongodump_file(const std::string& path);

// The collections and views of `paths` (all mongodump's), in the order they
// first appear; a .bson file and the .metadata.json of the same name are one
// collection. Throws sdk::Failure(DBC_INVALID_ARGUMENT) naming the file: for
// a damaged file, an archive of several databases, or compressed output.
std::vector<DumpedCollection> read_mongodump(const std::vector<std::string>& paths);

}  // namespace dbclone::mongodb
