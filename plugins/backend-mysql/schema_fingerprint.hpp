// The schema fingerprint of a MySQL/MariaDB schema: sha256 over its
// information_schema rows (tables, columns, indexes, constraints, views,
// routines and their parameters, triggers), with the schema's own name
// replaced by a placeholder in definitions and definers left out, so a golden
// copy and its clones agree.
#pragma once

#include <string>

namespace dbclone::mysql {

class MysqlConnection;

std::string schema_fingerprint(MysqlConnection& db, const std::string& schema);

}  // namespace dbclone::mysql
