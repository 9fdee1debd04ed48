#include "document_cache.hpp"

#include <dbclone/sdk.hpp>

#include <fstream>

namespace fs = std::filesystem;

namespace dbclone::mongodb {

namespace {
constexpr const char* complete_marker = "COMPLETE";
constexpr size_t batch_size = 1000;
}  // namespace

DocumentCache::DocumentCache(const fs::path& root_dir, const std::string& golden,
                             const std::string& sha256)
    : dir_(root_dir / (golden + "-" + sha256.substr(0, 16))), golden_(golden) {}

bool DocumentCache::complete() const {
    return fs::exists(dir_ / complete_marker);
}

fs::path DocumentCache::file_of(const std::string& collection) const {
    fs::path f = dir_ / (collection + ".bson");
    return complete() && fs::exists(f) ? f : fs::path();
}

void DocumentCache::remove() const {
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void DocumentCache::ensure(MongoClient& admin) {
    if (complete()) return;
    fs::path temp = dir_.string() + ".tmp";
    fs::remove_all(temp);
    fs::remove_all(dir_);
    fs::create_directories(temp);
    for (const auto& info :
         admin.cursor_command(golden_,
                              BsonDocument(BCON_NEW("listCollections", BCON_INT32(1), "filter", "{",
                                                    "type", BCON_UTF8("collection"), "}")),
                              "listing " + golden_)) {
        bson_iter_t it;
        if (!bson_iter_init_find(&it, info.get(), "name") || !BSON_ITER_HOLDS_UTF8(&it)) continue;
        std::string name = bson_iter_utf8(&it, nullptr);
        // Collection names may hold any character but "/" and NUL; keep the file
        // name plain or skip caching that collection (it is then read from the server).
        if (name.find_first_of("/\\") != std::string::npos || name.rfind("system.", 0) == 0)
            continue;
        std::ofstream out(temp / (name + ".bson"), std::ios::binary);
        mongoc_collection_t* c =
            mongoc_client_get_collection(admin.get(), golden_.c_str(), name.c_str());
        BsonDocument filter,
            opts(BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}", "batchSize", BCON_INT32(1000)));
        mongoc_cursor_t* cursor =
            mongoc_collection_find_with_opts(c, filter.get(), opts.get(), nullptr);
        const bson_t* doc = nullptr;
        while (mongoc_cursor_next(cursor, &doc))
            out.write(reinterpret_cast<const char*>(bson_get_data(doc)), doc->len);
        bson_error_t error;
        bool failed = mongoc_cursor_error(cursor, &error);
        mongoc_cursor_destroy(cursor);
        mongoc_collection_destroy(c);
        if (failed)
            throw_command_error("caching " + name, {error.domain, error.code, error.message});
        if (!out) throw sdk::Failure(DBC_ERROR, "cannot write the document cache " + temp.string());
    }
    std::ofstream(temp / complete_marker) << golden_ << '\n';
    fs::rename(temp, dir_);
}

long long insert_from_file(MongoClient& client, const fs::path& file, const std::string& db,
                           const std::string& collection) {
    bson_error_t error;
    bson_reader_t* reader = bson_reader_new_from_file(file.c_str(), &error);
    if (reader == nullptr)
        throw sdk::Failure(DBC_ERROR, "cannot read " + file.string() + ": " + error.message);
    mongoc_collection_t* to =
        mongoc_client_get_collection(client.get(), db.c_str(), collection.c_str());
    std::vector<BsonDocument> batch;
    long long copied = 0;
    try {
        bool eof = false;
        while (const bson_t* doc = bson_reader_read(reader, &eof)) {
            batch.push_back(BsonDocument::copy_of(doc));
            if (batch.size() < batch_size) continue;
            insert_batch(to, batch, "copying " + collection);
            copied += static_cast<long long>(batch.size());
            batch.clear();
        }
        if (!eof)
            throw sdk::Failure(DBC_ERROR, "the document cache " + file.string() + " is corrupt");
        insert_batch(to, batch, "copying " + collection);
        copied += static_cast<long long>(batch.size());
    } catch (...) {
        mongoc_collection_destroy(to);
        bson_reader_destroy(reader);
        throw;
    }
    mongoc_collection_destroy(to);
    bson_reader_destroy(reader);
    return copied;
}

}  // namespace dbclone::mongodb
