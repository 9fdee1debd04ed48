#include "bson_document.hpp"

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <algorithm>

namespace dbclone::mongodb {

BsonDocument BsonDocument::from_json(const std::string& json, const std::string& what) {
    bson_error_t error;
    bson_t* doc = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                     static_cast<ssize_t>(json.size()), &error);
    if (doc == nullptr)
        // libbson quotes the offending text; a root file's text stays out.
        throw sdk::Failure(DBC_INVALID_ARGUMENT, what + " is not valid Extended JSON: " +
                                                     sdk::redact_quoted(error.message));
    return BsonDocument(doc);
}

std::string BsonDocument::canonical_json() const {
    char* text = bson_as_canonical_extended_json(doc_, nullptr);
    std::string out = text != nullptr ? text : "";
    bson_free(text);
    return out;
}

BsonDocument document_field(const bson_t* doc, const char* key) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_DOCUMENT(&it)) {
        uint32_t length = 0;
        const uint8_t* data = nullptr;
        bson_iter_document(&it, &length, &data);
        return BsonDocument(bson_new_from_data(data, length));
    }
    return BsonDocument();
}

BsonDocument without(const bson_t* doc, std::initializer_list<const char*> fields) {
    BsonDocument out;
    bson_iter_t it;
    if (!bson_iter_init(&it, doc)) return out;
    while (bson_iter_next(&it)) {
        const char* key = bson_iter_key(&it);
        if (std::none_of(fields.begin(), fields.end(),
                         [&](const char* f) { return std::string(f) == key; }))
            bson_append_iter(out.get(), key, -1, &it);
    }
    return out;
}

std::string utf8_field(const bson_t* doc, const char* key) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_UTF8(&it))
        return bson_iter_utf8(&it, nullptr);
    return "";
}

}  // namespace dbclone::mongodb
