#include "mongodump_reader.hpp"

#include <dbclone/sdk.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

namespace dbclone::mongodb {

namespace {

constexpr unsigned char archive_magic[] = {0x6d, 0xe2, 0x99, 0x81};
constexpr unsigned char gzip_magic[] = {0x1f, 0x8b};
constexpr const char* metadata_suffix = ".metadata.json";

[[noreturn]] void bad(const std::string& path, const std::string& why) {
    throw sdk::Failure(DBC_INVALID_ARGUMENT, path + ": " + why);
}

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) bad(path, "cannot be read");
    return {std::istreambuf_iterator<char>(in), {}};
}

bool starts_with_bytes(const std::string& path, const unsigned char* magic, size_t n) {
    std::ifstream in(path, std::ios::binary);
    char head[4] = {};
    in.read(head, static_cast<std::streamsize>(n));
    return static_cast<size_t>(in.gcount()) == n && std::memcmp(head, magic, n) == 0;
}

// BSON documents one after another in `bytes`, with the archive's
// terminators (0xffffffff) between runs of them.
class BsonStream {
  public:
    BsonStream(const std::string& path, const std::string& bytes) : path_(path), bytes_(bytes) {}
    bool at_end() const { return offset_ == bytes_.size(); }
    // True (and past it) when the terminator is next.
    bool terminator() {
        if (length_at_offset() != -1) return false;
        offset_ += 4;
        return true;
    }
    BsonDocument next() {
        int32_t length = length_at_offset();
        if (length < 5 || offset_ + static_cast<size_t>(length) > bytes_.size())
            bad(path_, "damaged at byte " + std::to_string(offset_) + " (no BSON document there)");
        bson_t doc;
        if (!bson_init_static(&doc, reinterpret_cast<const uint8_t*>(bytes_.data()) + offset_,
                              static_cast<size_t>(length)) ||
            !bson_validate(&doc, BSON_VALIDATE_NONE, nullptr))
            bad(path_, "damaged at byte " + std::to_string(offset_) + " (an invalid document)");
        offset_ += static_cast<size_t>(length);
        return BsonDocument::copy_of(&doc);
    }
    void skip(size_t n) { offset_ += n; }

  private:
    int32_t length_at_offset() const {
        if (offset_ + 4 > bytes_.size()) bad(path_, "ends in the middle of a document");
        uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = (v << 8) | static_cast<unsigned char>(bytes_[offset_ + static_cast<size_t>(i)]);
        return static_cast<int32_t>(v);
    }
    const std::string& path_;
    const std::string& bytes_;
    size_t offset_ = 0;
};

bool bool_field(const bson_t* doc, const char* key) {
    bson_iter_t it;
    return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_BOOL(&it) && bson_iter_bool(&it);
}

// The collections being read, by name, in the order they appear.
class Collections {
  public:
    DumpedCollection& named(const std::string& name) {
        auto [it, added] = index_.emplace(name, list_.size());
        if (added) {
            list_.emplace_back();
            list_.back().name = name;
        }
        return list_[it->second];
    }
    // Fills `name`'s options, indexes and type from mongodump's metadata.
    void add_metadata(const std::string& path, const std::string& name,
                      const BsonDocument& metadata) {
        std::string collection = utf8_field(metadata.get(), "collectionName");
        DumpedCollection& c = named(collection.empty() ? name : collection);
        c.is_view = utf8_field(metadata.get(), "type") == "view";
        c.options = document_field(metadata.get(), "options");
        bson_iter_t it, item;
        if (bson_iter_init_find(&it, metadata.get(), "indexes") && BSON_ITER_HOLDS_ARRAY(&it) &&
            bson_iter_recurse(&it, &item))
            while (bson_iter_next(&item)) {
                if (!BSON_ITER_HOLDS_DOCUMENT(&item)) bad(path, "an index is no document");
                uint32_t length = 0;
                const uint8_t* data = nullptr;
                bson_iter_document(&item, &length, &data);
                bson_t spec;
                bson_init_static(&spec, data, length);
                // The _id index comes with the collection; "v" and "ns" are the
                // dumped server's, which createIndexes refuses or ignores.
                if (utf8_field(&spec, "name") == "_id_") continue;
                c.indexes.push_back(without(&spec, {"v", "ns"}));
            }
    }
    std::vector<DumpedCollection> take() { return std::move(list_); }

