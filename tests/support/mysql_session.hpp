// A MariaDB client session for a test's own set-up and attacks, outside
// dbclone: as the test server's admin, or logged in as a tenant.
#pragma once

#include <dbclone/core/registry.hpp>

#include <optional>
#include <string>

struct st_mysql;

namespace dbclone::testing {

class MysqlSession {
  public:
    // The admin of $DBCLONE_TEST_MYSQL_URL.
    MysqlSession();
    // Logged in as `tenant` to its own schema.
    explicit MysqlSession(const CloneRecord& tenant);
    ~MysqlSession();
    MysqlSession(const MysqlSession&) = delete;
    MysqlSession& operator=(const MysqlSession&) = delete;

    // The first value of the first row ("" for none, "NULL" for NULL); throws.
    std::string scalar(const std::string& sql);
    // The server's error for `sql`, or nullopt when it succeeded.
    std::optional<std::string> error_of(const std::string& sql);
    unsigned port() const { return port_; }

  private:
    void connect(const std::string& host, unsigned port, const std::string& user,
                 const std::string& password, const std::string& database);
    st_mysql* db_ = nullptr;
    unsigned port_ = 0;
};

}  // namespace dbclone::testing
