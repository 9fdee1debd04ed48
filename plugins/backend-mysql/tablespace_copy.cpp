#include "tablespace_copy.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/file_clone.hpp>
#include <dbclone/sdk.hpp>

#include <cctype>
#include <fstream>

namespace fs = std::filesystem;

namespace dbclone::mysql {

namespace {

constexpr const char* complete_marker = "COMPLETE";
const char* const tablespace_files[] = {".ibd", ".cfg"};

}  // namespace

std::string reachable_datadir(MysqlConnection& admin, const std::string& configured) {
    std::string dir = configured.empty() ? admin.query("SELECT @@datadir").at(0, 0) : configured;
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return "";
    if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) return "";
    return dir;
}

bool is_transportable(const TableInfo& table) {
    if (table.engine != "InnoDB" || table.logical_only || table.name.empty()) return false;
    for (char c : table.name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

TablespaceCopy::TablespaceCopy(MysqlConnection& admin, fs::path datadir, fs::path cache_dir)
    : admin_(admin), datadir_(std::move(datadir)), cache_dir_(std::move(cache_dir)) {}

void TablespaceCopy::ensure_export(const std::string& golden,
                                   const std::vector<TableInfo>& tables) {
    if (fs::exists(cache_dir_ / complete_marker)) return;
    fs::path temp = cache_dir_.string() + ".tmp";
    fs::remove_all(temp);
    fs::remove_all(cache_dir_);
    fs::create_directories(temp);
    std::string list;
    for (const auto& t : tables)
        if (is_transportable(t))
            list += (list.empty() ? "" : ", ") + admin_.quote_identifier(golden) + "." +
                    admin_.quote_identifier(t.name);
    if (!list.empty()) {
        // The tables stay read-locked, and their .cfg files exist, until UNLOCK.
        admin_.query("FLUSH TABLES " + list + " FOR EXPORT", "exporting " + golden);
        try {
            for (const auto& t : tables) {
                if (!is_transportable(t)) continue;
                for (const char* ext : tablespace_files)
                    sdk::clone_file(datadir_ / golden / (t.name + ext), temp / (t.name + ext), 0600,
                                    sdk::CloneMethod::Auto);
            }
        } catch (...) {
            admin_.try_exec("UNLOCK TABLES");
            throw;
        }
        admin_.query("UNLOCK TABLES", "unlocking " + golden);
    }
    std::ofstream(temp / complete_marker) << golden << '\n';
    fs::rename(temp, cache_dir_);
}

std::string TablespaceCopy::import(const std::string& tenant,
                                   const std::vector<TableInfo>& tables) {
    fs::path target = datadir_ / tenant;
    struct stat owner {};
    if (::stat(target.c_str(), &owner) != 0)
        throw sdk::Failure(DBC_ERROR, "cannot see the schema directory " + target.string());
    std::string q_tenant = admin_.quote_identifier(tenant), discard, import;
    for (const auto& t : tables) {
        if (!is_transportable(t)) continue;
        std::string table = q_tenant + "." + admin_.quote_identifier(t.name);
        discard += "ALTER TABLE " + table + " DISCARD TABLESPACE;\n";
        import += "ALTER TABLE " + table + " IMPORT TABLESPACE;\n";
    }
    if (discard.empty()) return "none";
    admin_.query(discard, "discarding the tablespaces of " + tenant);
    std::string method;
    for (const auto& t : tables) {
        if (!is_transportable(t)) continue;
        for (const char* ext : tablespace_files) {
            fs::path to = target / (t.name + ext);
            method = sdk::clone_file(cache_dir_ / (t.name + ext), to, 0660, sdk::CloneMethod::Auto);
            // The server reads them as itself: give them the owner of its files.
            if (::chown(to.c_str(), owner.st_uid, owner.st_gid) != 0)
                throw sdk::Failure(DBC_ERROR, "cannot hand " + to.string() + " to the server");
        }
    }
    admin_.query(import, "importing the tablespaces of " + tenant);
    for (const auto& t : tables)
        if (is_transportable(t)) fs::remove(target / (t.name + ".cfg"));
    return method;
}

}  // namespace dbclone::mysql
