#include "server_features.hpp"

#include "mongo_client.hpp"

namespace dbclone::mongodb {

namespace {

std::string string_field(const BsonDocument& doc, const char* dotted) {
    bson_iter_t it, found;
    if (bson_iter_init(&it, doc.get()) && bson_iter_find_descendant(&it, dotted, &found) &&
        BSON_ITER_HOLDS_UTF8(&found))
        return bson_iter_utf8(&found, nullptr);
    return "";
}

}  // namespace

ServerFeatures detect_features(MongoClient& admin, const std::string& uri) {
    ServerFeatures f;
    BsonDocument info =
        admin.command("admin", BsonDocument(BCON_NEW("buildInfo", BCON_INT32(1))), "buildInfo");
    std::string ferret = string_field(info, "ferretdbVersion");
    if (ferret.empty())
        f.server = "MongoDB " + string_field(info, "version");
    else
        f.server = ferret == "unknown" ? "FerretDB"
                                       : "FerretDB " + ferret;  // embedded builds say "unknown"
    // The definitive test of authorization: does the server serve a client that
    // has not logged in at all?
    MongoClient anonymous(uri, Credentials{});
    auto refused = anonymous.try_command(
        "admin",
        BsonDocument(BCON_NEW("listDatabases", BCON_INT32(1), "nameOnly", BCON_BOOL(true))));
    f.authorization_enforced = refused && is_denied(*refused);
    return f;
}

}  // namespace dbclone::mongodb
