#include "isolation_probes.hpp"

#include <unistd.h>
#include <dbclone/plugin_helpers.hpp>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

namespace {

// Runs `sql` as the attacker; only "insufficient privilege" counts as denied.
void probe_statement(const sdk::Sink& sink, PgConnection& attacker, const std::string& name,
                     const std::string& sql) {
    auto error = attacker.try_exec(sql);
    if (!error)
        sdk::write_probe(sink, name, "allowed", "succeeded: " + sql);
    else if (error->sqlstate == "42501")
        sdk::write_probe(sink, name, "denied", error->message);
    else
        sdk::write_probe(sink, name, "error",
                         error->message + " (SQLSTATE " + error->sqlstate + ")");
}

// A login to the victim's database with the attacker's credentials, and what
// the attacker could do there if it were let in.
void probe_other_database(const sdk::Sink& sink, const std::string& url, const dbc_target& a,
                          const dbc_target& b) {
    // A's credentials, B's server and database: on a shared server the two are
    // one server; with dedicated placements B's server is another one.
    auto keywords = login_as(a, b.location);
    if (b.host != nullptr) keywords["host"] = b.host;
    if (b.port != 0) keywords["port"] = std::to_string(b.port);
    try {
        PgConnection into_b(url, keywords);
        sdk::write_probe(sink, "connect_other_database", "allowed",
                         std::string("logged in to ") + b.location + " as " + a.user);
        probe_statement(sink, into_b, "create_table_in_other_database",
                        "CREATE TABLE public.dbclone_isolation_probe (x int)");
    } catch (const sdk::Failure& f) {
        std::string outcome = f.code() == DBC_DENIED ? "denied" : "error";
        sdk::write_probe(sink, "connect_other_database", outcome, f.what());
        sdk::write_probe(sink, "create_table_in_other_database", outcome,
                         "cannot create anything in a database it cannot log in to");
    }
}

// dblink and postgres_fdw reach other databases from inside one; a tenant must
// be able neither to install them nor to use them against another tenant.
void probe_extension(const sdk::Sink& sink, PgConnection& attacker, const std::string& extension,
                     const dbc_target& b) {
    std::string name = extension + "_to_other_database";
    auto available = attacker.query(
        "SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = $1", {extension});
    if (available.size() == 0) {
        sdk::write_probe(sink, name, "not_applicable",
                         extension + " is not installed on this server");
        return;
    }
    auto installed =
        attacker.query("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = $1", {extension});
    if (installed.size() == 0) {
        probe_statement(sink, attacker, name, "CREATE EXTENSION " + extension + " SCHEMA public");
        return;
    }
    // Present in the attacker's database already: try it against the victim.
    std::string conninfo = "dbname=" + std::string(b.location) + " user=" + std::string(b.user);
    if (extension == "dblink")
        probe_statement(
            sink, attacker, name,
            "SELECT dblink_connect('dbclone_probe', " + attacker.quote_literal(conninfo) + ")");
    else
        probe_statement(sink, attacker, name,
                        "CREATE SERVER dbclone_probe FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                        "(dbname " +
                            attacker.quote_literal(b.location) + ")");
}

// Another tenant's session must not show its queries: the victim runs a query
// holding a random marker and stays connected while the attacker looks for the
// marker in pg_stat_activity. (Every login sees that other sessions exist, and
// their user and database names, as with pg_database; see docs/postgresql.md.)
void probe_other_sessions(const sdk::Sink& sink, const std::string& url, PgConnection& attacker,
                          const dbc_target& b) {
    std::string marker = "dbclone_probe_" + sdk::random_password().substr(0, 16);
    PgConnection victim(url, login_as(b, b.location));
    victim.query("SELECT $1::text", {marker});
    auto seen = attacker.query(
        "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE query LIKE '%' || $1 || '%' "
        "AND pid <> pg_catalog.pg_backend_pid()",
        {marker});
    if (seen.at(0, 0) != "0")
        sdk::write_probe(sink, "see_other_sessions", "allowed",
                         std::string("read the query text of ") + b.tenant_id + "'s session");
    else
        sdk::write_probe(sink, "see_other_sessions", "denied",
                         std::string("the query text of ") + b.tenant_id +
                             "'s session is hidden (insufficient privilege)");
}

}  // namespace

std::map<std::string, std::string> login_as(const dbc_target& target, const std::string& database) {
    std::map<std::string, std::string> keywords{{"dbname", database}};
    if (target.host != nullptr) keywords["host"] = target.host;
    if (target.port != 0) keywords["port"] = std::to_string(target.port);
    if (target.user != nullptr) keywords["user"] = target.user;
    keywords["password"] = target.password != nullptr ? target.password : "";
    // A tenant's role settings (ALTER ROLE ... SET search_path) must not steer
    // what dbclone's queries resolve to: options from the client outrank them.
    // And nothing the tenant made (a view in place of the canary table calling
    // pg_sleep, a lock it holds) keeps a dbclone session waiting past a minute.
    keywords["options"] =
        "-c client_min_messages=warning -c search_path=pg_catalog,public,pg_temp "
        "-c statement_timeout=60000 -c lock_timeout=60000";
    return keywords;
}

void run_isolation_probes(const std::string& url, const dbc_target& a, const dbc_target& b,
                          const std::string& registry, const sdk::Sink& sink) {
    probe_other_database(sink, url, a, b);
    PgConnection attacker(url, login_as(a, a.location));
    // With a server of its own, B's role does not even exist where A is.
    std::string set_role = "SET ROLE " + attacker.quote_identifier(b.user != nullptr ? b.user : "");
    if (auto e = attacker.try_exec(set_role); e && e->sqlstate == "22023")
        sdk::write_probe(sink, "set_role_other_tenant", "denied",
                         e->message + " (not on this server)");
    else
        probe_statement(sink, attacker, "set_role_other_tenant", set_role);
    probe_statement(sink, attacker, "read_pg_authid", "SELECT rolpassword FROM pg_authid");
    probe_statement(sink, attacker, "pg_read_file", "SELECT pg_read_file('/etc/passwd')");
    if (!registry.empty())
        probe_statement(sink, attacker, "read_registry",
                        "SELECT pg_read_binary_file(" + attacker.quote_literal(registry) + ")");
    probe_statement(sink, attacker, "copy_to_server_file",
                    "COPY (SELECT 1) TO '/tmp/dbclone_probe_" + std::to_string(::getpid()) + "'");
    probe_statement(sink, attacker, "copy_to_program", "COPY (SELECT 1) TO PROGRAM 'true'");
    probe_statement(sink, attacker, "lo_import", "SELECT lo_import('/etc/passwd')");
    probe_statement(sink, attacker, "pg_ls_dir", "SELECT pg_ls_dir('.')");
    probe_other_sessions(sink, url, attacker, b);
    probe_extension(sink, attacker, "dblink", b);
    probe_extension(sink, attacker, "postgres_fdw", b);
}

}  // namespace dbclone::postgresql
