#include "dbclone/core/json_schema.hpp"

#include "dbclone/core/json.hpp"

namespace dbclone {

namespace {

bool has_type(const rapidjson::Value& v, const std::string& type) {
    if (type == "object") return v.IsObject();
    if (type == "array") return v.IsArray();
    if (type == "string") return v.IsString();
    if (type == "boolean") return v.IsBool();
    if (type == "integer") return v.IsInt64() || v.IsUint64();
    if (type == "number") return v.IsNumber();
    if (type == "null") return v.IsNull();
    return true;  // unknown type names are not ours to reject
}

std::optional<std::string> type_violation(const rapidjson::Value& value,
                                          const rapidjson::Value& type, const std::string& path) {
    if (type.IsString()) {
        if (!has_type(value, type.GetString()))
            return path + " must be of type " + type.GetString();
    } else if (type.IsArray()) {
        for (const auto& t : type.GetArray())
            if (t.IsString() && has_type(value, t.GetString())) return std::nullopt;
        return path + " has the wrong type";
    }
    return std::nullopt;
}

std::optional<std::string> object_violation(const rapidjson::Value& value,
                                            const rapidjson::Value& schema,
                                            const std::string& path) {
    auto required = schema.FindMember("required");
    if (required != schema.MemberEnd() && required->value.IsArray())
        for (const auto& name : required->value.GetArray())
            if (name.IsString() && !value.HasMember(name.GetString()))
                return path + "." + name.GetString() + " is required";
    auto properties = schema.FindMember("properties");
    bool closed = schema.HasMember("additionalProperties") &&
                  schema["additionalProperties"].IsBool() &&
                  !schema["additionalProperties"].GetBool();
    for (const auto& member : value.GetObject()) {
        std::string key = member.name.GetString();
        const rapidjson::Value* sub = nullptr;
        if (properties != schema.MemberEnd() && properties->value.IsObject()) {
            auto it = properties->value.FindMember(member.name);
            if (it != properties->value.MemberEnd()) sub = &it->value;
        }
        if (sub == nullptr && closed) return path + "." + key + " is not a known setting";
        if (sub != nullptr)
            if (auto v = schema_violation(member.value, *sub, path + "." + key)) return v;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> schema_violation(const rapidjson::Value& value,
                                            const rapidjson::Value& schema,
                                            const std::string& path) {
    if (!schema.IsObject()) return std::nullopt;
    if (auto type = schema.FindMember("type"); type != schema.MemberEnd())
        if (auto v = type_violation(value, type->value, path)) return v;
    if (auto e = schema.FindMember("enum"); e != schema.MemberEnd() && e->value.IsArray()) {
        bool found = false;
        for (const auto& option : e->value.GetArray()) found = found || option == value;
        if (!found) return path + " must be one of " + json::to_string(e->value);
    }
    if (value.IsObject()) return object_violation(value, schema, path);
    if (value.IsArray())
        if (auto items = schema.FindMember("items"); items != schema.MemberEnd())
            for (rapidjson::SizeType i = 0; i < value.Size(); ++i)
                if (auto v = schema_violation(value[i], items->value,
                                              path + "[" + std::to_string(i) + "]"))
                    return v;
    return std::nullopt;
}

}  // namespace dbclone
