#include "pg_session.hpp"

#include <libpq-fe.h>

#include <stdexcept>
#include <vector>

namespace dbclone::testing {

namespace {
pg_conn* connect_as(const CloneRecord& t, const std::string& dbname) {
    std::string port = std::to_string(t.port);
    std::string db = dbname.empty() ? t.database_name : dbname;
    const char* keys[] = {"host", "port", "user", "password", "dbname", "connect_timeout", nullptr};
    const char* values[] = {
        t.host.c_str(), port.c_str(), t.user_name.c_str(), t.password.c_str(), db.c_str(),
        "10",           nullptr};
    return PQconnectdbParams(keys, values, 0);
}
}  // namespace

PgSession::PgSession(const std::string& url, const std::string& dbname) {
    std::string conninfo = url;
    if (!dbname.empty()) conninfo = url.substr(0, url.rfind('/') + 1) + dbname;
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK)
        throw std::runtime_error(std::string("test session: ") + PQerrorMessage(conn_));
}

PgSession PgSession::as_tenant(const CloneRecord& tenant, const std::string& dbname) {
    PgSession s;
    s.conn_ = connect_as(tenant, dbname);
    if (PQstatus(s.conn_) != CONNECTION_OK)
        throw std::runtime_error("tenant session: " + std::string(PQerrorMessage(s.conn_)));
    return s;
}

PgSession::PgSession(PgSession&& other) noexcept : conn_(other.conn_) {
    other.conn_ = nullptr;
}

PgSession::~PgSession() {
    if (conn_ != nullptr) PQfinish(conn_);
}

std::string PgSession::scalar(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(r);
    std::string out;
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error("test session: " + std::string(PQerrorMessage(conn_)));
    return out;
}

std::optional<std::string> PgSession::error_of(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    auto status = PQresultStatus(r);
    std::optional<std::string> out;
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) out = PQerrorMessage(conn_);
    PQclear(r);
    return out;
}

std::optional<std::string> pg_login_error(const CloneRecord& tenant, const std::string& dbname) {
    pg_conn* c = connect_as(tenant, dbname);
    std::optional<std::string> out;
    if (PQstatus(c) != CONNECTION_OK) out = PQerrorMessage(c);
    PQfinish(c);
    return out;
}

}  // namespace dbclone::testing
