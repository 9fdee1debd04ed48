#include "mongo_inspector.hpp"

#include <mongoc/mongoc.h>
#include <dbclone/sha256.hpp>

#include <algorithm>
#include <stdexcept>

namespace dbclone::testing {

Inspector::Inspector(const std::string& uri) {
    mongoc_init();
    client_ = mongoc_client_new(uri.c_str());
}
Inspector::~Inspector() {
    mongoc_client_destroy(client_);
}

std::map<std::string, std::pair<long, std::string>> Inspector::contents(const std::string& db) {
    std::map<std::string, std::pair<long, std::string>> out;
    for (const auto& name : collections(db)) {
        mongoc_collection_t* c = mongoc_client_get_collection(client_, db.c_str(), name.c_str());
        bson_t filter = BSON_INITIALIZER;
        bson_t* opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
        mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(c, &filter, opts, nullptr);
        sdk::Sha256 hash;
        long count = 0;
        const bson_t* doc = nullptr;
        while (mongoc_cursor_next(cursor, &doc)) {
            char* json = bson_as_canonical_extended_json(doc, nullptr);
            hash.update(json).update("\n");
            bson_free(json);
            ++count;
        }
        mongoc_cursor_destroy(cursor);
        bson_destroy(opts);
        mongoc_collection_destroy(c);
        out[name] = {count, hash.hex()};
    }
    return out;
}

std::vector<std::string> Inspector::collections(const std::string& db) {
    mongoc_database_t* d = mongoc_client_get_database(client_, db.c_str());
    char** names = mongoc_database_get_collection_names_with_opts(d, nullptr, nullptr);
    std::vector<std::string> out;
    for (char** n = names; n != nullptr && *n != nullptr; ++n) out.emplace_back(*n);
    bson_strfreev(names);
    mongoc_database_destroy(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Inspector::index_names(const std::string& db,
                                                const std::string& collection) {
    mongoc_collection_t* c = mongoc_client_get_collection(client_, db.c_str(), collection.c_str());
    mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(c, nullptr);
    std::vector<std::string> out;
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor, &doc)) {
        bson_iter_t it;
        if (bson_iter_init_find(&it, doc, "name")) out.emplace_back(bson_iter_utf8(&it, nullptr));
    }
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(c);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> Inspector::databases(const std::string& prefix) {
    char** names = mongoc_client_get_database_names_with_opts(client_, nullptr, nullptr);
    std::vector<std::string> out;
    for (char** n = names; n != nullptr && *n != nullptr; ++n)
        if (std::string(*n).rfind(prefix, 0) == 0) out.emplace_back(*n);
    bson_strfreev(names);
    std::sort(out.begin(), out.end());
    return out;
}

void Inspector::command(const std::string& db, const std::string& command_json) {
    bson_error_t error;
    bson_t* command = bson_new_from_json(reinterpret_cast<const uint8_t*>(command_json.data()),
                                         static_cast<ssize_t>(command_json.size()), &error);
    if (command == nullptr) throw std::runtime_error("bad command JSON: " + command_json);
    bool ok = mongoc_client_command_simple(client_, db.c_str(), command, nullptr, nullptr, &error);
    bson_destroy(command);
    if (!ok) throw std::runtime_error(command_json + " failed: " + error.message);
}

long Inspector::count(const std::string& db, const std::string& collection,
                      const std::string& filter_json) {
    bson_error_t error;
    bson_t* filter = bson_new_from_json(reinterpret_cast<const uint8_t*>(filter_json.data()),
                                        static_cast<ssize_t>(filter_json.size()), &error);
    if (filter == nullptr) throw std::runtime_error("bad filter JSON: " + filter_json);
    mongoc_collection_t* c = mongoc_client_get_collection(client_, db.c_str(), collection.c_str());
    int64_t n = mongoc_collection_count_documents(c, filter, nullptr, nullptr, nullptr, &error);
    mongoc_collection_destroy(c);
    bson_destroy(filter);
    if (n < 0) throw std::runtime_error("counting " + db + "." + collection + ": " + error.message);
    return static_cast<long>(n);
}

}  // namespace dbclone::testing
