// Small helpers that backend plugins share (header-only): the names dbclone
// gives tenants and golden copies, the JSON records plugins write to sinks, and
// reading options. Uses RapidJSON (header-only) for option parsing.
#ifndef DBCLONE_PLUGIN_HELPERS_HPP
#define DBCLONE_PLUGIN_HELPERS_HPP

#include <rapidjson/document.h>
#include <signal.h>
#include <sys/random.h>
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace dbclone::sdk {

// True while process `pid` (on this host) exists: a builder or creator whose
// pid is in a leftover's name is still at work.
inline bool process_alive(long long pid) {
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// "tenant_<id>_db" and "tenant_<id>": the names of a tenant's database and login.
inline std::string tenant_database(std::string_view tenant) {
    return "tenant_" + std::string(tenant) + "_db";
}
inline std::string tenant_user(std::string_view tenant) {
    return "tenant_" + std::string(tenant);
}
// "tenant_<id>.ro", the tenant's query login (read only). The dot is in no
// tenant id, so no tenant's owner login can have this name ("tenant_a_ro" is
// the owner of tenant "a_ro").
inline std::string tenant_query_user(std::string_view tenant) {
    return tenant_user(tenant) + ".ro";
}

// The name of the golden copy of `version` on a shared server for the
// installation `installation_id`: "dbclone_root_v1_0_<8 hex>" for "v1.0", the
// version in lower case with anything but [a-z0-9_] as "_", then 8 hex digits
// of the installation id's sha256. Installations that share a server thus
// never share a golden copy: neither one's gc nor its root of the same version
// name touches the other's. At most 13 + 32 + 9 = 54 characters.
inline std::string golden_name(std::string_view version, std::string_view installation_id) {
    std::string out = "dbclone_root_";
    for (char c : version) {
        char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        out += ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_') ? l : '_';
    }
    return out + "_" + Sha256::of(installation_id).substr(0, 8);
}

// 32 characters of [A-Za-z0-9] from getrandom(2), uniform (rejection
// sampling): a password for a login that a plugin makes for itself.
inline std::string random_password() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr size_t alphabet_size = sizeof(alphabet) - 1;  // 62
    // Rejection sampling keeps every character uniform: 248 = 4 * 62.
    static constexpr unsigned limit = 256 - 256 % alphabet_size;
    std::string out;
    while (out.size() < 32) {
        unsigned char bytes[64];
        ssize_t n = ::getrandom(bytes, sizeof bytes, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Failure(DBC_ERROR, std::string("getrandom failed: ") + std::strerror(errno));
        }
        for (ssize_t i = 0; i < n && out.size() < 32; ++i)
            if (bytes[i] < limit) out += alphabet[bytes[i] % alphabet_size];
    }
    return out;
}

// A server's message about a root file's SQL, with every quoted fragment (a
// token, a name, a value: text of the file) replaced by "...", so an error
// never carries the file's content.
inline std::string redact_quoted(std::string_view message) {
    std::string out;
    for (size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        out += c;
        if (c != '"' && c != '\'' && c != '`') continue;
        size_t end = message.find(c, i + 1);
        if (end == std::string_view::npos) break;
        out += "...";
        out += c;
        i = end;
    }
    return out;
}

// A statement as an error may quote it: runs of blanks as one space, the
// contents of string literals ('...', and "..." where `double_quoted_strings`,
// as in MySQL) and of dollar quotes ($tag$...$tag$, PostgreSQL) hidden, at
// most 200 characters. Enough to find the statement, nothing of its values (a
// password, a row).
inline std::string sql_excerpt(std::string_view sql, bool double_quoted_strings) {
    std::string out;
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (size_t i = 0; i < sql.size() && out.size() < 200; ++i) {
        char c = sql[i];
        if (c == '\'' || (c == '"' && double_quoted_strings)) {
            size_t end = i + 1;  // past the closing quote; doubled quotes and \x stay inside
            for (; end < sql.size(); ++end) {
                if (sql[end] == '\\') {
                    ++end;
                } else if (sql[end] == c) {
                    if (end + 1 < sql.size() && sql[end + 1] == c) {
                        ++end;
                        continue;
                    }
                    break;
                }
            }
            out += std::string(1, c) + "..." + c;
            i = end;
            continue;
        }
        if (c == '$' && (i == 0 || !word(sql[i - 1]))) {
            size_t close = i + 1;
            while (close < sql.size() && word(sql[close])) ++close;
            bool tag = close < sql.size() && sql[close] == '$' &&
                       (close == i + 1 || !std::isdigit(static_cast<unsigned char>(sql[i + 1])));
            size_t body_end =
                tag ? sql.find(sql.substr(i, close - i + 1), close + 1) : std::string_view::npos;
            if (body_end != std::string_view::npos) {
                std::string quote(sql.substr(i, close - i + 1));
                out += quote + "..." + quote;
                i = body_end + quote.size() - 1;
                continue;
            }
        }
        if (std::isspace(static_cast<unsigned char>(c))) {
            if (!out.empty() && out.back() != ' ') out += ' ';
        } else {
            out += c;
        }
    }
    if (out.size() > 200) out.resize(200);
    return out;
}

// The names whose check comes true within `patience` (polled every 100 ms):
// for leftovers of a killed process that the server lets go of only some
// milliseconds after the kill (its session, its lock), where a live one's
// check stays false.
inline std::vector<std::string> settled(const std::map<std::string, std::function<bool()>>& checks,
                                        std::chrono::milliseconds patience) {
    std::vector<std::string> out;
    std::map<std::string, std::function<bool()>> waiting = checks;
    auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (it->second()) {
                out.push_back(it->first);
                it = waiting.erase(it);
            } else {
                ++it;
            }
        }
        if (waiting.empty() || std::chrono::steady_clock::now() > give_up) return out;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// One file of a root, as dbc_golden_request.root_files_json lists them.
struct RootPart {
    std::string path;
    std::string sha256;
};

// The root's files in manifest order: root_files_json where the host sends
// it (ABI 1.1), else the one root_file.
inline std::vector<RootPart> root_parts(const dbc_golden_request& req) {
    std::vector<RootPart> out;
    if (req.struct_size >= offsetof(dbc_golden_request, root_files_json) + sizeof(char*) &&
        req.root_files_json != nullptr) {
        rapidjson::Document doc;
        doc.Parse<rapidjson::kParseIterativeFlag>(req.root_files_json);
        if (doc.IsArray())
            for (const auto& f : doc.GetArray())
                if (f.IsObject() && f.HasMember("file") && f["file"].IsString())
                    out.push_back(
                        {f["file"].GetString(), f.HasMember("sha256") && f["sha256"].IsString()
                                                    ? f["sha256"].GetString()
                                                    : ""});
    }
    if (out.empty())
        out.push_back({req.root_file != nullptr ? req.root_file : "",
                       req.root_sha256 != nullptr ? req.root_sha256 : ""});
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
    doc.Parse<rapidjson::kParseIterativeFlag>(json != nullptr ? json : "{}");
    if (doc.IsObject() && doc.HasMember(key) && doc[key].IsString()) return doc[key].GetString();
    return "";
}

// A boolean member of an options or config JSON object, or false.
inline bool option_bool(const char* json, const char* key) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(json != nullptr ? json : "{}");
    return doc.IsObject() && doc.HasMember(key) && doc[key].IsBool() && doc[key].GetBool();
}

