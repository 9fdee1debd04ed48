// A PostgreSQL SQL script cut into what psql would run, one piece at a time:
// statements, COPY ... FROM stdin with the data rows after it, and backslash
// meta-commands. pg_dump's plain output is such a script; so is a hand-written
// root. Each piece knows the line of the file it starts on, so that an error
// can name it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dbclone::postgresql {

struct ScriptPiece {
    enum class Kind { statement, copy, meta };
    Kind kind = Kind::statement;
    // statement, copy: the SQL up to and including its ';' (comments before it
    // left out); meta: the whole line, backslash included.
    std::string text;
    std::string data;  // copy: the rows, each ending in '\n', without the "\." line
    size_t line = 0;   // 1-based line of the file where the piece starts
};

// Cuts `script` the way psql's lexer does: a ';' ends a statement unless it
// is inside quotes ('', E'', "", $tag$), a comment (--, nested /* */),
// parentheses, or the BEGIN ATOMIC ... END body of a function. A line that
// starts with a backslash between statements is a meta-command. After a
// COPY ... FROM stdin, the lines up to "\." are its data. A statement left
// without its ';' at the end of the script is a piece too. Throws
// sdk::Failure(DBC_INVALID_ARGUMENT) naming the line when a quote, comment or
// COPY block is never closed.
std::vector<ScriptPiece> split_script(const std::string& script);

}  // namespace dbclone::postgresql
