// Checks of a tenant's own database and names: it answers, its schema is the
// golden copy's, its names and credentials are its own.
#include <sys/stat.h>

#include "check_support.hpp"

namespace dbclone::checks {

namespace {

std::string field(const std::string& json, const char* key) {
    return sdk::option_string(json.c_str(), key);
}

}  // namespace

Result check_connection(const dbc_check_context& c, const Services& s) {
    s.probe(*c.tenant);
    return {"passed",
            std::string("logged in to ") + c.tenant->location + " as " +
                (c.tenant->user != nullptr ? c.tenant->user : "(no login)") + " and ran a query",
            {}};
}

Result check_schema_integrity(const dbc_check_context& c, const Services& s) {
    std::string expected = sdk::option_string(c.options_json, "golden_fingerprint");
    if (expected.empty()) return {"error", "no fingerprint was recorded for the golden copy", {}};
    std::string actual = s.fingerprint(*c.tenant);
    if (actual != expected)
        return {"failed",
                "schema fingerprint " + actual + " differs from the golden copy's " + expected,
                {}};
    return {"passed", "schema fingerprint " + actual + " equals the golden copy's", {}};
}

Result check_name_isolation(const dbc_check_context& c, const Services& s) {
    std::string id = c.tenant->tenant_id, location = c.tenant->location;
    std::string host = c.tenant->host != nullptr ? c.tenant->host : "";
    std::vector<std::string> problems;
    std::string database = sdk::tenant_database(id), user = sdk::tenant_user(id);
    if (field(c.tenant_json, "connection").empty() && location.find(database) == std::string::npos)
        problems.push_back("location " + location + " does not carry the database name " +
                           database);
    if (c.tenant->user != nullptr && std::string(c.tenant->user) != user)
        problems.push_back("user " + std::string(c.tenant->user) + " is not " + user);
    auto all = s.tenants();
    std::string server;
    for (const auto& t : all) {
        if (field(t, "tenant_id") == id) {
            server = field(t, "server");
            continue;
        }
        bool same_place = field(t, "location") == location && field(t, "host") == host &&
                          sdk::option_int(t.c_str(), "port", 0) == c.tenant->port;
        if (same_place)
            problems.push_back("location is shared with tenant " + field(t, "tenant_id"));
        if (!server.empty() && field(t, "server") == server)
            problems.push_back("server is shared with tenant " + field(t, "tenant_id"));
    }
    std::string details = "database " + database + ", user " + user + ", location unique among " +
                          std::to_string(all.size()) + " tenants";
    if (!location.empty() && location.front() == '/') {
        struct stat st {};
        if (::stat(location.c_str(), &st) != 0)
            problems.push_back("file " + location + " is missing");
        else if ((st.st_mode & 077) != 0)
            problems.push_back("file " + location + " is readable by other users");
        else
            details += ", file mode 0600";
    }
    if (!server.empty()) details += ", server " + server + " its own";
    if (!problems.empty()) {
        std::string joined;
        for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
        return {"failed", joined, {}};
    }
    return {"passed", details, {}};
}

Result check_credentials_unique(const dbc_check_context& c, const Services& s) {
    std::string id = c.tenant->tenant_id, mine;
    auto all = s.tenants();
    for (const auto& t : all)
        if (field(t, "tenant_id") == id) mine = field(t, "password_sha256");
    if (mine.empty()) return {"error", "the tenant is not in the registry", {}};
    for (const auto& t : all)
        if (field(t, "tenant_id") != id && field(t, "password_sha256") == mine)
            return {"failed", "password is shared with tenant " + field(t, "tenant_id"), {}};
    if (c.tenant->password == nullptr || std::string(c.tenant->password).size() < 32)
        return {"failed", "password is shorter than 32 characters", {}};
    return {"passed",
            "32-character password, shared with none of " + std::to_string(all.size() - 1) +
                " other tenants (compared by sha256)",
            {}};
}

}  // namespace dbclone::checks