// A string member of an object member: json[outer][key], or "" when absent.
inline std::string option_string(const char* json, const char* outer, const char* key) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(json != nullptr ? json : "{}");
    if (!doc.IsObject() || !doc.HasMember(outer) || !doc[outer].IsObject()) return "";
    const auto& o = doc[outer];
    if (o.HasMember(key) && o[key].IsString()) return o[key].GetString();
    return "";
}

// An integer member of an options or config JSON object, or `fallback`.
inline int64_t option_int(const char* json, const char* key, int64_t fallback) {
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(json != nullptr ? json : "{}");
    if (doc.IsObject() && doc.HasMember(key) && doc[key].IsInt64()) return doc[key].GetInt64();
    return fallback;
}

// A canary token as the host makes them: [A-Za-z0-9_-]{1,64}, so it is safe in
// any SQL literal or name; throws Failure(DBC_INVALID_ARGUMENT) otherwise.
inline const std::string& checked_token(const std::string& token) {
    bool ok = !token.empty() && token.size() <= 64;
    for (char c : token)
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-');
    if (!ok) throw Failure(DBC_INVALID_ARGUMENT, "canary token must be [A-Za-z0-9_-]{1,64}");
    return token;
}

// Runs `query` `count` times, timing each, and writes the performance record
// run_queries promises: {"count", "p50_ms", "p95_ms", "queries_per_second"}.
template <class Query>
void write_query_timings(const Sink& sink, uint32_t count, Query&& query) {
    std::vector<double> ms;
    auto start = std::chrono::steady_clock::now();
    for (uint32_t i = 0; i < count; ++i) {
        auto t = std::chrono::steady_clock::now();
        query();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t)
                         .count());
    }
    double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, size_t(q * ms.size()))];
    };
    char record[160];
    std::snprintf(record, sizeof record,
                  "{\"count\":%u,\"p50_ms\":%.3f,\"p95_ms\":%.3f,\"queries_per_second\":%.0f}",
                  count, at(0.5), at(0.95), total > 0 ? count / total : 0.0);
    sink.write(record);
}

}  // namespace dbclone::sdk

#endif  // DBCLONE_PLUGIN_HELPERS_HPP
