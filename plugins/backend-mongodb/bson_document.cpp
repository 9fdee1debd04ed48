#include "bson_document.hpp"

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

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

}  // namespace dbclone::mongodb
