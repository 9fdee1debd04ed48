#include "isolation_probes.hpp"

#include <dbclone/sqlite_tenant.h>
#include <sqlite3.h>
#include <unistd.h>
#include <dbclone/plugin_helpers.hpp>

#include <filesystem>
#include <memory>

namespace dbclone::sqlite_backend {

namespace {

struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

// The attacker's own file, opened hardened (the recipe) or plain.
Connection open_attacker(const dbc_target& attacker, bool hardened) {
    sqlite3* db = nullptr;
    int rc = hardened ? dbclone_sqlite_open_tenant(attacker.location, &db)
                      : sqlite3_open_v2(attacker.location, &db, SQLITE_OPEN_READWRITE, nullptr);
    Connection out(db);
    if (rc != SQLITE_OK)
        throw sdk::Failure(DBC_UNAVAILABLE, std::string("cannot open ") + attacker.location + ": " +
                                                (db != nullptr ? sqlite3_errmsg(db) : "no memory"));
    return out;
}

// Runs `sql`; nullptr when it succeeded, else SQLite's message.
std::unique_ptr<std::string> try_sql(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return nullptr;
    auto out = std::make_unique<std::string>(message != nullptr ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return out;
}

std::string sql_literal(const std::string& value) {
    char* q = sqlite3_mprintf("%Q", value.c_str());
    std::string out = q != nullptr ? q : "''";
    sqlite3_free(q);
    return out;
}

// ATTACHes `file` and reads its schema: only an error counts as denied.
void probe_attach(const sdk::Sink& sink, sqlite3* db, const std::string& name,
                  const std::string& file, std::string_view allowed_outcome,
                  std::string_view allowed_detail) {
    auto error = try_sql(db, "ATTACH " + sql_literal(file) + " AS dbclone_probe");
    if (!error) error = try_sql(db, "SELECT count(*) FROM dbclone_probe.sqlite_schema");
    try_sql(db, "DETACH dbclone_probe");
    if (error)
        sdk::write_probe(sink, name, "denied", *error);
    else
        sdk::write_probe(sink, name, allowed_outcome,
                         "attached and read " + file + "; " + std::string(allowed_detail));
}

// With the registry attached on a plain connection: a password in plain text
// there (the victim's) would be a leak; sealed ones are not.
void probe_registry_passwords(const sdk::Sink& sink, sqlite3* db, const std::string& registry,
                              const dbc_target& victim) {
    const char* name = "read_passwords_from_registry";
    if (try_sql(db, "ATTACH " + sql_literal(registry) + " AS dbclone_probe") != nullptr) {
        sdk::write_probe(sink, name, "denied", "the registry cannot be attached");
        return;
    }
    sqlite3_stmt* stmt = nullptr;
    bool found = false;
    std::string problem;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM dbclone_probe.clones WHERE password = ?", -1,
                           &stmt, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, victim.password != nullptr ? victim.password : "", -1,
                          SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW)
            found = sqlite3_column_int64(stmt, 0) > 0;
        else
            problem = sqlite3_errmsg(db);
    } else {
        problem = sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
    try_sql(db, "DETACH dbclone_probe");
    if (found)
        sdk::write_probe(
            sink, name, "allowed",
            std::string("the registry holds ") + victim.tenant_id + "'s password in plain text");
    else if (!problem.empty())
        sdk::write_probe(sink, name, "error", problem);
    else
        sdk::write_probe(sink, name, "denied",
                         "the registry attached, but its passwords are sealed (no plain match)");
}

}  // namespace

void run_isolation_probes(const dbc_target& attacker, const dbc_target& victim,
                          const std::string& registry, const sdk::Sink& sink) {
    if (attacker.location == nullptr || victim.location == nullptr)
        throw sdk::Failure(DBC_INVALID_ARGUMENT, "both tenants need a file location");
    std::string victim_file = victim.location;
    // Where an attacker would write a copy of its database, or any file.
    std::string scratch = (std::filesystem::path(attacker.location).parent_path() /
                           ("dbclone_probe_" + std::to_string(::getpid()) + ".sqlite"))
                              .string();

    // 1. The recipe (dbclone/sqlite_tenant.h): every way out must be refused.
    {
        Connection db = open_attacker(attacker, true);
        probe_attach(sink, db.get(), "attach_other_tenant", victim_file, "allowed",
                     "the hardened connection let SQL attach another file");
        if (!registry.empty())
            probe_attach(sink, db.get(), "attach_registry", registry, "allowed",
                         "the hardened connection let SQL attach the registry");
        auto vacuum = try_sql(db.get(), "VACUUM INTO " + sql_literal(scratch));
        std::error_code ec;
        bool written = std::filesystem::exists(scratch, ec);
        std::filesystem::remove(scratch, ec);
        if (vacuum && !written)
            sdk::write_probe(sink, "vacuum_into_file", "denied", *vacuum);
        else
            sdk::write_probe(sink, "vacuum_into_file", "allowed", "wrote " + scratch);
        auto load = try_sql(db.get(), "SELECT load_extension('/nonexistent/dbclone_probe')");
        if (load && load->find("not authorized") != std::string::npos)
            sdk::write_probe(sink, "load_extension", "denied", *load);
        else
            sdk::write_probe(sink, "load_extension", "allowed",
                             load ? "reached the loader: " + *load : "loaded an extension");
    }

    // 2. A plain open: only the OS's file permissions stand between tenants.
    // When the application runs as the OS user that owns every tenant file
    // (as dbclone's own process does), nothing stops ATTACH: not enforced.
    {
        Connection db = open_attacker(attacker, false);
        probe_attach(sink, db.get(), "attach_other_tenant_plain_open", victim_file, "not_enforced",
                     "an application that opens tenants with a plain sqlite3_open must use "
                     "dbclone/sqlite_tenant.h (or run each tenant as its own OS user)");
        if (!registry.empty()) {
            probe_attach(sink, db.get(), "attach_registry_plain_open", registry, "not_enforced",
                         "a plain sqlite3_open lets tenant SQL reach the registry; use "
                         "dbclone/sqlite_tenant.h");
            probe_registry_passwords(sink, db.get(), registry, victim);
        }
    }
}

}  // namespace dbclone::sqlite_backend
