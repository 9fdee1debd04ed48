#include "build_lock.hpp"

#include <dbclone/sdk.hpp>

namespace dbclone::postgresql {

namespace {

// The lock database exists, and only its owner (the admin) and superusers may
// connect. CREATE DATABASE has no IF NOT EXISTS: a concurrent creator's
// duplicate (42P04) is success too.
PgConnection open_lock_session(PgConnection& admin, const std::string& admin_url) {
    if (admin.query("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", {lock_database})
            .size() == 0) {
        auto error =
            admin.try_exec(std::string("CREATE DATABASE ") + admin.quote_identifier(lock_database));
        if (error && error->sqlstate != "42P04")
            throw sdk::Failure(DBC_ERROR, "creating database " + std::string(lock_database) +
                                              " failed: " + error->message);
    }
    // Closed once, checked each time. Two sessions revoking at once collide
    // ("tuple concurrently updated", a killed builder's session may still be
    // at it): what counts is that PUBLIC has no privilege left afterwards.
    auto open_to_public = [&] {
        return admin
                   .query(
                       "SELECT pg_catalog.has_database_privilege('public', $1, 'CONNECT') OR "
                       "pg_catalog.has_database_privilege('public', $1, 'TEMPORARY')",
                       {lock_database})
                   .at(0, 0) == "t";
    };
    if (open_to_public()) {
        auto error = admin.try_exec(std::string("REVOKE ALL ON DATABASE ") +
                                    admin.quote_identifier(lock_database) + " FROM PUBLIC");
        if (error && open_to_public())
            throw sdk::Failure(DBC_ERROR, std::string("closing ") + lock_database +
                                              " to other logins failed: " + error->message);
    }
    return PgConnection(admin_url, {{"dbname", lock_database}});
}

}  // namespace

BuildLock::BuildLock(PgConnection& admin, const std::string& admin_url, const std::string& name,
                     std::chrono::milliseconds timeout)
    : session_(open_lock_session(admin, admin_url)) {
    session_.exec("SET lock_timeout = " + std::to_string(timeout.count()), "setting lock_timeout");
    auto error = session_.try_exec("SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext(" +
                                   session_.quote_literal(name) + "))");
    if (!error) return;
    if (error->sqlstate == "55P03")
        throw sdk::Failure(DBC_TIMEOUT, "waited " + std::to_string(timeout.count() / 1000) +
                                            " s for the build lock of " + name + " in database " +
                                            lock_database +
                                            " (another dbclone is building it); try again later");
    throw sdk::Failure(DBC_ERROR, "taking the build lock of " + name + " failed: " +
                                      error->message + " (SQLSTATE " + error->sqlstate + ")");
}

bool BuildLock::is_free(PgConnection& admin, const std::string& admin_url,
                        const std::string& name) {
    PgConnection session = open_lock_session(admin, admin_url);
    return session
               .query("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtext($1))", {name},
                      "trying the build lock of " + name)
               .at(0, 0) == "t";  // the session's end releases it
}

}  // namespace dbclone::postgresql
