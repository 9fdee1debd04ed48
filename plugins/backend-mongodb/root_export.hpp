// `dbclone roots import` for MongoDB: a live database written in dbclone's
// own root format (mongodb.json): every collection with its options,
// indexes and documents in _id order, and every view, in canonical Extended
// JSON so that every BSON type comes back as it was.
#pragma once

#include <string>
#include <vector>

namespace dbclone::mongodb {

// Reads the database `uri` names into `dir`/mongodb.json; returns the files
// written.
std::vector<std::string> export_root(const std::string& uri, const std::string& dir);

}  // namespace dbclone::mongodb
