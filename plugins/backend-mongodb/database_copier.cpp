#include "database_copier.hpp"

#include <dbclone/sdk.hpp>

#include <atomic>
#include <mutex>
#include <thread>

namespace dbclone::mongodb {

namespace {

constexpr int32_t batch_size = 1000;

struct CollectionInfo {
    std::string name;
    std::string type;      // "collection" or "view"
    BsonDocument options;  // create options (validator, ..., viewOn, pipeline)
};

std::vector<CollectionInfo> collections_of(MongoClient& client, const std::string& db) {
    std::vector<CollectionInfo> out;
    for (const auto& c :
         client.cursor_command(db, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))),
                               "listing the collections of " + db)) {
        std::string name = utf8_field(c.get(), "name");
        if (name.rfind("system.", 0) == 0) continue;
        CollectionInfo info{name, utf8_field(c.get(), "type"), BsonDocument()};
        bson_iter_t it;
        if (bson_iter_init_find(&it, c.get(), "options") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
            uint32_t length = 0;
            const uint8_t* data = nullptr;
            bson_iter_document(&it, &length, &data);
            info.options = BsonDocument(bson_new_from_data(data, length));
        }
        out.push_back(std::move(info));
    }
    return out;
}

// Cursor batches from golden.name into unordered bulk inserts into tenant.name.
long long stream_collection(MongoClient& client, const std::string& golden,
                            const std::string& tenant, const std::string& name) {
    mongoc_collection_t* from =
        mongoc_client_get_collection(client.get(), golden.c_str(), name.c_str());
    mongoc_collection_t* to =
        mongoc_client_get_collection(client.get(), tenant.c_str(), name.c_str());
    BsonDocument filter, find_opts(BCON_NEW("batchSize", BCON_INT32(batch_size)));
    mongoc_cursor_t* cursor =
        mongoc_collection_find_with_opts(from, filter.get(), find_opts.get(), nullptr);
    std::vector<BsonDocument> batch;
    long long copied = 0;
    auto release = [&] {
        mongoc_cursor_destroy(cursor);
        mongoc_collection_destroy(from);
        mongoc_collection_destroy(to);
    };
    try {
        const bson_t* doc = nullptr;
        while (mongoc_cursor_next(cursor, &doc)) {
            batch.push_back(BsonDocument::copy_of(doc));
            if (batch.size() < static_cast<size_t>(batch_size)) continue;
            insert_batch(to, batch, "copying " + name);
            copied += static_cast<long long>(batch.size());
            batch.clear();
        }
        insert_batch(to, batch, "copying " + name);
        copied += static_cast<long long>(batch.size());
        bson_error_t error;
        if (mongoc_cursor_error(cursor, &error))
            throw_command_error("reading " + name, {error.domain, error.code, error.message});
    } catch (...) {
        release();
        throw;
    }
    release();
    return copied;
}

// `aggregate [{$match: {}}, {$out: {db: tenant, coll: name}}]` on the golden copy.
std::optional<CommandError> out_collection(MongoClient& client, const std::string& golden,
                                           const std::string& tenant, const std::string& name) {
    BsonDocument command(BCON_NEW("aggregate", BCON_UTF8(name.c_str()), "pipeline", "[", "{",
                                  "$match", "{", "}", "}", "{", "$out", "{", "db",
                                  BCON_UTF8(tenant.c_str()), "coll", BCON_UTF8(name.c_str()), "}",
                                  "}", "]", "cursor", "{", "}"));
    return client.try_command(golden, command);
}

