// One libpq connection, closed on destruction, with the few operations the
// backend needs. Every value reaches the server as a parameter or through
// libpq's own quoting (identifiers, literals); nothing is spliced in raw.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace dbclone::postgresql {

// The rows of a query, as text (NULL reads as "").
struct Rows {
    std::vector<std::vector<std::string>> rows;
    const std::string& at(size_t row, size_t column) const { return rows.at(row).at(column); }
    size_t size() const { return rows.size(); }
};

// A server error, with its SQLSTATE ("" for a connection failure).
struct ServerError {
    std::string sqlstate;
    std::string message;  // libpq's whole message, context lines included
    std::string primary;  // the primary message alone (no "LINE n:" quoting the SQL)
    size_t position = 0;  // 1-based character offset into the statement, 0 if none
    std::string context;  // where it happened ("COPY t, line 2, column x: ..."), or ""
};

class PgConnection {
  public:
    // Connects with `url` (a libpq URI or key=value string) and then `overrides`
    // (libpq keywords such as dbname, user, password). Throws sdk::Failure
    // (DBC_UNAVAILABLE for an unreachable server, DBC_DENIED for refused logins).
    PgConnection(const std::string& url, const std::map<std::string, std::string>& overrides = {});
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // Runs `sql` with $1.. bound to `params`; throws sdk::Failure naming `what`.
    Rows query(const std::string& sql, const std::vector<std::string>& params = {},
               const std::string& what = "query");
    // Runs one or more statements without parameters (a script); throws like query.
    void exec(const std::string& sql, const std::string& what);

    // Like query, but returns the server's error instead of throwing.
    std::optional<ServerError> try_exec(const std::string& sql);
    // Runs `copy_sql` (a COPY ... FROM STDIN) and sends it `data`, the rows in
    // COPY's text format; returns the server's error, if any.
    std::optional<ServerError> try_copy_in(const std::string& copy_sql, const std::string& data);

    std::string quote_identifier(const std::string& name) const;
    std::string quote_literal(const std::string& value) const;
    // The SCRAM-SHA-256 verifier of `password` for `user`, computed here, so the
    // plain password never travels to the server or its logs.
    std::string scram_verifier(const std::string& user, const std::string& password) const;

    // False once the server has ended the session: after a restart of the
    // server a kept session is dead, though libpq learns that only when it is
    // next used. An idle session has nothing to read; anything there is the
    // server's goodbye (an error and the end of the stream). No round trip.
    bool alive() const;

    std::string host() const;  // as connected (a socket directory for local sockets)
    uint32_t port() const;
    std::string user() const;

  private:
    // The error a result carries, or nullopt for a success.
    std::optional<ServerError> error_of(const pg_result* r) const;
    pg_conn* conn_ = nullptr;
};

// True when a failed connection's message says the login was refused; libpq
// gives connection failures no SQLSTATE.
bool is_permission_denied(const std::string& message);

// Ends the clients' sessions that `condition` (a WHERE condition on
// pg_stat_activity with $1.. bound to `params`) selects, other than `admin`'s
// own, and waits up to 30 s for them to be gone: a killed client's statements
// run on in its session. Throws sdk::Failure(DBC_TIMEOUT) naming `whose`.
void end_sessions(PgConnection& admin, const std::string& condition,
                  const std::vector<std::string>& params, const std::string& whose);

}  // namespace dbclone::postgresql
