#include "dump_loader.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <optional>
#include <regex>

#include "dump_script.hpp"
#include "sql_rewriter.hpp"

namespace dbclone::mysql {

namespace {

// The server's version as executable comments compare it (10.11.19 is
// 101119), and whether it is MariaDB (which alone runs /*M! comments).
struct ServerVersion {
    unsigned long id = 0;
    bool mariadb = false;
};

ServerVersion version_of(MysqlConnection& session) {
    std::string text = session.query("SELECT VERSION()").at(0, 0);
    static const std::regex pattern(R"(^([0-9]+)\.([0-9]+)\.([0-9]+))");
    std::smatch m;
    ServerVersion v;
    if (std::regex_search(text, m, pattern))
        v.id = std::stoul(m[1]) * 10000 + std::stoul(m[2]) * 100 + std::stoul(m[3]);
    v.mariadb = text.find("MariaDB") != std::string::npos;
    return v;
}

// `sql` with each executable comment replaced by its text when the server
// would run it, and by nothing when it would not.
std::string unwrap(const std::string& sql, const ServerVersion& server) {
    std::string out;
    size_t i = 0;
    for (;;) {
        size_t at = sql.find("/*", i);
        bool mysql = at != std::string::npos && sql.compare(at, 3, "/*!") == 0;
        bool maria = at != std::string::npos && sql.compare(at, 4, "/*M!") == 0;
        if (at == std::string::npos) {
            out += sql.substr(i);
            return out;
        }
        size_t end = sql.find("*/", at + 2);
        if ((!mysql && !maria) || end == std::string::npos) {
            out += sql.substr(i, (end == std::string::npos ? sql.size() : end + 2) - i);
            if (end == std::string::npos) return out;
            i = end + 2;
            continue;
        }
        out += sql.substr(i, at - i);
        size_t body = at + (maria ? 4 : 3), digits = body;
        while (digits < end && std::isdigit(static_cast<unsigned char>(sql[digits]))) ++digits;
        unsigned long needed = digits > body ? std::stoul(sql.substr(body, digits - body)) : 0;
        if ((!maria || server.mariadb) && needed <= server.id)
            out += " " + sql.substr(digits, end - digits) + " ";
        i = end + 2;
    }
}

// A statement on a database as a whole: CREATE, DROP, ALTER DATABASE (or
// SCHEMA), USE.
struct DatabaseStatement {
    std::string verb;  // upper case
    std::string name;  // unquoted
};

std::optional<DatabaseStatement> database_statement(const std::string& statement) {
    static const std::regex names(
        R"(^\s*(CREATE|DROP|USE|ALTER)\s*(DATABASE|SCHEMA)?\s+(IF\s+(NOT\s+)?EXISTS\s+)?(`(?:[^`]|``)+`|[A-Za-z0-9_$]+)([\s\S]*)$)",
        std::regex::icase);
    std::smatch m;
    if (!std::regex_match(statement, m, names)) return std::nullopt;
    std::string verb = m[1];
    for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    // USE takes no DATABASE; the others need it (CREATE TABLE is no such statement).
    if ((verb == "USE") == m[2].matched) return std::nullopt;
    std::string name = m[5], unquoted;
    if (name.size() >= 2 && name.front() == '`') {
        for (size_t i = 1; i + 1 < name.size(); ++i) {
            unquoted += name[i];
            if (name[i] == '`') ++i;
        }
        name = unquoted;
    }
    return DatabaseStatement{verb, name};
}

// What a dump says about its database rather than in it. The dumped
// database is the first one a CREATE DATABASE or USE names anywhere in the
// script (mysqldump --add-drop-database drops it before it creates it); the
// golden schema stands for it.
class DumpFilter {
  public:
    DumpFilter(const std::vector<ScriptStatement>& statements, const ServerVersion& server) {
        for (const auto& s : statements)
            if (auto d = database_statement(unwrap(s.text, server));
                d && (d->verb == "CREATE" || d->verb == "USE")) {
                own_ = d->name;
                break;
            }
    }
    // Whether `statement` is left out; throws for a second database. DROP and
    // ALTER of another database run, and fail for want of privileges.
    bool left_out(const std::string& statement, const std::string& where) const {
        static const std::regex replication(
            R"(^\s*SET\s+@@(SESSION\.|GLOBAL\.)?(SQL_LOG_BIN|GTID_PURGED)\b[\s\S]*$)",
            std::regex::icase);
        if (std::regex_match(statement, replication)) return true;
        auto d = database_statement(statement);
        if (!d) return false;
        if (d->name == own_) return true;
        if (d->verb == "DROP" || d->verb == "ALTER") return false;
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           where + ": a second database (" + d->verb + " " + d->name +
                               "): a root image holds one database; dump each database into a "
                               "root of its own");
    }
    const std::string& own() const { return own_; }

  private:
    std::string own_;
};

}  // namespace

void load_script(MysqlConnection& session, const std::string& script, const std::string& golden,
                 const std::string& root_file) {
    std::vector<ScriptStatement> statements;
    try {
        statements = split_script(script);
    } catch (const sdk::Failure& e) {
        throw sdk::Failure(DBC_INVALID_ARGUMENT, "root file " + root_file + ": " + e.what());
    }
    ServerVersion server = version_of(session);
    DumpFilter filter(statements, server);
    std::string q_golden = session.quote_identifier(golden);
    for (const auto& statement : statements) {
        std::string where = "root file " + root_file + " line " + std::to_string(statement.line);
        std::string sql = unwrap(statement.text, server);
        if (filter.left_out(sql, where)) continue;
        if (!filter.own().empty()) sql = rewrite_schema(sql, filter.own(), q_golden);
        sql = replace_definer(sql, "CURRENT_USER");
        auto error = session.try_exec(sql);
        if (!error) continue;
        size_t line = statement.line;
        static const std::regex at_line(R"(at line ([0-9]+))");
        std::smatch m;
        if (std::regex_search(error->message, m, at_line)) line += std::stoul(m[1]) - 1;
        throw sdk::Failure(is_access_denied(error->code) ? DBC_DENIED : DBC_ERROR,
                           "loading root file " + root_file + " failed at line " +
                               std::to_string(line) + " (" +
                               sdk::sql_excerpt(statement.text, true) +
                               "): " + sdk::redact_quoted(error->message) + " (error " +
                               std::to_string(error->code) + ")");
    }
}

}  // namespace dbclone::mysql
