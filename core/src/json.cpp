#include "dbclone/core/json.hpp"

#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>

#include "dbclone/core/error.hpp"

namespace dbclone::json {

rapidjson::Document parse(std::string_view text, const std::string& what) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
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
