// Copies a schema's contents into a tenant's new schema on the same server:
// tables exactly as SHOW CREATE TABLE describes them (CREATE TABLE ... LIKE
// would drop foreign keys), rows by INSERT ... SELECT, then routines, views and
// triggers, their schema qualifiers rewritten token by token and their
// DEFINER set to the tenant.
#pragma once

#include <string>
#include <vector>

#include "mysql_connection.hpp"

namespace dbclone::mysql {

struct TableInfo {
    std::string name;
    std::string engine;
    // What a tablespace import cannot carry: a FULLTEXT index (its auxiliary
    // FTS tables are not in the .ibd; the copy's next INSERT crashed the
    // server), a SPATIAL index, partitions, compression or encryption. Such a
    // table is copied row by row.
    bool logical_only = false;
};

// A trigger as SHOW CREATE TRIGGER gave it, with the sql_mode it was made under.
struct TriggerDefinition {
    std::string name;
    std::string sql_mode;
    std::string statement;
};

class SchemaCopier {
  public:
    SchemaCopier(MysqlConnection& admin, std::string golden, std::string tenant);

    // The golden schema's base tables (not views).
    std::vector<TableInfo> base_tables();
    // Creates the tenant schema with the golden one's character set and makes it
    // the session's default; foreign key checks are off in this session until
    // finish().
    void create_schema();
    void create_tables(const std::vector<TableInfo>& tables);
    void copy_rows(const TableInfo& table);
    // MariaDB's sequences (tables of type SEQUENCE), with their current state.
    void copy_sequences();
    // Routines, then views (in dependency order), then triggers, owned by `definer`
    // (written as `user`@`host`).
    void recreate_programs(const std::string& definer);
    void recreate_routines_and_views(const std::string& definer);
    // Events, disabled or not as in the golden schema, with `definer` (each
    // under its own sql_mode and time_zone, which finish() restores).
    void recreate_events(const std::string& definer);
    std::vector<TriggerDefinition> read_triggers();
    void create_triggers(const std::vector<TriggerDefinition>& triggers,
                         const std::string& definer);
    // Moves the golden schema's tables into the tenant's (RENAME TABLE: no row is
    // copied), dropping `triggers` first: only for a golden schema that is used
    // once, as in a clone of a golden data directory.
    void move_tables(const std::vector<TableInfo>& tables,
                     const std::vector<TriggerDefinition>& triggers);
    // Restores the session's foreign key checks, time_zone and sql_mode.
    void finish();

  private:
    std::string golden_object(const std::string& name) const;
    void exec_with_sql_mode(const std::string& sql_mode, const std::string& statement,
                            const std::string& what);

    MysqlConnection& admin_;
    std::string golden_, tenant_;
    std::string q_golden_, q_tenant_;
    std::string saved_sql_mode_;
};

}  // namespace dbclone::mysql
