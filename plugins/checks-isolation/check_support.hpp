// What every check of this plugin shares: its result, and calls on the host's
// services that throw instead of returning codes.
#pragma once

#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

namespace dbclone::checks {

struct Probe {
    std::string name, direction, outcome, detail;
};

struct Result {
    std::string outcome;  // passed, failed, not_applicable, not_enforced, error
    std::string details;
    std::vector<Probe> probes;
    std::string json() const;
};

// The host's services for one run, with errors as exceptions (sdk::Failure).
class Services {
  public:
    explicit Services(const dbc_check_services* table) : t_(table) {}
    void probe(const dbc_target& target) const;
    std::string fingerprint(const dbc_target& target) const;
    std::vector<std::string> attempt_access(const dbc_target& attacker,
                                            const dbc_target& victim) const;
    // nullopt when the target cannot hold a canary (DBC_NOT_SUPPORTED).
    std::optional<bool> canary(const dbc_target& target, dbc_canary_op op,
                               const std::string& token) const;
    std::string run_queries(const dbc_target& target, uint32_t count) const;
    // The backend's content record of the target (Failure DBC_NOT_SUPPORTED if
    // the host or the backend has none).
    std::string content(const dbc_target& target) const;
    // The backend's guardrail attempts (Failure DBC_NOT_SUPPORTED if the host
    // or the backend has none).
    std::vector<std::string> attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                                                const std::string& limits_json) const;
    std::vector<std::string> tenants() const;
    // nullopt for a tenant without a dedicated server.
    std::optional<std::string> server(const std::string& tenant) const;

  private:
    const dbc_check_services* t_;
};

using Check = Result (*)(const dbc_check_context&, const Services&);

Result check_connection(const dbc_check_context&, const Services&);
Result check_schema_integrity(const dbc_check_context&, const Services&);
Result check_data_integrity(const dbc_check_context&, const Services&);
Result check_name_isolation(const dbc_check_context&, const Services&);
Result check_credentials_unique(const dbc_check_context&, const Services&);
Result check_data_isolation(const dbc_check_context&, const Services&);
Result check_cross_tenant_access(const dbc_check_context&, const Services&);
Result check_container_isolation(const dbc_check_context&, const Services&);
Result check_performance(const dbc_check_context&, const Services&);
Result check_guardrails(const dbc_check_context&, const Services&);

}  // namespace dbclone::checks
