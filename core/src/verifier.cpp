#include "dbclone/core/verifier.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"
#include "dbclone/core/tenant_id.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

// What a check sees: the tenant, its backend, the registry, and the tenant it
// may attack (nullptr when there is none).
struct CheckContext {
    Backend& backend;
    const CloneRecord& tenant;
    Registry& registry;
    const CloneRecord* other;
};

struct Outcome {
    std::string outcome;
    std::string details;
    std::vector<ProbeResult> probes;
};

Target target_of(const CloneRecord& r) {
    return Target{r.tenant_id, r.location, r.host, r.port, r.user_name, r.password};
}

Outcome check_connection(const CheckContext& c) {
    if (!c.backend.probe(target_of(c.tenant)))
        return {"not_applicable", c.backend.info().name + " cannot probe connections", {}};
    return {"passed",
            "logged in to " + c.tenant.location + " as " + c.tenant.user_name + " and ran a query",
            {}};
}

Outcome check_schema_integrity(const CheckContext& c) {
    auto actual = c.backend.fingerprint(target_of(c.tenant));
    if (!actual)
        return {"not_applicable", c.backend.info().name + " cannot fingerprint schemas", {}};
    const std::string& expected = c.tenant.golden_fingerprint;
    if (expected.empty())
        return {"error",
                "no fingerprint was recorded for the golden copy of " + c.tenant.root_version,
                {}};
    if (*actual != expected)
        return {"failed",
                "schema fingerprint " + *actual + " differs from the golden copy's " + expected,
                {}};
    return {"passed", "schema fingerprint " + *actual + " equals the golden copy's", {}};
}

Outcome check_name_isolation(const CheckContext& c) {
    const CloneRecord& r = c.tenant;
    std::vector<std::string> problems;
    if (r.database_name != tenant_database_name(r.tenant_id))
        problems.push_back("database name " + in_quotes(r.database_name) + " is not the tenant's");
    if (r.user_name != tenant_user_name(r.tenant_id))
        problems.push_back("user name " + in_quotes(r.user_name) + " is not the tenant's");
    if (r.location.find(r.database_name) == std::string::npos)
        problems.push_back("location " + in_quotes(r.location) +
                           " does not carry the database name");
    auto all = c.registry.clones();
    for (const auto& other : all) {
        if (other.tenant_id == r.tenant_id) continue;
        if (other.location == r.location && other.host == r.host && other.port == r.port)
            problems.push_back("location is shared with tenant " + other.tenant_id);
        if (other.db_type == r.db_type && other.password == r.password)
            problems.push_back("password is shared with tenant " + other.tenant_id);
    }
    std::string details = "database " + r.database_name + ", user " + r.user_name +
                          ", location and password unique among " + std::to_string(all.size()) +
                          " clones";
    if (c.backend.has_capability(DBC_CAP_EMBEDDED)) {
        struct stat st {};
        if (::stat(r.location.c_str(), &st) != 0)
            problems.push_back("file " + r.location + " is missing");
        else if ((st.st_mode & 077) != 0)
            problems.push_back("file " + r.location + " is readable by other users");
        else
            details += ", file mode 0600";
    }
    if (!problems.empty()) return {"failed", join(problems, "; "), {}};
    return {"passed", details, {}};
}

// Every probe of the backend, A against B and B against A. One "allowed" fails
// the check; a probe that could not run makes it an error; probes the server
// cannot enforce are reported as such, never as passed.
Outcome check_cross_tenant_access(const CheckContext& c) {
    if (c.other == nullptr)
        return {"not_applicable", "no other ready " + c.tenant.db_type + " tenant to attack", {}};
    Outcome out;
    int allowed = 0, errors = 0, not_enforced = 0, denied = 0;
    for (const auto* pair : {&c.tenant, c.other}) {
        const CloneRecord& attacker = *pair;
        const CloneRecord& victim = pair == &c.tenant ? *c.other : c.tenant;
        auto records = c.backend.attempt_access(target_of(attacker), target_of(victim));
        if (!records)
            return {"not_applicable", c.backend.info().name + " has no isolation probes", {}};
        for (const auto& text : *records) {
            auto doc = json::parse(text, "probe record");
            std::string where = "probe record";
            ProbeResult p{json::optional_string(doc, "name", where).value_or("?"),
                          attacker.tenant_id + " -> " + victim.tenant_id,
                          json::optional_string(doc, "outcome", where).value_or("error"),
                          json::optional_string(doc, "detail", where).value_or("")};
            allowed += p.outcome == "allowed";
            errors += p.outcome == "error";
            not_enforced += p.outcome == "not_enforced";
            denied += p.outcome == "denied";
            out.probes.push_back(std::move(p));
        }
    }
    out.details = std::to_string(out.probes.size()) + " probes between " + c.tenant.tenant_id +
                  " and " + c.other->tenant_id + ": " + std::to_string(denied) + " denied, " +
                  std::to_string(allowed) + " allowed, " + std::to_string(not_enforced) +
                  " not enforced, " + std::to_string(errors) + " errors";
    out.outcome = allowed > 0                       ? "failed"
                  : errors > 0                      ? "error"
                  : denied == 0 && not_enforced > 0 ? "not_enforced"
                  : denied == 0                     ? "not_applicable"
                                                    : "passed";
    return out;
}

using CheckFn = std::function<Outcome(const CheckContext&)>;

const std::vector<std::pair<std::string, CheckFn>>& checks() {
    static const std::vector<std::pair<std::string, CheckFn>> all = {
        {"connection", check_connection},
        {"schema_integrity", check_schema_integrity},
        {"name_isolation", check_name_isolation},
        {"cross_tenant_access", check_cross_tenant_access},
    };
    return all;
}

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

// The tenant to attack: `against` if given (same type, ready), else the first
// other ready tenant of the same type.
std::optional<CloneRecord> choose_other(Registry& registry, const CloneRecord& tenant,
                                        const std::string& against) {
    if (!against.empty()) {
        validate_tenant_id(against);
        auto other = registry.find_clone(against);
        if (!other) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(against));
        if (against == tenant.tenant_id || other->db_type != tenant.db_type ||
            other->state != "ready")
            throw Error(ErrorKind::InvalidInput, "--against must name another ready " +
                                                     tenant.db_type + " tenant, not " +
                                                     in_quotes(against));
        return other;
    }
    for (const auto& r : registry.clones())
        if (r.tenant_id != tenant.tenant_id && r.db_type == tenant.db_type && r.state == "ready")
            return r;
    return std::nullopt;
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
                                    const std::vector<std::string>& selected,
                                    const std::string& against) {
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
    auto other = choose_other(registry, *record, against);
    Backend& backend = engine_.backend(record->db_type);
    CheckContext context{backend, *record, registry, other ? &*other : nullptr};
    VerificationReport report{tenant_id, record->db_type, {}, 0};
    for (const auto& [name, fn] : checks()) {
        if (!selected.empty() &&
            std::find(selected.begin(), selected.end(), name) == selected.end())
            continue;
        auto check_start = std::chrono::steady_clock::now();
        Outcome outcome;
        try {
            outcome = fn(context);
        } catch (const std::exception& e) {
            outcome = {name == "connection" ? "failed" : "error", e.what(), {}};
        }
        report.checks.push_back({name, outcome.outcome, outcome.details, ms_since(check_start),
                                 std::move(outcome.probes)});
    }
    report.duration_ms = ms_since(start);
    return report;
}

}  // namespace dbclone
