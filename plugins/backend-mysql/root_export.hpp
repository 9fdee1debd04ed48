// `dbclone roots import` for MariaDB/MySQL: mariadb-dump's output of a live
// database (routines, events and triggers with it, in one consistent
// snapshot), as the root's mysql.sql.
#pragma once

#include <string>
#include <vector>

namespace dbclone::mysql {

// Dumps the database `url` names into `dir`/mysql.sql; returns the files
// written. The login reaches the tool in an option file of this process's
// (mode 0600, removed after), so the password is never on a command line.
std::vector<std::string> export_root(const std::string& url, const std::string& dir);

}  // namespace dbclone::mysql
