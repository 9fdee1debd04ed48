// What the MongoDB-compatible server at hand can do, found out by trying at run
// time, never assumed: MongoDB 6/7 can do all of it; FerretDB 1.x on SQLite
// has no authorization, no validators, no views and no $out to another database.
#pragma once

#include <optional>
#include <string>

namespace dbclone::mongodb {

class MongoClient;

struct ServerFeatures {
    // An anonymous client is refused listDatabases: logins and roles mean something.
    bool authorization_enforced = false;
    // A short description of the server, for messages ("MongoDB 7.0.2", "FerretDB 1.24.2").
    std::string server;
};

ServerFeatures detect_features(MongoClient& admin, const std::string& uri);

}  // namespace dbclone::mongodb
