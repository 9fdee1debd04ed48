// The content record (dbclone/content_record.hpp) of one MySQL/MariaDB schema:
// every base table's rows by the server's own CHECKSUM TABLE, every sequence's
// state, and what CHECK TABLE and a MATCH on every FULLTEXT index find.
#pragma once

#include <string>

namespace dbclone::mysql {

class MysqlConnection;

// Tables are named without the schema: the golden schema and a tenant's have
// different names and the same tables. CHECKSUM TABLE reads every row (the
// server has no sampled form), so nothing is "sampled".
std::string table_content(MysqlConnection& db, const std::string& schema);

}  // namespace dbclone::mysql
