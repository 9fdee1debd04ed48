#include "dbclone/core/verifier.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>

#include "dbclone/core/error.hpp"
#include "dbclone/core/tenant_id.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

struct Outcome {
    std::string outcome;
    std::string details;
};

Target target_of(const CloneRecord& r) {
    return Target{r.tenant_id, r.location, r.host, r.port, r.user_name, r.password};
}

Outcome check_connection(Backend& backend, const CloneRecord& r, Registry&) {
    if (!backend.probe(target_of(r)))
        return {"not_applicable", backend.info().name + " cannot probe connections"};
    return {"passed", "connected to " + r.location + " and ran a query"};
}

Outcome check_schema_integrity(Backend& backend, const CloneRecord& r, Registry&) {
    auto actual = backend.fingerprint(target_of(r));
    if (!actual) return {"not_applicable", backend.info().name + " cannot fingerprint schemas"};
    if (r.golden_fingerprint.empty())
        return {"error", "no fingerprint was recorded for the golden copy of " + r.root_version};
    if (*actual != r.golden_fingerprint)
        return {"failed", "schema fingerprint " + *actual + " differs from the golden copy's " +
                              r.golden_fingerprint};
    return {"passed", "schema fingerprint " + *actual + " equals the golden copy's"};
}

Outcome check_name_isolation(Backend& backend, const CloneRecord& r, Registry& registry) {
    std::vector<std::string> problems;
    if (r.database_name != tenant_database_name(r.tenant_id))
        problems.push_back("database name " + in_quotes(r.database_name) + " is not the tenant's");
    if (r.user_name != tenant_user_name(r.tenant_id))
        problems.push_back("user name " + in_quotes(r.user_name) + " is not the tenant's");
    if (r.location.find(r.database_name) == std::string::npos)
        problems.push_back("location " + in_quotes(r.location) +
                           " does not carry the database name");
    for (const auto& other : registry.clones()) {
        if (other.tenant_id == r.tenant_id) continue;
        if (other.location == r.location && other.host == r.host && other.port == r.port)
            problems.push_back("location is shared with tenant " + other.tenant_id);
        if (other.db_type == r.db_type && other.password == r.password)
            problems.push_back("password is shared with tenant " + other.tenant_id);
    }
    std::string details = "database " + r.database_name + ", user " + r.user_name +
                          ", location unique among " + std::to_string(registry.clones().size()) +
                          " clones";
    if (backend.has_capability(DBC_CAP_EMBEDDED)) {
        struct stat st {};
        if (::stat(r.location.c_str(), &st) != 0)
            problems.push_back("file " + r.location + " is missing");
        else if ((st.st_mode & 077) != 0)
            problems.push_back("file " + r.location + " is readable by other users");
        else
            details += ", file mode 0600";
    }
    if (!problems.empty()) return {"failed", join(problems, "; ")};
    return {"passed", details};
}

using CheckFn = std::function<Outcome(Backend&, const CloneRecord&, Registry&)>;

const std::vector<std::pair<std::string, CheckFn>>& checks() {
    static const std::vector<std::pair<std::string, CheckFn>> all = {
        {"connection", check_connection},
        {"schema_integrity", check_schema_integrity},
        {"name_isolation", check_name_isolation},
    };
    return all;
}

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

}  // namespace

bool VerificationReport::ok() const {
    return std::none_of(checks.begin(), checks.end(), [](const CheckResult& c) {
        return c.outcome == "failed" || c.outcome == "error";
    });
}

const std::vector<std::string>& Verifier::check_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto& [name, fn] : checks()) out.push_back(name);
        return out;
    }();
    return names;
}

VerificationReport Verifier::verify(const std::string& tenant_id,
                                    const std::vector<std::string>& selected) {
    validate_tenant_id(tenant_id);
    for (const auto& name : selected)
        if (std::find(check_names().begin(), check_names().end(), name) == check_names().end())
            throw Error(ErrorKind::InvalidInput,
                        "unknown check " + in_quotes(name) + "; available: " + join(check_names()));
    auto start = std::chrono::steady_clock::now();
    auto& registry = engine_.registry();
    auto record = registry.find_clone(tenant_id);
    if (!record) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(tenant_id));
    if (record->state != "ready")
        throw Error(ErrorKind::Conflict, "tenant " + in_quotes(tenant_id) + " is " + record->state);
    Backend& backend = engine_.backend(record->db_type);
    VerificationReport report{tenant_id, record->db_type, {}, 0};
    for (const auto& [name, fn] : checks()) {
        if (!selected.empty() &&
            std::find(selected.begin(), selected.end(), name) == selected.end())
            continue;
        auto check_start = std::chrono::steady_clock::now();
        Outcome outcome;
        try {
            outcome = fn(backend, *record, registry);
        } catch (const std::exception& e) {
            outcome = {name == "connection" ? "failed" : "error", e.what()};
        }
        report.checks.push_back({name, outcome.outcome, outcome.details, ms_since(check_start)});
    }
    report.duration_ms = ms_since(start);
    return report;
}

}  // namespace dbclone
