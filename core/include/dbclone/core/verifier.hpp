// Verification of one tenant's clone by the loaded check plugins: each check
// really exercises the clone (through the tenant's backend, offered to the
// plugin as services) and reports what it saw. A check that could not run says
// `error` or `not_applicable`; nothing is reported passed that was not tested.
#pragma once

#include <string>
#include <vector>

#include "dbclone/core/engine.hpp"

namespace dbclone {

// One isolation probe as a backend reported it.
struct ProbeResult {
    std::string name;       // e.g. "connect_other_database"
    std::string direction;  // "a -> b": attacker -> victim
    std::string outcome;    // denied, allowed, not_enforced, not_applicable, error
    std::string detail;
};

struct CheckResult {
    std::string name;
    bool guardrail = false;  // a limits check (see CheckInfo), outside isolated()
    std::string outcome;     // passed, failed, not_applicable, not_enforced, error
    std::string details;
    double duration_ms = 0;
    std::vector<ProbeResult> probes;  // cross_tenant_access only
};

struct VerificationReport {
    std::string tenant_id;
    std::string db_type;
    std::vector<CheckResult> checks;
    double duration_ms = 0;
    // True when no check failed or errored.
    bool ok() const;
    // ok(), and no isolation check found its barrier missing on the server
    // (not_enforced): isolation a server does not enforce is not isolation.
    // Guardrail checks do not count: a limit the tenant can lift leaves the
    // tenants apart all the same.
    bool isolated() const;
    // Every guardrail check ran and passed (false when none ran).
    bool guarded() const;
};

class Verifier {
  public:
    explicit Verifier(Engine& engine) : engine_(engine) {}

    // The checks the loaded check plugins offer, in the order they run (the
    // first plugin to offer a name wins).
    std::vector<std::string> check_names();

    // Runs `checks` (all when empty) against the tenant; cross-tenant checks
    // attack `against`, or another ready tenant of the same type when empty.
    // Throws Error(NotFound) for an unknown tenant and Error(InvalidInput) for
    // an unknown check name.
    VerificationReport verify(const std::string& tenant_id,
                              const std::vector<std::string>& checks = {},
                              const std::string& against = "");

  private:
    struct Available {
        std::string name;
        CheckPlugin* plugin;
        bool guardrail;
    };
    std::vector<Available> available_checks();

    Engine& engine_;
};

}  // namespace dbclone
