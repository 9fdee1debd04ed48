// Checks that really try to cross from one tenant to another: a canary planted
// in A must not appear in B or the golden copy; every backend probe, both ways,
// must be denied; a container must publish on loopback only, on a network whose
// containers cannot talk to each other.
#include <sys/random.h>

#include <cstdio>

#include "check_support.hpp"

namespace dbclone::checks {

namespace {

std::string random_token() {
    static constexpr char digits[] = "0123456789abcdef";
    unsigned char bytes[12];
    if (::getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
        throw sdk::Failure(DBC_ERROR, "no random bytes for a canary");
    std::string out = "canary-";
    for (unsigned char b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

}  // namespace

Result check_data_isolation(const dbc_check_context& c, const Services& s) {
    std::string token = random_token();
    auto planted = s.canary(*c.tenant, DBC_CANARY_PLANT, token);
    if (!planted) return {"not_applicable", "this backend cannot hold a canary", {}};
    std::vector<std::string> leaks, notes;
    try {
        // The same search must find it where it was planted, or it proves nothing.
        if (!s.canary(*c.tenant, DBC_CANARY_FIND, token).value_or(false))
            throw sdk::Failure(DBC_ERROR, "the canary planted in the tenant cannot be found there");
        if (c.other != nullptr) {
            if (s.canary(*c.other, DBC_CANARY_FIND, token).value_or(false))
                leaks.push_back(std::string("tenant ") + c.other->tenant_id);
            else
                notes.push_back(std::string("absent from ") + c.other->tenant_id);
        }
        if (c.golden != nullptr) {
            auto in_golden = s.canary(*c.golden, DBC_CANARY_FIND, token);
            if (in_golden.value_or(false)) {
                leaks.push_back("the golden copy");
            } else if (in_golden) {
                notes.push_back("absent from the golden copy");
            } else {
                // A template admits no connection; its recorded schema is unchanged.
                std::string expected = sdk::option_string(c.options_json, "golden_fingerprint");
                if (!expected.empty() && s.fingerprint(*c.golden) == expected)
                    notes.push_back("golden copy unchanged (fingerprint)");
            }
        }
    } catch (...) {
        s.canary(*c.tenant, DBC_CANARY_REMOVE, token);
        throw;
    }
    s.canary(*c.tenant, DBC_CANARY_REMOVE, token);
    if (s.canary(*c.tenant, DBC_CANARY_FIND, token).value_or(false))
        return {"error", "the canary could not be removed from the tenant", {}};
    std::string details;
    for (const auto& n : notes) details += (details.empty() ? "" : ", ") + n;
    if (!leaks.empty()) {
        std::string where;
        for (const auto& l : leaks) where += (where.empty() ? "" : ", ") + l;
        return {"failed",
                "canary " + token + " planted in " + c.tenant->tenant_id + " is also in " + where,
                {}};
    }
    if (c.other == nullptr && c.golden == nullptr)
        return {"not_applicable", "nothing to compare with", {}};
    return {"passed",
            "canary " + token + " planted in " + c.tenant->tenant_id + ": " + details + "; removed",
            {}};
}

Result check_cross_tenant_access(const dbc_check_context& c, const Services& s) {
    if (c.other == nullptr)
        return {"not_applicable", "no other ready tenant of this type to attack", {}};
    Result out;
    int allowed = 0, errors = 0, not_enforced = 0, denied = 0;
    for (int round = 0; round < 2; ++round) {
        const dbc_target& attacker = round == 0 ? *c.tenant : *c.other;
        const dbc_target& victim = round == 0 ? *c.other : *c.tenant;
        std::vector<std::string> records;
        try {
            records = s.attempt_access(attacker, victim);
        } catch (const sdk::Failure& f) {
            if (f.code() == DBC_NOT_SUPPORTED)
                return {"not_applicable", "this backend has no isolation probes", {}};
            throw;
        }
        for (const auto& r : records) {
            Probe p{sdk::option_string(r.c_str(), "name"),
                    std::string(attacker.tenant_id) + " -> " + victim.tenant_id,
                    sdk::option_string(r.c_str(), "outcome"),
                    sdk::option_string(r.c_str(), "detail")};
            allowed += p.outcome == "allowed";
            errors += p.outcome == "error";
            not_enforced += p.outcome == "not_enforced";
            denied += p.outcome == "denied";
            out.probes.push_back(std::move(p));
        }
    }
    out.details = std::to_string(out.probes.size()) + " probes between " + c.tenant->tenant_id +
                  " and " + c.other->tenant_id + ": " + std::to_string(denied) + " denied, " +
                  std::to_string(allowed) + " allowed, " + std::to_string(not_enforced) +
                  " not enforced, " + std::to_string(errors) + " errors";
    out.outcome = allowed > 0                       ? "failed"
                  : errors > 0                      ? "error"
                  : denied == 0 && not_enforced > 0 ? "not_enforced"
                  : denied == 0                     ? "not_applicable"
                  : not_enforced > 0                ? "not_enforced"
                                                    : "passed";
    return out;
}

Result check_container_isolation(const dbc_check_context& c, const Services& s) {
    auto server = s.server(c.tenant->tenant_id);
    if (!server) return {"not_applicable", "the tenant has no server of its own", {}};
    if (sdk::option_string(server->c_str(), "host_ips").empty() &&
        server->find("\"host_ips\"") == std::string::npos)
        return {"not_applicable", "the tenant's server is a local process, not a container", {}};
    std::vector<std::string> problems;
    // host_ips: where the container's ports are published; only loopback is allowed.
    std::string text = *server;
    auto list = text.substr(text.find("\"host_ips\""));
    list = list.substr(0, list.find(']'));
    size_t published = 0;
    for (size_t at = list.find('"', list.find('[')); at != std::string::npos;
         at = list.find('"', at + 1)) {
        size_t end = list.find('"', at + 1);
        std::string ip = list.substr(at + 1, end - at - 1);
        ++published;
        if (ip != "127.0.0.1")
            problems.push_back("a port is published on " + (ip.empty() ? "every address" : ip));
        at = end;
    }
    if (published == 0) problems.push_back("no published port found");
    if (sdk::option_string(server->c_str(), "network_icc") != "false")
        problems.push_back("its network lets containers reach each other");
    if (!problems.empty()) {
        std::string joined;
        for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
        return {"failed", joined, {}};
    }
    return {"passed",
            std::to_string(published) + " port(s) published on 127.0.0.1 only; network " +
                sdk::option_string(server->c_str(), "network") +
                " has inter-container communication disabled",
            {}};
}

Result check_performance(const dbc_check_context& c, const Services& s) {
    uint32_t count = static_cast<uint32_t>(sdk::option_int(c.options_json, "queries", 100));
    std::string record = s.run_queries(*c.tenant, count);
    char details[200];
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(record.c_str());
    double p50 = doc.IsObject() && doc.HasMember("p50_ms") ? doc["p50_ms"].GetDouble() : 0;
    double p95 = doc.IsObject() && doc.HasMember("p95_ms") ? doc["p95_ms"].GetDouble() : 0;
    double qps = doc.IsObject() && doc.HasMember("queries_per_second")
                     ? doc["queries_per_second"].GetDouble()
                     : 0;
    std::snprintf(details, sizeof details, "%u queries: p50 %.3f ms, p95 %.3f ms, %.0f queries/s",
                  count, p50, p95, qps);
    return {"passed", details, {}};
}

}  // namespace dbclone::checks
