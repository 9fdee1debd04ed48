// One connection to a MySQL-protocol server (libmysqlclient from MariaDB),
// closed on destruction. Identifiers are quoted with backticks and values
// escaped by the client library for the connection's character set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dbclone/plugin.h>

#include "server_url.hpp"

struct st_mysql;

namespace dbclone::mysql {

struct Rows {
    std::vector<std::vector<std::string>> rows;  // NULL reads as ""
    std::vector<std::vector<bool>> nulls;
    size_t size() const { return rows.size(); }
    const std::string& at(size_t r, size_t c) const { return rows.at(r).at(c); }
};

struct ServerError {
    unsigned code = 0;  // the server's error number (1044, 1142, ...)
    std::string message;
};

class MysqlConnection {
  public:
    // Logs in as `user` (default: the URL's) to `database` (may be empty).
    // Throws sdk::Failure: DBC_DENIED for refused logins, DBC_UNAVAILABLE when
    // the server cannot be reached.
    // `allow_local_infile` lets LOAD DATA LOCAL send this machine's files: only
    // the isolation probe that tests the server's refusal sets it.
    MysqlConnection(const ServerUrl& url, const std::string& database = "",
                    const std::optional<std::pair<std::string, std::string>>& login = std::nullopt,
                    bool allow_local_infile = false);
    ~MysqlConnection();
    MysqlConnection(const MysqlConnection&) = delete;
    MysqlConnection& operator=(const MysqlConnection&) = delete;

    // Runs one or more statements (a script) and returns the last result's rows.
    // Throws sdk::Failure naming `what`.
    Rows query(const std::string& sql, const std::string& what = "query");
    // Like query, but returns the server's error instead of throwing.
    std::optional<ServerError> try_exec(const std::string& sql);

    // False once the session is gone (the server restarted, or ended it):
    // asks the server (mysql_ping, no reconnect).
    bool alive();

    std::string quote_identifier(const std::string& name) const;  // `name`
    std::string quote_string(const std::string& value) const;     // 'value'

  private:
    st_mysql* db_ = nullptr;
    ServerError last_error_;
};

// True for the error numbers that mean "you may not": 1044, 1045, 1142, 1143,
// 1227, 1370, 1410, and 1698 (a login refused before a password is even
// checked, as for a user that does not exist on that server).
bool is_access_denied(unsigned code);

// The (user, password) MysqlConnection takes for `t`'s login.
inline std::pair<std::string, std::string> login_of(const dbc_target& t) {
    return {t.user != nullptr ? t.user : "", t.password != nullptr ? t.password : ""};
}

}  // namespace dbclone::mysql
