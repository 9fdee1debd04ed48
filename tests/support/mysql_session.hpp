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
    // As root (unix_socket authentication) over the server socket `socket`.
    explicit MysqlSession(const std::string& socket);
    ~MysqlSession();
    MysqlSession(const MysqlSession&) = delete;
    MysqlSession& operator=(const MysqlSession&) = delete;

    // The first value of the first row ("" for none, "NULL" for NULL); throws.
    std::string scalar(const std::string& sql);
    // Every row of the first result, each value as text ("NULL" for NULL),
    // tab-separated, one line per row; throws.
    std::string text(const std::string& sql);
    // The server's error for `sql`, or nullopt when it succeeded.
    std::optional<std::string> error_of(const std::string& sql);
    unsigned port() const { return port_; }

  private:
    std::string run(const std::string& sql, bool every_row);
    void connect(const std::string& host, unsigned port, const std::string& user,
                 const std::string& password, const std::string& database,
                 const std::string& socket = "");
    st_mysql* db_ = nullptr;
    unsigned port_ = 0;
};

}  // namespace dbclone::testing
