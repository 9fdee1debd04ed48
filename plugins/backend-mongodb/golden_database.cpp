#include "golden_database.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <sstream>

#include "collection_content.hpp"
#include "root_file.hpp"
#include "schema_fingerprint.hpp"

namespace dbclone::mongodb {

namespace {

constexpr size_t insert_batch_size = 1000;

// Calls `each(subdocument)` for every document in the array at `key` of `parent`.
template <class Each>
void for_each_in_array(const bson_t* parent, const char* key, Each&& each) {
    bson_iter_t it, child;
    if (!bson_iter_init_find(&it, parent, key) || !BSON_ITER_HOLDS_ARRAY(&it)) return;
    if (!bson_iter_recurse(&it, &child)) return;
    while (bson_iter_next(&child)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&child)) continue;
        uint32_t length = 0;
        const uint8_t* data = nullptr;
        bson_iter_document(&child, &length, &data);
        bson_t sub;
        if (bson_init_static(&sub, data, length)) each(&sub);
    }
}

// Appends the array at `key` of `from`, if it has one that is not empty, to
// `to` under the same key; true when it did.
bool copy_array_field(const bson_t* from, const char* key, bson_t* to) {
    bson_iter_t it;
    if (!bson_iter_init_find(&it, from, key) || !BSON_ITER_HOLDS_ARRAY(&it)) return false;
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    bson_iter_array(&it, &length, &data);
    bson_t array;
    bson_init_static(&array, data, length);
    if (bson_empty(&array)) return false;  // "indexes": [] asks for nothing
    bson_append_array(to, key, -1, &array);
    return true;
}

void insert_documents(MongoClient& admin, const std::string& db, const std::string& collection,
                      const bson_t* spec) {
    mongoc_collection_t* target =
        mongoc_client_get_collection(admin.get(), db.c_str(), collection.c_str());
    std::vector<BsonDocument> batch;
    try {
        for_each_in_array(spec, "documents", [&](const bson_t* doc) {
            batch.push_back(BsonDocument::copy_of(doc));
            if (batch.size() < insert_batch_size) return;
            insert_batch(target, batch, "loading " + collection);
            batch.clear();
        });
        insert_batch(target, batch, "loading " + collection);
    } catch (...) {
        mongoc_collection_destroy(target);
        throw;
    }
    mongoc_collection_destroy(target);
}

}  // namespace

std::optional<GoldenDatabase> find_golden(MongoClient& admin, const std::string& name) {
    auto found =
        admin.cursor_command(meta_database,
                             BsonDocument(BCON_NEW("find", BCON_UTF8("golden_copies"), "filter",
                                                   "{", "_id", BCON_UTF8(name.c_str()), "}")),
                             "reading dbclone_meta");
    if (found.empty()) return std::nullopt;
    return GoldenDatabase{name, utf8_field(found[0].get(), "sha256"),
                          utf8_field(found[0].get(), "fingerprint"),
                          utf8_field(found[0].get(), "content")};
}

void create_collection(MongoClient& client, const std::string& db, const std::string& name,
                       const bson_t* options, BuildNotes& notes) {
    BsonDocument command(BCON_NEW("create", BCON_UTF8(name.c_str())));
    if (options != nullptr) bson_concat(command.get(), options);
    auto error = client.try_command(db, command);
    if (!error) return;
    if (options != nullptr && !bson_empty(options) && is_unsupported(*error)) {
        notes.skipped.push_back("options of " + name + " (" + error->message + ")");
        if (auto again =
                client.try_command(db, BsonDocument(BCON_NEW("create", BCON_UTF8(name.c_str())))))
            throw_command_error("creating " + name, *again);
        return;
    }
    throw_command_error("creating " + name, *error);
}

GoldenDatabase build_golden(MongoClient& admin, const std::string& name,
                            const std::vector<sdk::RootPart>& parts, const std::string& sha256,
                            BuildNotes& notes) {
    std::vector<std::string> paths;
    for (const auto& part : parts) paths.push_back(part.path);
    auto roots = read_root_files(paths);  // every file parsed before anything is made
    // Forget the old record first: a build that dies half-way leaves no record.
    admin.command(meta_database,
                  BsonDocument(BCON_NEW("delete", BCON_UTF8("golden_copies"), "deletes", "[", "{",
                                        "q", "{", "_id", BCON_UTF8(name.c_str()), "}", "limit",
                                        BCON_INT32(0), "}", "]")),
                  "forgetting " + name);
    admin.command(name, BsonDocument(BCON_NEW("dropDatabase", BCON_INT32(1))), "dropping " + name);
    // A build that fails is undone: no half-made golden database stays.
    struct UndoBuild {
        MongoClient& admin;
        const std::string& name;
        bool done = false;
        ~UndoBuild() {
            if (!done)
                admin.try_command(name, BsonDocument(BCON_NEW("dropDatabase", BCON_INT32(1))));
        }
    } undo{admin, name};
    // The files in order: each names collections (and views) of its own.
    for (const auto& [file, root] : roots) {
        for_each_in_array(root.get(), "collections", [&](const bson_t* spec) {
            std::string collection = utf8_field(spec, "name");
            if (collection.empty())
                throw sdk::Failure(DBC_INVALID_ARGUMENT, file + ": a collection has no name");
            BsonDocument options = document_field(spec, "options");
            create_collection(admin, name, collection, options.get(), notes);
            insert_documents(admin, name, collection, spec);
            BsonDocument command(BCON_NEW("createIndexes", BCON_UTF8(collection.c_str())));
            if (copy_array_field(spec, "indexes", command.get()))
                admin.command(name, command, "indexing " + collection);
        });
        for_each_in_array(root.get(), "views", [&](const bson_t* view) {
            BsonDocument command(BCON_NEW("create", BCON_UTF8(utf8_field(view, "name").c_str()),
                                          "viewOn", BCON_UTF8(utf8_field(view, "viewOn").c_str())));
            copy_array_field(view, "pipeline", command.get());
            if (auto error = admin.try_command(name, command)) {
                if (!is_unsupported(*error))
                    throw_command_error("creating view " + utf8_field(view, "name"), *error);
                notes.skipped.push_back("view " + utf8_field(view, "name") + " (" + error->message +
                                        ")");
            }
        });
    }
    GoldenDatabase golden{name, sha256, schema_fingerprint(admin, name),
                          collection_content(admin, name)};
    admin.command(
        meta_database,
        BsonDocument(BCON_NEW("insert", BCON_UTF8("golden_copies"), "documents", "[", "{", "_id",
                              BCON_UTF8(name.c_str()), "sha256", BCON_UTF8(sha256.c_str()),
                              "fingerprint", BCON_UTF8(golden.fingerprint.c_str()), "content",
                              BCON_UTF8(golden.content.c_str()), "}", "]")),
        "recording " + name);
    undo.done = true;
    return golden;
}

}  // namespace dbclone::mongodb
