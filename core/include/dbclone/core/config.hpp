// dbclone's configuration: where state, roots and plugins live, and each plugin's
// settings. Command-line options override the environment, which overrides the
// config file, which overrides built-in defaults.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dbclone/core/limit_set.hpp"

namespace dbclone {

// What the command line (or an embedding program) sets explicitly.
struct ConfigOverrides {
    std::optional<std::filesystem::path> config_file;
    std::optional<std::filesystem::path> state_dir;
    std::optional<std::filesystem::path> roots_dir;
    std::vector<std::filesystem::path> plugin_dirs;  // searched before all others
    // Server URLs (--server); each goes to the backend its scheme names:
    // postgresql:// or postgres:// to postgresql, mysql:// or mariadb:// to mysql,
    // mongodb:// to mongodb.
    std::vector<std::string> server_urls;
    // Files holding server URLs (--server-file), one per line ('#' comments),
    // read after server_urls: a password there is not visible in `ps`.
    std::vector<std::filesystem::path> server_files;
    bool init_registry = false;  // --init
};

struct Config {
    std::filesystem::path file;  // the config file read; empty when none
    std::filesystem::path state_dir;
    std::filesystem::path roots_dir;
    std::filesystem::path port_config;
    std::vector<std::filesystem::path> plugin_dirs;  // in search order
    std::string default_version = "v1.0";
    std::string default_type = "sqlite";
    std::map<std::string, std::string> plugin_settings;  // plugin name -> JSON object text
    // Where dedicated placements keep golden and tenant data directories; the
    // servers' users must be able to traverse every parent. Default: <state_dir>/data.
    std::filesystem::path data_dir;
    std::string storage_strategy = "auto";                 // auto, btrfs_snapshot, reflink, copy
    std::map<std::string, std::string> default_placement;  // db type -> placement
    // Every tenant's limits unless its create overrides one: the built-in
    // defaults with the config file's "limits" object over them.
    LimitSet default_limits;
    // Start an empty registry even where a used installation's data lies
    // (`--init`); otherwise a missing registry there is refused.
    bool init_registry = false;

    // The plugin's settings, "{}" when the config has none.
    std::string settings_for(const std::string& plugin) const;
};

// The backend a server URL is for, from its scheme; throws Error(InvalidInput)
// naming the URL's scheme and the schemes allowed.
std::string backend_for_url(const std::string& url);

// True when `url` carries a password (scheme://user:password@...).
bool url_has_password(const std::string& url);

// Resolves every setting as described above. The config file is, in order:
// overrides.config_file, $DBCLONE_CONFIG, ~/.config/dbclone/dbclone.json (if it
// exists), else the shipped share/dbclone/dbclone.json. Relative paths in a config
// file are relative to that file. A backend's server URL comes from the
// command line, else its environment variable (DBCLONE_PG_URL,
// DBCLONE_MYSQL_URL, DBCLONE_MONGODB_URI), else the config file's
// plugins.<name>.url. Throws Error(InvalidInput) naming a bad setting.
Config load_config(const ConfigOverrides& overrides);

// The directory holding bin/, lib/dbclone/plugins and share/dbclone of the running
// program: the install prefix, or the build tree, which has the same layout.
std::filesystem::path install_root();

}  // namespace dbclone
