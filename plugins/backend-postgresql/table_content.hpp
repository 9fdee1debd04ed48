// The content record (dbclone/content_record.hpp) of a PostgreSQL database, as
// the connected role sees it: every table's and populated materialized view's
// rows, every sequence's state, and amcheck's verdict on every B-tree index where amcheck is
// installed and this role may run it.
#pragma once

#include <string>

namespace dbclone::postgresql {

class PgConnection;

// Rows are read in one read-only snapshot with fixed output settings (dates,
// time zone, floats, bytea), so a row's text, and its checksum, depends on its
// values alone. Tables with FORCE ROW LEVEL SECURITY are left out: what their
// owner sees depends on who asks.
std::string table_content(PgConnection& db);

}  // namespace dbclone::postgresql
