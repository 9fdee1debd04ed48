#include "pg_connection.hpp"

#include <poll.h>

#include <libpq-fe.h>
#include <dbclone/sdk.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

namespace dbclone::postgresql {

namespace {

// libpq's messages end in a newline and may span lines; keep one line.
std::string one_line(const char* message) {
    std::string s = message != nullptr ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s)
        if (c == '\n') c = ' ';
    return s;
}

dbc_rc code_for(const std::string& sqlstate) {
    if (sqlstate == "42501" || sqlstate.rfind("28", 0) == 0) return DBC_DENIED;
    if (sqlstate == "42P04" || sqlstate == "42710" || sqlstate == "55006") return DBC_CONFLICT;
    if (sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01") return DBC_UNAVAILABLE;
    return DBC_ERROR;
}

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

bool is_permission_denied(const std::string& message) {
    return message.find("permission denied") != std::string::npos ||
           message.find("password authentication failed") != std::string::npos ||
           message.find("no pg_hba.conf entry") != std::string::npos;
}

PgConnection::PgConnection(const std::string& url,
                           const std::map<std::string, std::string>& overrides) {
    // The first "dbname" is expanded as a connection string; later keywords win.
    // NOTICEs ("does not exist, skipping") are not ours to print. No lock wait
    // (on a lock a tenant holds, say) lasts longer than a minute.
    std::vector<const char*> keys{"dbname", "application_name", "connect_timeout", "options"};
    std::vector<const char*> values{url.c_str(), "dbclone", "10",
                                    "-c client_min_messages=warning -c lock_timeout=60000"};
    for (const auto& [k, v] : overrides) {
        keys.push_back(k.c_str());
        values.push_back(v.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
    if (conn_ == nullptr) throw sdk::Failure(DBC_ERROR, "out of memory");
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = one_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        conn_ = nullptr;
        throw sdk::Failure(is_permission_denied(message) ? DBC_DENIED : DBC_UNAVAILABLE,
                           "cannot connect: " + message);
    }
}

PgConnection::~PgConnection() {
    PQfinish(conn_);
}

Rows PgConnection::query(const std::string& sql, const std::vector<std::string>& params,
                         const std::string& what) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
    auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
        std::string sqlstate = state != nullptr ? state : "08006";
        throw sdk::Failure(
            code_for(sqlstate),
            what + " failed: " + one_line(PQerrorMessage(conn_)) + " (SQLSTATE " + sqlstate + ")");
    }
    Rows rows;
    int n = PQntuples(r.get()), columns = PQnfields(r.get());
    for (int i = 0; i < n; ++i) {
        std::vector<std::string> row;
        for (int c = 0; c < columns; ++c) row.emplace_back(PQgetvalue(r.get(), i, c));
        rows.rows.push_back(std::move(row));
    }
    return rows;
}

void PgConnection::exec(const std::string& sql, const std::string& what) {
    if (auto error = try_exec(sql))
        throw sdk::Failure(code_for(error->sqlstate), what + " failed: " + error->message +
                                                          " (SQLSTATE " + error->sqlstate + ")");
}

std::optional<ServerError> PgConnection::try_exec(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    return error_of(r.get());
}

std::optional<ServerError> PgConnection::try_copy_in(const std::string& copy_sql,
                                                     const std::string& data) {
    Result start(PQexec(conn_, copy_sql.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return error_of(start.get());
    // In pieces: PQputCopyData takes an int length.
    constexpr size_t chunk = 1 << 20;
    bool sent = true;
    for (size_t at = 0; sent && at < data.size(); at += chunk) {
        size_t length = std::min(chunk, data.size() - at);
        sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(length)) == 1;
    }
    if (PQputCopyEnd(conn_, sent ? nullptr : "the data could not be sent") != 1)
        return ServerError{"08006", one_line(PQerrorMessage(conn_)),
                           one_line(PQerrorMessage(conn_)), 0, ""};
    std::optional<ServerError> error;
    while (pg_result* r = PQgetResult(conn_)) {
        Result result(r);
        if (!error) error = error_of(r);
    }
    return error;
}

std::optional<ServerError> PgConnection::error_of(const pg_result* r) const {
    auto status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return std::nullopt;
    auto field = [&](int code) -> std::string {
        const char* v = r != nullptr ? PQresultErrorField(r, code) : nullptr;
        return v != nullptr ? v : "";
    };
    std::string state = field(PG_DIAG_SQLSTATE), position = field(PG_DIAG_STATEMENT_POSITION);
    std::string message = one_line(PQerrorMessage(conn_));
    std::string primary = field(PG_DIAG_MESSAGE_PRIMARY);
    return ServerError{state.empty() ? "08006" : state, message,
                       primary.empty() ? message : one_line(primary.c_str()),
                       position.empty() ? 0 : std::stoul(position), field(PG_DIAG_CONTEXT)};
}

std::string PgConnection::quote_identifier(const std::string& name) const {
    char* quoted = PQescapeIdentifier(conn_, name.c_str(), name.size());
    if (quoted == nullptr) throw sdk::Failure(DBC_INVALID_ARGUMENT, "cannot quote identifier");
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

std::string PgConnection::quote_literal(const std::string& value) const {
    char* quoted = PQescapeLiteral(conn_, value.c_str(), value.size());
    if (quoted == nullptr) throw sdk::Failure(DBC_INVALID_ARGUMENT, "cannot quote literal");
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

std::string PgConnection::scram_verifier(const std::string& user,
                                         const std::string& password) const {
    char* verifier = PQencryptPasswordConn(conn_, password.c_str(), user.c_str(), "scram-sha-256");
    if (verifier == nullptr)
        throw sdk::Failure(DBC_ERROR,
                           "cannot compute the SCRAM verifier: " + one_line(PQerrorMessage(conn_)));
    std::string out = verifier;
    PQfreemem(verifier);
    return out;
}

bool PgConnection::alive() const {
    if (PQstatus(conn_) != CONNECTION_OK) return false;
    pollfd fd{PQsocket(conn_), POLLIN, 0};
    return ::poll(&fd, 1, 0) == 0;
}

std::string PgConnection::host() const {
    return PQhost(conn_);
}
uint32_t PgConnection::port() const {
    return static_cast<uint32_t>(std::stoul(PQport(conn_)));
}
std::string PgConnection::user() const {
    return PQuser(conn_);
}

void end_sessions(PgConnection& admin, const std::string& condition,
                  const std::vector<std::string>& params, const std::string& whose) {
    // Clients' sessions only: an autovacuum worker in a tenant's new database
    // is the server's own (a superuser's, which the admin may not end), and
    // DROP DATABASE ... WITH (FORCE) stops it anyway.
    std::string sessions = "FROM pg_catalog.pg_stat_activity WHERE (" + condition +
                           ") AND backend_type = 'client backend' AND pid <> "
                           "pg_catalog.pg_backend_pid()";
    admin.query("SELECT pg_catalog.pg_terminate_backend(pid) " + sessions, params,
                "ending the sessions of " + whose);
    for (int i = 0; admin.query("SELECT count(*) " + sessions, params).at(0, 0) != "0"; ++i) {
        if (i == 300)
            throw sdk::Failure(DBC_TIMEOUT, "sessions of " + whose + " did not end within 30 s");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

}  // namespace dbclone::postgresql
