#include "dbclone/core/json.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "dbclone/core/error.hpp"

namespace dbclone::json {

namespace {

// The deepest nesting of objects and arrays in `text`, counted without
// recursion (strings skipped), stopping once past `limit`.
size_t nesting_depth(std::string_view text, size_t limit) {
    size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size() && deepest <= limit; ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace

rapidjson::Document parse(std::string_view text, const std::string& what) {
    // Every later use of a document (schema validation, writing it back) walks
    // it recursively: refuse what is nested deeper than any input dbclone takes
    // (MongoDB's own limit for documents is 100), and parse without recursion.
    if (nesting_depth(text, max_nesting) > max_nesting)
        throw Error(ErrorKind::InvalidInput, what + " is nested deeper than " +
                                                 std::to_string(max_nesting) +
                                                 " levels of objects and arrays");
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (doc.HasParseError())
        throw Error(ErrorKind::InvalidInput, what + " is not valid JSON at offset " +
                                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                                 rapidjson::GetParseError_En(doc.GetParseError()));
    return doc;
}

rapidjson::Document parse_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::NotFound, "cannot read " + path.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str(), path.string());
}

std::optional<std::string> optional_string(const rapidjson::Value& object, const char* key,
                                           const std::string& where) {
    auto it = object.FindMember(key);
    if (it == object.MemberEnd() || it->value.IsNull()) return std::nullopt;
    if (!it->value.IsString())
        throw Error(ErrorKind::InvalidInput, where + ": \"" + key + "\" must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string to_string(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

void string_or_null(Writer& w, const std::string& s) {
    if (s.empty())
        w.Null();
    else
        w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace dbclone::json
