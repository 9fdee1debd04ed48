// A lock that serializes golden-schema builds across every dbclone that shares
// a MySQL/MariaDB server, and that no tenant login can take. GET_LOCK names are
// server-wide and open to every account, so a tenant could hold ours; this is
// a row lock on dbclone_meta.locks, where tenants have no privilege at all.
#pragma once

#include <chrono>
#include <string>

#include "mysql_connection.hpp"

namespace dbclone::mysql {

class BuildLock {
  public:
    // Takes the lock named `name` on `server` (as its admin), waiting at most
    // `timeout`; throws sdk::Failure(DBC_TIMEOUT) naming the lock and the wait.
    // dbclone_meta must exist (ensure_meta_schema).
    BuildLock(const ServerUrl& server, const std::string& name, std::chrono::seconds timeout);
    // The session's end rolls back its transaction and releases the row.
    ~BuildLock() = default;
    // Whether nobody holds lock `name` at this moment (tried without waiting).
    static bool is_free(const ServerUrl& server, const std::string& name);
    BuildLock(const BuildLock&) = delete;
    BuildLock& operator=(const BuildLock&) = delete;

  private:
    // A session of its own: the build's DDL commits implicitly, which would
    // release a row lock taken on the build's own session.
    MysqlConnection session_;
};

}  // namespace dbclone::mysql
