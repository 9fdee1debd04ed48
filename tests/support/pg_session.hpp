// A libpq session for a test's own set-up and attacks, outside dbclone: as the
// test server's superuser, or logged in as a tenant with its credentials.
#pragma once

#include <dbclone/core/registry.hpp>

#include <optional>
#include <string>

struct pg_conn;

namespace dbclone::testing {

class PgSession {
  public:
    // `conninfo`: a postgresql:// URL, with `dbname` (when given) in place of its path.
    explicit PgSession(const std::string& url, const std::string& dbname = "");
    // Logged in as `tenant`, to its own database or to `dbname`.
    static PgSession as_tenant(const CloneRecord& tenant, const std::string& dbname = "");
    ~PgSession();
    PgSession(PgSession&& other) noexcept;
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    // The first value of the first row ("" for none); throws std::runtime_error.
    std::string scalar(const std::string& sql);
    // The server's error for `sql`, or nullopt when it succeeded.
    std::optional<std::string> error_of(const std::string& sql);

  private:
    PgSession() = default;
    pg_conn* conn_ = nullptr;
};

// The error libpq gives for logging in with `conninfo`, or nullopt when it works.
std::optional<std::string> pg_login_error(const CloneRecord& tenant, const std::string& dbname);

}  // namespace dbclone::testing
