// Small helpers that backend plugins share (header-only): the names dbclone
// gives tenants and golden copies, the JSON records plugins write to sinks, and
// reading options. Uses RapidJSON (header-only) for option parsing.
#ifndef DBCLONE_PLUGIN_HELPERS_HPP
#define DBCLONE_PLUGIN_HELPERS_HPP

#include <rapidjson/document.h>
#include <dbclone/sdk.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace dbclone::sdk {

// "tenant_<id>_db" and "tenant_<id>": the names of a tenant's database and login.
inline std::string tenant_database(std::string_view tenant) {
    return "tenant_" + std::string(tenant) + "_db";
}
inline std::string tenant_user(std::string_view tenant) {
    return "tenant_" + std::string(tenant);
}

// "dbclone_root_v1_0" for "v1.0": lower case, anything but [a-z0-9_] as "_".
inline std::string golden_name(std::string_view version) {
    std::string out = "dbclone_root_";
    for (char c : version) {
        char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        out += ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_') ? l : '_';
    }
    return out;
}

// A whole file as text; throws Failure(DBC_NOT_FOUND) naming it.
inline std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure(DBC_NOT_FOUND, "cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// `s` as a JSON string literal, quotes included.
inline std::string json_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// One isolation probe's record for attempt_access's sink.
inline void write_probe(const Sink& sink, std::string_view name, std::string_view outcome,
                        std::string_view detail) {
    sink.write("{\"name\":" + json_quote(name) + ",\"outcome\":" + json_quote(outcome) +
               ",\"detail\":" + json_quote(detail) + "}");
}

// One tenant artifact's record for list_artifacts's sink (the tenant's database
// and login by dbclone's naming).
inline void write_artifact(const Sink& sink, std::string_view tenant) {
    sink.write("{\"tenant_id\":" + json_quote(tenant) +
               ",\"location\":" + json_quote(tenant_database(tenant)) +
               ",\"user\":" + json_quote(tenant_user(tenant)) + "}");
}

// A string member of an options or config JSON object, or "" when absent.
inline std::string option_string(const char* json, const char* key) {
    rapidjson::Document doc;
    doc.Parse(json != nullptr ? json : "{}");
    if (doc.IsObject() && doc.HasMember(key) && doc[key].IsString()) return doc[key].GetString();
    return "";
}

// A boolean member of an options or config JSON object, or false.
inline bool option_bool(const char* json, const char* key) {
    rapidjson::Document doc;
    doc.Parse(json != nullptr ? json : "{}");
    return doc.IsObject() && doc.HasMember(key) && doc[key].IsBool() && doc[key].GetBool();
}

// A string member of an object member: json[outer][key], or "" when absent.
inline std::string option_string(const char* json, const char* outer, const char* key) {
    rapidjson::Document doc;
    doc.Parse(json != nullptr ? json : "{}");
    if (!doc.IsObject() || !doc.HasMember(outer) || !doc[outer].IsObject()) return "";
    const auto& o = doc[outer];
    if (o.HasMember(key) && o[key].IsString()) return o[key].GetString();
    return "";
}

// An integer member of an options or config JSON object, or `fallback`.
inline int64_t option_int(const char* json, const char* key, int64_t fallback) {
    rapidjson::Document doc;
    doc.Parse(json != nullptr ? json : "{}");
    if (doc.IsObject() && doc.HasMember(key) && doc[key].IsInt64()) return doc[key].GetInt64();
    return fallback;
}

}  // namespace dbclone::sdk

#endif  // DBCLONE_PLUGIN_HELPERS_HPP
