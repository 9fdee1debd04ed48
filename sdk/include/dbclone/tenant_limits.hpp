// What a backend reads from a clone request for the ABI 1.2 fields (the query
// login and the tenant's limits) and how it says which limits it enforced.
// Older hosts send a shorter request: every accessor here checks struct_size.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dbclone/plugin.h"
#include "dbclone/plugin_helpers.hpp"

namespace dbclone::sdk {

// The query login the host asked for; empty user: none.
struct QueryLogin {
    std::string user;
    std::string password;

    static QueryLogin of(const dbc_clone_request& req) {
        if (req.struct_size < offsetof(dbc_clone_request, query_password) + sizeof(char*) ||
            req.query_user_name == nullptr)
            return {};
        return {req.query_user_name, req.query_password != nullptr ? req.query_password : ""};
    }
};

// dbc_clone_request.limits_json as numbers; 0 is "no limit", as is a member
// the host left out.
struct TenantLimits {
    uint64_t connections = 0;
    uint64_t statement_timeout_ms = 0;
    uint64_t idle_in_transaction_timeout_ms = 0;
    uint64_t lock_timeout_ms = 0;
    uint64_t work_mem_kb = 0;
    uint64_t temp_file_limit_kb = 0;
    uint64_t queries_per_hour = 0;
    uint64_t disk_kb = 0;

    // Each limit by its limits_json name, in the ABI's order.
    std::vector<std::pair<std::string, uint64_t>> named() const {
        return {{"connections", connections},
                {"statement_timeout_ms", statement_timeout_ms},
                {"idle_in_transaction_timeout_ms", idle_in_transaction_timeout_ms},
                {"lock_timeout_ms", lock_timeout_ms},
                {"work_mem_kb", work_mem_kb},
                {"temp_file_limit_kb", temp_file_limit_kb},
                {"queries_per_hour", queries_per_hour},
                {"disk_kb", disk_kb}};
    }

    static TenantLimits of(const dbc_clone_request& req) {
        if (req.struct_size < offsetof(dbc_clone_request, limits_json) + sizeof(char*) ||
            req.limits_json == nullptr)
            return {};
        return parse(req.limits_json);
    }

    // `json` in the shape of limits_json; "" reads as no limits.
    static TenantLimits parse(std::string_view json) {
        TenantLimits l;
        if (json.empty()) return l;
        rapidjson::Document doc;
        doc.Parse(json.data(), json.size());
        if (!doc.IsObject()) throw Failure(DBC_INVALID_ARGUMENT, "limits_json is not an object");
        auto read = [&](const char* key, uint64_t& into) {
            if (!doc.HasMember(key)) return;
            if (!doc[key].IsUint64())
                throw Failure(DBC_INVALID_ARGUMENT,
                              std::string("limits_json.") + key + " is not a whole number");
            into = doc[key].GetUint64();
        };
        read("connections", l.connections);
        read("statement_timeout_ms", l.statement_timeout_ms);
        read("idle_in_transaction_timeout_ms", l.idle_in_transaction_timeout_ms);
        read("lock_timeout_ms", l.lock_timeout_ms);
        read("work_mem_kb", l.work_mem_kb);
        read("temp_file_limit_kb", l.temp_file_limit_kb);
        read("queries_per_hour", l.queries_per_hour);
        read("disk_kb", l.disk_kb);
        return l;
    }
};

// dbc_clone_result.limits_json, built a limit at a time.
class LimitsReport {
  public:
    void enforced(std::string_view key, std::string_view how) { add(key, "enforced", how); }
    void overridable(std::string_view key, std::string_view how) { add(key, "overridable", how); }
    void measured(std::string_view key, std::string_view how) { add(key, "measured", how); }
    void not_enforced(std::string_view key, std::string_view why) { add(key, "not_enforced", why); }
    std::string json() const { return body_.empty() ? "{}" : "{" + body_ + "}"; }

  private:
    void add(std::string_view key, std::string_view state, std::string_view detail) {
        if (!body_.empty()) body_ += ",";
        body_ += json_quote(key) + ":{\"state\":" + json_quote(state) +
                 ",\"detail\":" + json_quote(detail) + "}";
    }
    std::string body_;
};

}  // namespace dbclone::sdk
