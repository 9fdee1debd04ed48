#include "mysql_connection.hpp"

#include <mysql.h>
#include <dbclone/sdk.hpp>

namespace dbclone::mysql {

namespace {

dbc_rc code_for(unsigned error) {
    if (is_access_denied(error)) return DBC_DENIED;
    // exists already (1062: a duplicate key, such as a tenant id in dbclone_meta.tenants)
    if (error == 1007 || error == 1050 || error == 1062 || error == 1396) return DBC_CONFLICT;
    if (error >= 2000 && error < 3000) return DBC_UNAVAILABLE;  // client-side
    return DBC_ERROR;
}

}  // namespace

bool is_access_denied(unsigned code) {
    return code == 1044 || code == 1045 || code == 1142 || code == 1143 || code == 1227 ||
           code == 1370 || code == 1410 || code == 1698;
}

MysqlConnection::MysqlConnection(const ServerUrl& url, const std::string& database,
                                 const std::optional<std::pair<std::string, std::string>>& login,
                                 bool allow_local_infile) {
    db_ = mysql_init(nullptr);
    if (db_ == nullptr) throw sdk::Failure(DBC_ERROR, "out of memory");
    unsigned timeout = 10;
    mysql_options(db_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(db_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    // dbclone never sends a local file: a root's LOAD DATA LOCAL INFILE would
    // otherwise read any file of this machine into every tenant.
    unsigned local_infile = allow_local_infile ? 1 : 0;
    mysql_options(db_, MYSQL_OPT_LOCAL_INFILE, &local_infile);
    const std::string& user = login ? login->first : url.user;
    const std::string& password = login ? login->second : url.password;
    bool socket = !url.socket.empty();
    if (mysql_real_connect(
            db_, socket ? "localhost" : url.host.c_str(), user.c_str(), password.c_str(),
            database.empty() ? nullptr : database.c_str(), socket ? 0 : url.port,
            socket ? url.socket.c_str() : nullptr,
            CLIENT_MULTI_STATEMENTS | (allow_local_infile ? CLIENT_LOCAL_FILES : 0)) == nullptr) {
        unsigned error = mysql_errno(db_);
        std::string message = mysql_error(db_);
        mysql_close(db_);
        db_ = nullptr;
        throw sdk::Failure(is_access_denied(error) ? DBC_DENIED : DBC_UNAVAILABLE,
                           "cannot connect: " + message + " (error " + std::to_string(error) + ")");
    }
}

MysqlConnection::~MysqlConnection() {
    mysql_close(db_);
}

std::optional<ServerError> MysqlConnection::try_exec(const std::string& sql) {
    try {
        query(sql);
        return std::nullopt;
    } catch (const sdk::Failure&) {
        return last_error_;
    }
}

Rows MysqlConnection::query(const std::string& sql, const std::string& what) {
    Rows rows;
    auto fail = [&]() {
        last_error_ = ServerError{mysql_errno(db_), mysql_error(db_)};
        // Drain what is left of a multi-statement batch, or the connection is stuck.
        while (mysql_more_results(db_) && mysql_next_result(db_) == 0)
            if (MYSQL_RES* r = mysql_store_result(db_)) mysql_free_result(r);
        throw sdk::Failure(code_for(last_error_.code), what + " failed: " + last_error_.message +
                                                           " (error " +
                                                           std::to_string(last_error_.code) + ")");
    };
    if (mysql_real_query(db_, sql.data(), sql.size()) != 0) fail();
    for (;;) {
        MYSQL_RES* result = mysql_store_result(db_);
        if (result != nullptr) {
            rows = Rows{};
            unsigned columns = mysql_num_fields(result);
            while (MYSQL_ROW row = mysql_fetch_row(result)) {
                unsigned long* lengths = mysql_fetch_lengths(result);
                std::vector<std::string> values;
                std::vector<bool> nulls;
                for (unsigned c = 0; c < columns; ++c) {
                    nulls.push_back(row[c] == nullptr);
                    values.emplace_back(row[c] != nullptr ? std::string(row[c], lengths[c]) : "");
                }
                rows.rows.push_back(std::move(values));
                rows.nulls.push_back(std::move(nulls));
            }
            mysql_free_result(result);
        } else if (mysql_field_count(db_) != 0) {
            fail();
        }
        int next = mysql_next_result(db_);
        if (next == -1) break;
        if (next > 0) fail();
    }
    return rows;
}

bool MysqlConnection::alive() {
    return mysql_ping(db_) == 0;
}

std::string MysqlConnection::quote_identifier(const std::string& name) const {
    std::string out = "`";
    for (char c : name) {
        if (c == '`') out += '`';
        out += c;
    }
    return out + "`";
}

std::string MysqlConnection::quote_string(const std::string& value) const {
    std::string buffer(value.size() * 2 + 1, '\0');
    unsigned long n = mysql_real_escape_string(db_, buffer.data(), value.data(), value.size());
    buffer.resize(n);
    return "'" + buffer + "'";
}

}  // namespace dbclone::mysql
