// Loads a root script into a golden schema the way the mysql client would
// restore a dump (mysqldump, mariadb-dump, or SQL written by hand): statement
// by statement, as the build's loader account, whose privileges reach that
// schema alone. The database a dump names (CREATE DATABASE and USE of
// --databases dumps) is the golden schema: those statements are left out,
// and names qualified with it are rewritten to the golden schema. A second
// database is refused. DEFINER clauses become CURRENT_USER (the loader; the
// tenant's copy gets the tenant).
#pragma once

#include <string>

#include "mysql_connection.hpp"

namespace dbclone::mysql {

// Runs `script` (the text of `root_file`) in `session`, whose default schema
// is `golden`. Executable comments (/*!NNNNN ... */, /*M!NNNNNN ... */) are
// read as the server would. A failure throws sdk::Failure naming the file,
// the line, the statement's first 200 characters with its strings hidden, and
// the server's message with its quoted parts hidden.
void load_script(MysqlConnection& session, const std::string& script, const std::string& golden,
                 const std::string& root_file);

}  // namespace dbclone::mysql
