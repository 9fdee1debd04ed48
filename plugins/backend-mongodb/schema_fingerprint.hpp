// The schema fingerprint of a MongoDB database: sha256 over its collections and
// views (name, type, options such as validators and view pipelines) and each
// collection's index specs, in canonical Extended JSON, sorted by name, with the
// fields that differ between copies (uuid, ns, v) left out.
#pragma once

#include <string>

namespace dbclone::mongodb {

class MongoClient;

std::string schema_fingerprint(MongoClient& client, const std::string& db);

}  // namespace dbclone::mongodb
