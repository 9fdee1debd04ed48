// Thin helpers over RapidJSON for the shapes core reads and writes.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace dbclone::json {

// The deepest nesting of objects and arrays `parse` accepts.
inline constexpr size_t max_nesting = 100;

// Parses `text`; throws Error(InvalidInput) naming `what` and the offset on
// failure, or the depth when it is nested deeper than max_nesting.
rapidjson::Document parse(std::string_view text, const std::string& what);

// Reads and parses a file; throws Error naming the file.
rapidjson::Document parse_file(const std::filesystem::path& path);

// The member's string, or nullopt when absent; throws if present but not a string.
std::optional<std::string> optional_string(const rapidjson::Value& object, const char* key,
                                           const std::string& where);

// Serializes any value compactly.
std::string to_string(const rapidjson::Value& value);

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Writes a string or null (for empty/optional values).
void string_or_null(Writer& w, const std::string& s);

}  // namespace dbclone::json
