// A lock that serializes golden-template builds across every dbclone that
// shares a PostgreSQL server, and that no tenant login can take.
#pragma once

#include <chrono>
#include <string>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// The database the locks are taken in. PostgreSQL's advisory locks are local
// to a database, and CONNECT on this one is revoked from PUBLIC: a tenant, who
// can connect to `postgres`, cannot take (or hold) a lock here.
inline constexpr const char* lock_database = "dbclone_locks";

// The one lock every golden-template build takes: builds share the root
// owner's login.
inline constexpr const char* golden_builds_lock = "dbclone golden builds";

class BuildLock {
  public:
    // Takes the lock named `name` on the server of `admin_url`, waiting at most
    // `timeout`; throws sdk::Failure(DBC_TIMEOUT) naming the lock and the wait.
    // `admin` creates the lock database on first use.
    BuildLock(PgConnection& admin, const std::string& admin_url, const std::string& name,
              std::chrono::milliseconds timeout);
    // Released with the lock session.
    ~BuildLock() = default;
    // Whether nobody holds lock `name` at this moment (taken and released at once).
    static bool is_free(PgConnection& admin, const std::string& admin_url, const std::string& name);
    BuildLock(const BuildLock&) = delete;
    BuildLock& operator=(const BuildLock&) = delete;

  private:
    PgConnection session_;
};

}  // namespace dbclone::postgresql
