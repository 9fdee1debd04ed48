// A MySQL/MariaDB SQL script cut into the statements the mysql client would
// send, one at a time: mysqldump's and mariadb-dump's output, or a root
// written by hand. DELIMITER lines change what ends a statement (dumps use
// ";;" around routines and triggers), as in the client. Each statement knows
// the line of the file it starts on, so that an error can name it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace dbclone::mysql {

struct ScriptStatement {
    std::string text;  // without its delimiter, comments before it left out
    size_t line = 0;   // 1-based line of the file where it starts
};

// A delimiter ends a statement outside quotes ('', "", ``) and comments (#,
// "-- ", /* */; an executable comment /*! ... */ is statement text). A
// statement left without a delimiter at the end is one too. Throws
// sdk::Failure(DBC_INVALID_ARGUMENT) naming the line of a quote or comment
// that is never closed, or of a DELIMITER line without a delimiter.
std::vector<ScriptStatement> split_script(const std::string& script);

}  // namespace dbclone::mysql
