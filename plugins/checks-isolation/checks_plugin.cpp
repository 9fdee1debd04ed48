// The `isolation` check plugin: dbclone's own verification checks. Each check
// really exercises the tenant through the host's services (the tenant's backend)
// and reports what it saw; one that cannot run says so.
#include "check_support.hpp"

namespace dbclone::checks {

namespace {

struct Entry {
    const char* name;
    const char* description;
    Check run;
    bool guardrail = false;  // about limits, not isolation (see list_checks)
};

constexpr Entry entries[] = {
    {"connection", "the tenant logs in with its own credentials and runs a query",
     check_connection},
    {"schema_integrity", "the schema fingerprint equals the golden copy's", check_schema_integrity},
    {"data_integrity",
     "every table's row count and checksum equal the golden copy's, and the engine's own "
     "consistency check finds nothing",
     check_data_integrity},
    {"name_isolation", "database, user, location and server are the tenant's own and unique",
     check_name_isolation},
    {"credentials_unique", "the tenant's password is long and shared with no other tenant",
     check_credentials_unique},
    {"data_isolation",
     "a canary planted in the tenant is absent from another tenant and the golden copy",
     check_data_isolation},
    {"cross_tenant_access", "every isolation probe of the backend, both ways, is denied",
     check_cross_tenant_access},
    {"container_isolation",
     "a container publishes on 127.0.0.1 only, on a network without inter-container traffic",
     check_container_isolation},
    {"performance", "latency of simple queries (p50, p95) and queries per second",
     check_performance},
    {"guardrails",
     "with the tenant's own logins: a write by the query login, a statement past the timeout, "
     "a session past the connection limit, lifting the timeout, a temp file past its limit, "
     "LOAD DATA LOCAL; each stopped by the server",
     check_guardrails, true},
};

}  // namespace

class IsolationChecks {
  public:
    static constexpr const char* description =
        "dbclone's verification checks (isolation, integrity, performance)";

    IsolationChecks(const sdk::Host&, const dbc_plugin_init&) {}

    void list_checks(const sdk::Sink& sink) {
        for (const auto& e : entries)
            sink.write("{\"name\":" + sdk::json_quote(e.name) +
                       ",\"description\":" + sdk::json_quote(e.description) +
                       (e.guardrail ? ",\"guardrail\":true}" : "}"));
    }

    void run_check(const dbc_check_context& context, const sdk::Sink& sink) {
        std::string name(sdk::view(context.check_name));
        for (const auto& e : entries) {
            if (name != e.name) continue;
            if (context.services == nullptr || context.tenant == nullptr)
                throw sdk::Failure(DBC_INVALID_ARGUMENT,
                                   "run_check needs a tenant and the host's services");
            Result result;
            try {
                result = e.run(context, Services(context.services));
            } catch (const sdk::Failure& f) {
                if (f.code() == DBC_NOT_SUPPORTED)
                    result = {"not_applicable", std::string("the backend cannot: ") + f.what(), {}};
                else
                    result = {name == "connection" ? "failed" : "error", f.what(), {}};
            } catch (const std::exception& ex) {
                // A failed login is the connection check failing; elsewhere the check could not
                // run.
                result = {name == "connection" ? "failed" : "error", ex.what(), {}};
            }
            sink.write(result.json());
            return;
        }
        throw sdk::Failure(DBC_NOT_FOUND, "no check " + name + " in this plugin");
    }
};

}  // namespace dbclone::checks

DBC_DECLARE_CHECK(dbclone::checks::IsolationChecks, "isolation", "0.1.0")
