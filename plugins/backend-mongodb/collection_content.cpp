#include "collection_content.hpp"

#include <dbclone/content_record.hpp>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

namespace {

// The collection's documents, counted and checksummed in _id order.
sdk::TableContent read_collection(MongoClient& client, const std::string& db,
                                  const std::string& name) {
    auto counted = client.command(
        db, BsonDocument(BCON_NEW("count", BCON_UTF8(name.c_str()), "query", "{", "}")),
        "counting " + name);
    bson_iter_t it;
    uint64_t rows = 0;
    if (bson_iter_init_find(&it, counted.get(), "n") && BSON_ITER_HOLDS_NUMBER(&it))
        rows = static_cast<uint64_t>(bson_iter_as_int64(&it));
    mongoc_collection_t* collection =
        mongoc_client_get_collection(client.get(), db.c_str(), name.c_str());
    BsonDocument filter, opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}"));
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(collection, filter.get(), opts.get(), nullptr);
    sdk::RowChecksum checksum(rows);
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor, &doc))
        checksum.add(std::string_view(reinterpret_cast<const char*>(bson_get_data(doc)), doc->len));
    bson_error_t error;
    bool failed = mongoc_cursor_error(cursor, &error);
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(collection);
    if (failed) throw_command_error("reading " + name, {error.domain, error.code, error.message});
    return {name, rows, checksum.hex(), checksum.sampled()};
}

}  // namespace

std::string collection_content(MongoClient& client, const std::string& db) {
    sdk::ContentRecord record;
    record.table_noun = "collection";
    record.row_noun = "document";
    auto collections = client.cursor_command(
        db, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))), "listing " + db);
    bool validated = true;
    for (const auto& c : collections) {
        std::string name = utf8_field(c.get(), "name");
        if (name.rfind("system.", 0) == 0 || utf8_field(c.get(), "type") == "view") continue;
        record.tables.push_back(read_collection(client, db, name));
        BsonDocument reply;
        if (auto error = client.try_command(
                db, BsonDocument(BCON_NEW("validate", BCON_UTF8(name.c_str()))), &reply)) {
            if (!is_unsupported(*error))
                record.problems.push_back("collection " + name + ": " + error->message);
            validated = false;
            continue;
        }
        bson_iter_t it;
        if (bson_iter_init_find(&it, reply.get(), "valid") && BSON_ITER_HOLDS_BOOL(&it) &&
            !bson_iter_bool(&it))
            record.problems.push_back("collection " + name + ": validate says it is not valid");
    }
    if (validated) record.checked_by = "validate";
    return record.json();
}

}  // namespace dbclone::mongodb
