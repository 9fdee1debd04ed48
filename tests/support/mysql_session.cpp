#include "mysql_session.hpp"

#include <mysql.h>

#include <stdexcept>

#include "test_support.hpp"

namespace dbclone::testing {

MysqlSession::MysqlSession() {
    // mysql://user:password@127.0.0.1:port/
    std::string url = mysql_admin_url();
    std::string info = url.substr(8, url.find('@') - 8);
    std::string host_port = url.substr(url.find('@') + 1);
    host_port = host_port.substr(0, host_port.find('/'));
    connect("127.0.0.1",
            static_cast<unsigned>(std::stoul(host_port.substr(host_port.find(':') + 1))),
            info.substr(0, info.find(':')), info.substr(info.find(':') + 1), "");
}

MysqlSession::MysqlSession(const CloneRecord& t) {
    connect(t.host, t.port, t.user_name, t.password, t.database_name);
}

MysqlSession::MysqlSession(const std::string& socket) {
    connect("localhost", 0, "root", "", "", socket);
}

void MysqlSession::connect(const std::string& host, unsigned port, const std::string& user,
                           const std::string& password, const std::string& database,
                           const std::string& socket) {
    port_ = port;
    db_ = mysql_init(nullptr);
    if (!mysql_real_connect(db_, host.c_str(), user.c_str(), password.c_str(),
                            database.empty() ? nullptr : database.c_str(), port,
                            socket.empty() ? nullptr : socket.c_str(), CLIENT_MULTI_STATEMENTS))
        throw std::runtime_error(std::string("test session: ") + mysql_error(db_));
}

MysqlSession::~MysqlSession() {
    mysql_close(db_);
}

std::string MysqlSession::scalar(const std::string& sql) {
    return run(sql, false);
}

std::string MysqlSession::text(const std::string& sql) {
    return run(sql, true);
}

std::string MysqlSession::run(const std::string& sql, bool every_row) {
    if (mysql_query(db_, sql.c_str()) != 0)
        throw std::runtime_error("test session: " + std::string(mysql_error(db_)));
    std::string out;
    MYSQL_RES* r = mysql_store_result(db_);
    // A statement the server ended mid-result (max_statement_time, KILL QUERY)
    // has its error where its rows would have been.
    if (r == nullptr && mysql_field_count(db_) != 0)
        throw std::runtime_error("test session: " + std::string(mysql_error(db_)));
    if (r != nullptr) {
        unsigned columns = mysql_num_fields(r);
        while (MYSQL_ROW row = mysql_fetch_row(r)) {
            unsigned long* lengths = mysql_fetch_lengths(r);
            for (unsigned c = 0; c < (every_row ? columns : 1u); ++c) {
                if (c > 0) out += '\t';
                out += row[c] != nullptr ? std::string(row[c], lengths[c]) : "NULL";
            }
            if (!every_row) break;
            out += '\n';
        }
        mysql_free_result(r);
    }
    int next = 0;
    while ((next = mysql_next_result(db_)) == 0)
        if (MYSQL_RES* r = mysql_store_result(db_)) mysql_free_result(r);
    if (next > 0) throw std::runtime_error("test session: " + std::string(mysql_error(db_)));
    return out;
}

std::optional<std::string> MysqlSession::error_of(const std::string& sql) {
    try {
        scalar(sql);
        return std::nullopt;
    } catch (const std::runtime_error& e) {
        return std::string(e.what());
    }
}

}  // namespace dbclone::testing
