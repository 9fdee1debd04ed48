// InnoDB transportable tablespaces: a golden schema's tables are exported once
// (FLUSH TABLES ... FOR EXPORT, then their .ibd and .cfg files are copied to a
// cache beside the plugin's data), and each clone imports copies of those files
// (reflinks where the filesystem allows) into its own empty tables. Copying
// files replaces INSERT ... SELECT of every row, so a clone costs about what
// copying its bytes costs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mysql_connection.hpp"
#include "schema_copier.hpp"

namespace dbclone::mysql {

// The server's data directory if this process can read and write it (a local
// server, run with the needed permissions), else "". `configured` overrides
// what the server reports.
std::string reachable_datadir(MysqlConnection& admin, const std::string& configured);

// True for tables whose files can be moved: InnoDB, with a name that is also
// its file name ([A-Za-z0-9_]).
bool is_transportable(const TableInfo& table);

class TablespaceCopy {
  public:
    TablespaceCopy(MysqlConnection& admin, std::filesystem::path datadir,
                   std::filesystem::path cache_dir);

    // Makes the export cache of `golden`'s transportable tables unless it
    // exists. The caller holds the golden copy's build lock.
    void ensure_export(const std::string& golden, const std::vector<TableInfo>& tables);

    // Replaces the (empty) tablespaces of `tenant`'s tables with copies of the
    // export; returns "reflink" or "copy" (the method of the last file).
    std::string import(const std::string& tenant, const std::vector<TableInfo>& tables);

  private:
    MysqlConnection& admin_;
    std::filesystem::path datadir_;
    std::filesystem::path cache_dir_;
};

}  // namespace dbclone::mysql
