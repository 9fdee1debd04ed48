#include "root_export.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

namespace {

void append_documents(MongoClient& client, const std::string& db, const std::string& name,
                      bson_t* array) {
    mongoc_collection_t* collection =
        mongoc_client_get_collection(client.get(), db.c_str(), name.c_str());
    BsonDocument filter, opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}"));
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(collection, filter.get(), opts.get(), nullptr);
    const bson_t* doc = nullptr;
    uint32_t n = 0;
    while (mongoc_cursor_next(cursor, &doc)) {
        std::string key = std::to_string(n++);
        bson_append_document(array, key.c_str(), -1, doc);
    }
    bson_error_t error;
    bool failed = mongoc_cursor_error(cursor, &error);
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(collection);
    if (failed) throw_command_error("reading " + name, {error.domain, error.code, error.message});
}

}  // namespace

std::vector<std::string> export_root(const std::string& uri, const std::string& dir) {
    bson_error_t error;
    mongoc_uri_t* parsed = mongoc_uri_new_with_error(uri.c_str(), &error);
    if (parsed == nullptr)
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           std::string("not a MongoDB URI: ") + sdk::redact_quoted(error.message));
    const char* name = mongoc_uri_get_database(parsed);
    std::string db = name != nullptr ? name : "";
    mongoc_uri_destroy(parsed);
    if (db.empty())
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "the URI names no database: mongodb://host:port/DATABASE");
    MongoClient client(uri);
    BsonDocument root;
    bson_t collections, views;
    bson_append_array_begin(root.get(), "collections", -1, &collections);
    uint32_t c = 0, v = 0;
    // One listing: collections first, then the views, which name them.
    auto listed = client.cursor_command(
        db, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))), "listing " + db);
    for (const auto& info : listed) {
        std::string collection = utf8_field(info.get(), "name");
        if (collection.rfind("system.", 0) == 0 || utf8_field(info.get(), "type") == "view")
            continue;
        bson_t spec, indexes, documents;
        std::string key = std::to_string(c++);
        bson_append_document_begin(&collections, key.c_str(), -1, &spec);
        BSON_APPEND_UTF8(&spec, "name", collection.c_str());
        BSON_APPEND_DOCUMENT(&spec, "options", document_field(info.get(), "options").get());
        bson_append_array_begin(&spec, "indexes", -1, &indexes);
        uint32_t i = 0;
        for (const auto& index : client.cursor_command(
                 db, BsonDocument(BCON_NEW("listIndexes", BCON_UTF8(collection.c_str()))),
                 "listing the indexes of " + collection)) {
            if (utf8_field(index.get(), "name") == "_id_") continue;  // every collection has it
            std::string n = std::to_string(i++);
            bson_append_document(&indexes, n.c_str(), -1, without(index.get(), {"v", "ns"}).get());
        }
        bson_append_array_end(&spec, &indexes);
        bson_append_array_begin(&spec, "documents", -1, &documents);
        append_documents(client, db, collection, &documents);
        bson_append_array_end(&spec, &documents);
        bson_append_document_end(&collections, &spec);
    }
    bson_append_array_end(root.get(), &collections);
    bson_append_array_begin(root.get(), "views", -1, &views);
    for (const auto& info : listed) {
        if (utf8_field(info.get(), "type") != "view") continue;
        bson_t view;
        std::string key = std::to_string(v++);
        bson_append_document_begin(&views, key.c_str(), -1, &view);
        BSON_APPEND_UTF8(&view, "name", utf8_field(info.get(), "name").c_str());
        bson_concat(&view, document_field(info.get(), "options").get());  // viewOn, pipeline
        bson_append_document_end(&views, &view);
    }
    bson_append_array_end(root.get(), &views);
    std::string file = "mongodb.json";
    std::ofstream out(dir + "/" + file, std::ios::binary);
    out << root.canonical_json() << '\n';
    if (!out.flush()) throw sdk::Failure(DBC_ERROR, "cannot write " + dir + "/" + file);
    return {file};
}

}  // namespace dbclone::mongodb
