#include "dump_loader.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <algorithm>
#include <optional>
#include <regex>

#include "dump_script.hpp"

namespace dbclone::postgresql {

namespace {

// The line of 1-based character `position` in `text`, which starts at `line`.
size_t line_of(const std::string& text, size_t line, size_t position) {
    size_t characters = 0;
    for (unsigned char c : text) {
        if ((c & 0xC0) != 0x80 && ++characters >= position) break;
        if (c == '\n') ++line;
    }
    return line;
}

// What a dump says about the server it came from rather than about its
// database: left out, and counted. Anything else runs, and a statement that
// reaches outside the golden database fails there for want of privileges.
class DumpFilter {
  public:
    // The dumped database is the first one a CREATE DATABASE or \connect
    // names anywhere in the script (pg_dump --clean drops it before it
    // creates it); the golden database stands for it.
    explicit DumpFilter(const std::vector<ScriptPiece>& pieces) {
        static const std::regex create(R"(^CREATE\s+DATABASE\s+("[^"]+"|[^\s;]+)[\s\S]*$)",
                                       std::regex::icase);
        for (const auto& piece : pieces) {
            std::smatch m;
            if ((piece.kind == ScriptPiece::Kind::meta &&
                 std::regex_match(piece.text, m, connect_pattern())) ||
                (piece.kind == ScriptPiece::Kind::statement &&
                 std::regex_match(piece.text, m, create))) {
                own_ = unquote(m[m.size() - 1]);
                break;
            }
        }
    }

    static const std::regex& connect_pattern() {
        static const std::regex connect(R"(^\\(?:c|connect)\s+(\S+)[\s\S]*$)");
        return connect;
    }

    // Why `statement` is left out, or nullopt to run it.
    std::optional<std::string> left_out(const std::string& statement) const {
        if (statement.size() > 2000) return std::nullopt;  // none of these is long
        auto icase = std::regex::icase;
        static const std::regex owner(R"(^ALTER\s[\s\S]*\sOWNER\s+TO\s[^;]*;?$)", icase);
        // Privileges on objects in the database (not ON DATABASE, not a role's
        // membership): inside a tenant's database the tenant may do anything.
        static const std::regex privileges(
            R"(^(GRANT|REVOKE|ALTER\s+DEFAULT\s+PRIVILEGES)\s[\s\S]*\sON\s+(?!DATABASE\s)[\s\S]*$)",
            icase);
        static const std::regex database(
            R"(^(CREATE|DROP|ALTER|COMMENT\s+ON|GRANT\s[\s\S]*\sON|REVOKE\s[\s\S]*\sON)\s+DATABASE\s+(IF\s+EXISTS\s+)?("[^"]+"|[^\s;]+)[\s\S]*$)",
            icase);
        std::smatch m;
        if (std::regex_match(statement, owner)) return "OWNER TO";
        if (std::regex_match(statement, privileges)) return "GRANT/REVOKE";
        // Of another database, they run, and fail for want of privileges.
        if (std::regex_match(statement, m, database) && !own_.empty() && unquote(m[3]) == own_)
            return "statements on the dumped database";
        return std::nullopt;
    }

    // `\connect NAME`: the dumped database, or a second one (refused).
    void connect(const std::string& name, const std::string& where) const {
        if (unquote(name) != own_)
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               where + ": a second database (\\connect " + name +
                                   "): a root image holds one database; dump each database "
                                   "into a root of its own");
    }

  private:
    static std::string unquote(const std::string& name) {
        return name.size() > 1 && name.front() == '"' ? name.substr(1, name.size() - 2) : name;
    }
    std::string own_;
};

}  // namespace

std::string describe(const SkippedStatements& skipped) {
    std::string out;
    for (const auto& [kind, count] : skipped)
        out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + kind;
    return out;
}

SkippedStatements load_script(PgConnection& session, const std::string& script,
                              const std::string& root_file) {
    std::vector<ScriptPiece> pieces;
    try {
        pieces = split_script(script);
    } catch (const sdk::Failure& e) {
        throw sdk::Failure(DBC_INVALID_ARGUMENT, "root file " + root_file + ": " + e.what());
    }
    SkippedStatements skipped;
    DumpFilter filter(pieces);
    static const std::regex restrict_key(R"(^\\(un)?restrict\s[\s\S]*$)");
    for (const auto& piece : pieces) {
        std::string where = "root file " + root_file + " line " + std::to_string(piece.line);
        if (piece.kind == ScriptPiece::Kind::meta) {
            std::smatch m;
            // pg_dump --create connects to the database it made; pg_dump 15.14
            // and later fence the script with \restrict and \unrestrict.
            if (std::regex_match(piece.text, m, DumpFilter::connect_pattern())) {
                filter.connect(m[1], where);
                ++skipped["\\connect"];
            } else if (std::regex_match(piece.text, restrict_key)) {
                ++skipped["\\restrict"];
            } else {
                throw sdk::Failure(DBC_INVALID_ARGUMENT,
                                   where + ": the psql meta-command " +
                                       piece.text.substr(0, piece.text.find(' ')) +
                                       " is not supported in a root; write it as SQL");
            }
            continue;
        }
        if (auto kind = filter.left_out(piece.text)) {
            ++skipped[*kind];
            continue;
        }
        auto error = piece.kind == ScriptPiece::Kind::copy
                         ? session.try_copy_in(piece.text, piece.data)
                         : session.try_exec(piece.text);
        if (!error) continue;
        size_t line = line_of(piece.text, piece.line, error->position);
        // A bad row: its line in the file, from the server's "COPY t, line N".
        static const std::regex copy_line(R"(COPY [^,]+, line ([0-9]+))");
        std::smatch m;
        if (piece.kind == ScriptPiece::Kind::copy &&
            std::regex_search(error->context, m, copy_line))
            line = piece.line +
                   static_cast<size_t>(std::count(piece.text.begin(), piece.text.end(), '\n')) +
                   std::stoul(m[1]);
        throw sdk::Failure(error->sqlstate == "42501" ? DBC_DENIED : DBC_ERROR,
                           "loading root file " + root_file + " failed at line " +
                               std::to_string(line) + " (" + sdk::sql_excerpt(piece.text, false) +
                               "): " + sdk::redact_quoted(error->primary) + " (SQLSTATE " +
                               error->sqlstate + ")");
    }
    return skipped;
}

}  // namespace dbclone::postgresql
