// The content record (dbclone/content_record.hpp) of one MongoDB database:
// every collection's documents in _id order, and what the server's `validate`
// says of each collection where the server has that command.
#pragma once

#include <string>

namespace dbclone::mongodb {

class MongoClient;

// A document's checksum covers its BSON bytes, so field order and types count
// (a clone copies documents as they are). Views hold no documents of their own
// and are left out; their definitions are in the schema fingerprint.
std::string collection_content(MongoClient& client, const std::string& db);

}  // namespace dbclone::mongodb
