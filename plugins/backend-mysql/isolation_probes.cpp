#include "isolation_probes.hpp"

#include <unistd.h>

#include <cstdio>
#include <dbclone/plugin_helpers.hpp>
#include <fstream>
#include <optional>

#include "mysql_connection.hpp"

namespace dbclone::mysql {

namespace {

// Runs `sql` as the attacker; an access-denied error is the wanted outcome.
void probe_statement(const sdk::Sink& sink, MysqlConnection& attacker, const std::string& name,
                     const std::string& sql) {
    auto error = attacker.try_exec(sql);
    if (!error)
        sdk::write_probe(sink, name, "allowed", "succeeded: " + sql);
    else if (is_access_denied(error->code))
        sdk::write_probe(sink, name, "denied", error->message);
    else
        sdk::write_probe(sink, name, "error",
                         error->message + " (error " + std::to_string(error->code) + ")");
}

void probe_load_data_local(const sdk::Sink& sink, const ServerUrl& server, const dbc_target& a) {
    auto error = try_load_data_local(server, a);
    if (!error)
        sdk::write_probe(sink, "load_data_local", "not_enforced",
                         "the server accepts LOAD DATA LOCAL INFILE: tenant SQL reads files of any "
                         "client that allows it; set local_infile=0 on the server");
    else if (refuses_local_infile(*error))
        sdk::write_probe(sink, "load_data_local", "denied", error->message);
    else
        sdk::write_probe(sink, "load_data_local", "error",
                         error->message + " (error " + std::to_string(error->code) + ")");
}

// Another tenant's session must not show its queries: the victim runs a query
// holding a random marker while the attacker looks for it in the process list.
void probe_other_sessions(const sdk::Sink& sink, const ServerUrl& victim_server,
                          MysqlConnection& attacker, const dbc_target& b) {
    std::string marker = "dbclone_probe_" + sdk::random_password().substr(0, 16);
    MysqlConnection victim(victim_server, b.location, login_of(b));
    victim.query("SELECT " + victim.quote_string(marker) + ", SLEEP(0)");
    auto seen = attacker.query(
        "SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND "
        "(USER = " +
        attacker.quote_string(b.user != nullptr ? b.user : "") + " OR INFO LIKE " +
        attacker.quote_string("%" + marker + "%") + ")");
    if (seen.at(0, 0) != "0")
        sdk::write_probe(sink, "see_other_sessions", "allowed",
                         std::string("sees the sessions of ") + b.tenant_id);
    else
        sdk::write_probe(
            sink, "see_other_sessions", "denied",
            std::string("the process list shows none of ") + b.tenant_id + "'s sessions");
}

}  // namespace

// LOAD DATA LOCAL INFILE makes the client send a file the SQL names. dbclone's
// clients never do (MYSQL_OPT_LOCAL_INFILE is off), but an application's client
// may; only the server's local_infile=0 closes it for every client. The attempt
// offers a file of its own over a connection that allows it.
std::optional<ServerError> try_load_data_local(const ServerUrl& server, const dbc_target& login) {
    std::string file = "/tmp/dbclone_probe_local_" + std::to_string(::getpid());
    {
        std::ofstream out(file);
        out << "dbclone probe\n";
    }
    std::optional<ServerError> error;
    try {
        MysqlConnection session(server, login.location, login_of(login), true);
        error = session.try_exec(
            "CREATE TEMPORARY TABLE dbclone_probe_local (line TEXT); LOAD DATA LOCAL INFILE " +
            session.quote_string(file) + " INTO TABLE dbclone_probe_local");
    } catch (const sdk::Failure& f) {
        error = ServerError{0, f.what()};
    }
    std::remove(file.c_str());
    return error;
}

bool refuses_local_infile(const ServerError& error) {
    return error.code == 1148 || error.code == 4166 || error.code == 3948 ||
           is_access_denied(error.code);
}

void run_isolation_probes(const ServerUrl& attacker_server, const ServerUrl& victim_server,
                          const dbc_target& a, const dbc_target& b, const std::string& registry,
                          const sdk::Sink& sink) {
    try {
        MysqlConnection into_b(victim_server, b.location, login_of(a));
        sdk::write_probe(sink, "connect_other_schema", "allowed",
                         std::string("logged in to ") + b.location + " as " + a.user);
    } catch (const sdk::Failure& f) {
        sdk::write_probe(sink, "connect_other_schema", f.code() == DBC_DENIED ? "denied" : "error",
                         f.what());
    }
    MysqlConnection attacker(attacker_server, a.location, login_of(a));
    std::string victim_schema = attacker.quote_identifier(b.location);
    // Without privileges the server refuses before it looks for the table; "no
    // such table" would mean it looked inside B's schema for A.
    std::string select = "SELECT * FROM " + victim_schema + ".customers LIMIT 1";
    if (auto e = attacker.try_exec(select); e && e->code == 1146)
        sdk::write_probe(sink, "select_other_table", "allowed",
                         "could look into " + std::string(b.location));
    else
        probe_statement(sink, attacker, "select_other_table", select);
    std::string probe_table = victim_schema + ".dbclone_isolation_probe";
    probe_statement(sink, attacker, "create_table_in_other_schema",
                    "CREATE TABLE " + probe_table + " (x INT)");
    attacker.try_exec("DROP TABLE IF EXISTS " + probe_table);  // if it was let through
    // SHOW DATABASES succeeds for everyone; isolation means it lists nothing but
    // the tenant's own schema (and information_schema).
    auto visible = attacker.query("SHOW DATABASES");
    std::string others;
    for (const auto& row : visible.rows)
        if (row[0] != a.location && row[0] != "information_schema")
            others += (others.empty() ? "" : ", ") + row[0];
    sdk::write_probe(sink, "show_databases", others.empty() ? "denied" : "allowed",
                     others.empty()
                         ? "lists only " + std::string(a.location) + " and information_schema"
                         : "also lists: " + others);
    probe_statement(
        sink, attacker, "select_into_outfile",
        "SELECT 1 INTO OUTFILE '/tmp/dbclone_probe_" + std::to_string(::getpid()) + "'");
    probe_statement(sink, attacker, "read_mysql_user", "SELECT * FROM mysql.user LIMIT 1");
    // LOAD_FILE does not fail without the FILE privilege: it returns NULL.
    auto file = attacker.query("SELECT LOAD_FILE('/etc/passwd')");
    bool read = file.size() == 1 && !file.nulls.at(0).at(0);
    sdk::write_probe(sink, "load_file", read ? "allowed" : "denied",
                     read ? "read /etc/passwd" : "LOAD_FILE('/etc/passwd') returned NULL");
    if (!registry.empty()) {
        auto stolen = attacker.query("SELECT LOAD_FILE(" + attacker.quote_string(registry) + ")");
        bool got = stolen.size() == 1 && !stolen.nulls.at(0).at(0);
        sdk::write_probe(sink, "read_registry", got ? "allowed" : "denied",
                         got ? "read " + registry : "LOAD_FILE of the registry returned NULL");
    }
    probe_load_data_local(sink, attacker_server, a);
    probe_other_sessions(sink, victim_server, attacker, b);
}

}  // namespace dbclone::mysql
