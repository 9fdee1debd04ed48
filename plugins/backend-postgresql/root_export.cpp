#include "root_export.hpp"

#include <libpq-fe.h>
#include <postgresql_install.hpp>

#include <dbclone/child_program.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <filesystem>

namespace fs = std::filesystem;

namespace dbclone::postgresql {

std::string find_pg_program(const std::string& name) {
    if (std::string bin = newest_postgresql_bin_with(name); !bin.empty()) return bin + "/" + name;
    for (const char* dir : {"/usr/bin", "/usr/local/bin"})
        if (fs::exists(fs::path(dir) / name)) return std::string(dir) + "/" + name;
    throw sdk::Failure(DBC_NOT_SUPPORTED, name + " is not installed (Debian: postgresql-client)");
}

std::vector<std::string> export_root(const std::string& url, const std::string& dir) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (options == nullptr) {
        std::string why = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "not a PostgreSQL URL (" + sdk::redact_quoted(why) + ")");
    }
    std::vector<std::string> env;
    std::string database;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || o->envvar == nullptr) continue;
        env.push_back(std::string(o->envvar) + "=" + o->val);
        if (std::string(o->keyword) == "dbname") database = o->val;
    }
    PQconninfoFree(options);
    if (database.empty())
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "the URL names no database: postgresql://user@host:port/DATABASE");
    std::string file = "postgresql.sql";
    auto dumped = sdk::run_program({find_pg_program("pg_dump")}, env, dir + "/" + file);
    if (dumped.exit_code != 0)
        throw sdk::Failure(DBC_UNAVAILABLE, "pg_dump of database " + database + " failed: " +
                                                sdk::redact_quoted(dumped.last_error_line()));
    return {file};
}

}  // namespace dbclone::postgresql