// Every index but _id_, as listIndexes describes it, recreated on the tenant.
void copy_indexes(MongoClient& client, const std::string& golden, const std::string& tenant,
                  const std::string& name) {
    BsonDocument command(BCON_NEW("createIndexes", BCON_UTF8(name.c_str())));
    bson_t indexes;
    bson_append_array_begin(command.get(), "indexes", -1, &indexes);
    int n = 0;
    for (const auto& index : client.cursor_command(
             golden, BsonDocument(BCON_NEW("listIndexes", BCON_UTF8(name.c_str()))),
             "listing the indexes of " + name)) {
        if (utf8_field(index.get(), "name") == "_id_") continue;
        bson_t spec;
        std::string key = std::to_string(n++);
        bson_append_document_begin(&indexes, key.c_str(), -1, &spec);
        bson_iter_t it;
        bson_iter_init(&it, index.get());
        while (bson_iter_next(&it)) {
            std::string field = bson_iter_key(&it);
            if (field != "ns" && field != "v") bson_append_iter(&spec, field.c_str(), -1, &it);
        }
        bson_append_document_end(&indexes, &spec);
    }
    bson_append_array_end(command.get(), &indexes);
    if (n > 0) client.command(tenant, command, "indexing " + name);
}

}  // namespace

CopyMethod parse_copy_method(const std::string& text) {
    if (text.empty() || text == "auto") return CopyMethod::Auto;
    if (text == "server_side") return CopyMethod::ServerSide;
    if (text == "streaming") return CopyMethod::Streaming;
    throw sdk::Failure(DBC_INVALID_ARGUMENT, "unknown strategy \"" + text +
                                                 "\" for mongodb; allowed: server_side, streaming");
}

CopyReport DatabaseCopier::copy(MongoClient& admin, const std::string& golden,
                                const std::string& tenant, CopyMethod method,
                                const DocumentCache& cache) {
    CopyReport report;
    BuildNotes notes;
    auto all = collections_of(admin, golden);
    std::vector<const CollectionInfo*> collections;
    for (const auto& c : all) {
        if (c.type == "view") continue;
        create_collection(admin, tenant, c.name, c.options.get(), notes);
        collections.push_back(&c);
    }
    // Server-side where it works: try it on the first collection once per handle.
    bool server_side = method == CopyMethod::ServerSide ||
                       (method == CopyMethod::Auto && server_side_works_.value_or(true));
    if (server_side && !collections.empty() && !server_side_works_) {
        auto error = out_collection(admin, golden, tenant, collections.front()->name);
        server_side_works_ = !error;
        if (error && (method == CopyMethod::ServerSide || !is_unsupported(*error)))
            throw_command_error("$out into " + tenant, *error);
        server_side = !error;
        if (server_side) collections.erase(collections.begin());
    } else if (method == CopyMethod::ServerSide && server_side_works_ == false) {
        throw sdk::Failure(DBC_NOT_SUPPORTED, "this server cannot $out into another database");
    }
    report.method = server_side ? "server_side" : "streaming";

    // Workers take collections from a shared index; the first error stops them all.
    std::atomic<size_t> next{0};
    std::atomic<long long> documents{0};
    std::mutex failure_mutex;
    std::exception_ptr failure;
    auto work = [&] {
        try {
            MongoClient client(uri_);
            for (size_t i = next++; i < collections.size() && !failure; i = next++) {
                const std::string& name = collections[i]->name;
                if (server_side) {
                    if (auto error = out_collection(client, golden, tenant, name))
                        throw_command_error("$out " + name, *error);
                } else if (auto file = cache.file_of(name); !file.empty()) {
                    documents += insert_from_file(client, file, tenant, name);
                } else {
                    documents += stream_collection(client, golden, tenant, name);
                }
            }
        } catch (...) {
            std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> workers;
    int threads = std::max(1, std::min<int>(parallelism_, static_cast<int>(collections.size())));
    for (int t = 0; t < threads; ++t) workers.emplace_back(work);
    for (auto& w : workers) w.join();
    if (failure) std::rethrow_exception(failure);

    for (const auto& c : all) {
        if (c.type == "view") {
            BsonDocument command(BCON_NEW("create", BCON_UTF8(c.name.c_str())));
            bson_concat(command.get(), c.options.get());
            if (auto error = admin.try_command(tenant, command))
                throw_command_error("creating view " + c.name, *error);
        } else {
            copy_indexes(admin, golden, tenant, c.name);
        }
    }
    report.documents = documents;
    report.skipped = notes.skipped;
    return report;
}

}  // namespace dbclone::mongodb