  private:
    std::map<std::string, size_t> index_;
    std::vector<DumpedCollection> list_;
};

void read_archive(const std::string& path, Collections& out) {
    std::string bytes = read_bytes(path);
    BsonStream stream(path, bytes);
    stream.skip(sizeof archive_magic);
    stream.next();  // the header: format and tool versions
    std::set<std::string> databases;
    while (!stream.terminator()) {
        BsonDocument entry = stream.next();
        std::string db = utf8_field(entry.get(), "db");
        databases.insert(db);
        std::string collection = utf8_field(entry.get(), "collection");
        std::string metadata = utf8_field(entry.get(), "metadata");
        if (collection.rfind("system.", 0) == 0) continue;
        out.add_metadata(path, collection,
                         BsonDocument::from_json(metadata.empty() ? "{}" : metadata,
                                                 path + " (metadata of " + collection + ")"));
    }
    if (databases.size() > 1) {
        std::string names;
        for (const auto& d : databases) names += (names.empty() ? "" : ", ") + d;
        bad(path, "holds the databases " + names +
                      ": a root is one database (mongodump --db NAME --archive=FILE)");
    }
    while (!stream.at_end()) {
        BsonDocument header = stream.next();
        std::string collection = utf8_field(header.get(), "collection");
        bool eof = bool_field(header.get(), "EOF");
        bool system = collection.rfind("system.", 0) == 0;
        DumpedCollection* target = eof || system ? nullptr : &out.named(collection);
        while (!stream.terminator()) {
            BsonDocument doc = stream.next();
            if (eof) bad(path, "damaged: documents after the end of " + collection);
            if (target != nullptr) target->documents.push_back(std::move(doc));
        }
    }
}

void read_bson_file(const std::string& path, DumpedCollection& target) {
    std::string bytes = read_bytes(path);
    BsonStream stream(path, bytes);
    while (!stream.at_end()) target.documents.push_back(stream.next());
}

}  // namespace

bool is_mongodump_file(const std::string& path) {
    return ends_with(path, ".bson") || ends_with(path, metadata_suffix) ||
           starts_with_bytes(path, archive_magic, sizeof archive_magic) ||
           starts_with_bytes(path, gzip_magic, sizeof gzip_magic);
}

std::vector<DumpedCollection> read_mongodump(const std::vector<std::string>& paths) {
    Collections out;
    // Metadata first, so that a collection's name is the one it records
    // (mongodump escapes unusual names in file names).
    std::map<std::string, std::string> names;  // file stem -> collection name
    for (const auto& path : paths) {
        if (starts_with_bytes(path, gzip_magic, sizeof gzip_magic))
            bad(path, "is compressed (gzip, as mongodump --gzip writes): gunzip it first");
        if (!ends_with(path, metadata_suffix)) continue;
        std::string file = std::filesystem::path(path).filename().string();
        std::string stem = file.substr(0, file.size() - std::strlen(metadata_suffix));
        if (stem.rfind("system.", 0) == 0) continue;
        BsonDocument metadata = BsonDocument::from_json(read_bytes(path), path);
        std::string collection = utf8_field(metadata.get(), "collectionName");
        names[stem] = collection.empty() ? stem : collection;
        out.add_metadata(path, stem, metadata);
    }
    for (const auto& path : paths) {
        if (ends_with(path, metadata_suffix)) continue;
        if (ends_with(path, ".bson")) {
            std::string stem = std::filesystem::path(path).stem().string();
            if (stem.rfind("system.", 0) == 0) continue;
            auto named = names.find(stem);
            read_bson_file(path, out.named(named != names.end() ? named->second : stem));
        } else {
            read_archive(path, out);
        }
    }
    return out.take();
}

}  // namespace dbclone::mongodb
