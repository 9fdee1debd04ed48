// An owned BSON document (libbson's bson_t), freed on destruction, with the
// conversions the backend needs.
#pragma once

#include <bson/bson.h>

#include <initializer_list>
#include <string>
#include <utility>

namespace dbclone::mongodb {

class BsonDocument {
  public:
    BsonDocument() : doc_(bson_new()) {}
    explicit BsonDocument(bson_t* adopted) : doc_(adopted) {}
    // A copy of a borrowed document.
    static BsonDocument copy_of(const bson_t* doc) { return BsonDocument(bson_copy(doc)); }
    // Parses (canonical or relaxed) Extended JSON; throws sdk::Failure naming `what`.
    static BsonDocument from_json(const std::string& json, const std::string& what);

    BsonDocument(BsonDocument&& other) noexcept : doc_(std::exchange(other.doc_, nullptr)) {}
    BsonDocument& operator=(BsonDocument&& other) noexcept {
        std::swap(doc_, other.doc_);
        return *this;
    }
    BsonDocument(const BsonDocument&) = delete;
    BsonDocument& operator=(const BsonDocument&) = delete;
    ~BsonDocument() {
        if (doc_ != nullptr) bson_destroy(doc_);
    }

    bson_t* get() { return doc_; }
    const bson_t* get() const { return doc_; }
    // Canonical Extended JSON: types kept exactly (numbers, dates), so two equal
    // documents give equal text.
    std::string canonical_json() const;

  private:
    bson_t* doc_;
};

// The string member `key` of `doc`, or "" when it is absent or not a string.
std::string utf8_field(const bson_t* doc, const char* key);
// The sub-document at `key`, or an empty one.
BsonDocument document_field(const bson_t* doc, const char* key);
// `doc` without the listed top-level fields.
BsonDocument without(const bson_t* doc, std::initializer_list<const char*> fields);

}  // namespace dbclone::mongodb
