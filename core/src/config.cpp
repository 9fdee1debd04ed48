#include "dbclone/core/config.hpp"

#include <fstream>

#include <cstdlib>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"

#ifndef DBCLONE_INSTALL_PREFIX
#define DBCLONE_INSTALL_PREFIX "/usr/local"
#endif

namespace dbclone {

namespace {

std::optional<std::filesystem::path> env_path(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::filesystem::path(v);
}

std::filesystem::path home() {
    return env_path("HOME").value_or("/root");
}

std::filesystem::path choose_config_file(const ConfigOverrides& o) {
    if (o.config_file) return *o.config_file;
    if (auto env = env_path("DBCLONE_CONFIG")) return *env;
    auto user =
        env_path("XDG_CONFIG_HOME").value_or(home() / ".config") / "dbclone" / "dbclone.json";
    if (std::filesystem::exists(user)) return user;
    return install_root() / "share" / "dbclone" / "dbclone.json";
}

std::filesystem::path relative_to(const std::filesystem::path& base, const std::string& value) {
    std::filesystem::path p(value);
    return p.is_absolute() ? p : base / p;
}

void read_file(Config& c, const std::filesystem::path& file) {
    auto doc = json::parse_file(file);
    std::string where = file.string();
    if (!doc.IsObject()) throw Error(ErrorKind::InvalidInput, where + ": must be a JSON object");
    auto base = file.parent_path();
    if (auto v = json::optional_string(doc, "state_dir", where))
        c.state_dir = relative_to(base, *v);
    if (auto v = json::optional_string(doc, "roots_dir", where))
        c.roots_dir = relative_to(base, *v);
    if (auto v = json::optional_string(doc, "port_config", where))
        c.port_config = relative_to(base, *v);
    if (auto v = json::optional_string(doc, "default_version", where)) c.default_version = *v;
    if (auto v = json::optional_string(doc, "default_type", where)) c.default_type = *v;
    if (auto v = json::optional_string(doc, "data_dir", where)) c.data_dir = relative_to(base, *v);
    if (doc.HasMember("storage")) {
        if (!doc["storage"].IsObject())
            throw Error(ErrorKind::InvalidInput, where + ": \"storage\" must be an object");
        if (auto v = json::optional_string(doc["storage"], "strategy", where + ": storage"))
            c.storage_strategy = *v;
    }
    if (doc.HasMember("default_placement")) {
        if (!doc["default_placement"].IsObject())
            throw Error(ErrorKind::InvalidInput,
                        where + ": \"default_placement\" must be an object");
        for (const auto& m : doc["default_placement"].GetObject()) {
            if (!m.value.IsString())
                throw Error(ErrorKind::InvalidInput, where + ": default_placement." +
                                                         m.name.GetString() + " must be a string");
            c.default_placement[m.name.GetString()] = m.value.GetString();
        }
    }
    if (doc.HasMember("limits")) {
        if (!doc["limits"].IsObject())
            throw Error(ErrorKind::InvalidInput, where + ": \"limits\" must be an object");
        for (const auto& item : LimitSet::assignments_of(doc["limits"], where + ": limits")) try {
                c.default_limits.assign(item);
            } catch (const Error& e) {
                throw Error(ErrorKind::InvalidInput, where + ": limits: " + e.what());
            }
    }
    if (doc.HasMember("plugin_dirs")) {
        if (!doc["plugin_dirs"].IsArray())
            throw Error(ErrorKind::InvalidInput, where + ": \"plugin_dirs\" must be an array");
        for (const auto& d : doc["plugin_dirs"].GetArray()) {
            if (!d.IsString())
                throw Error(ErrorKind::InvalidInput, where + ": \"plugin_dirs\" holds strings");
            c.plugin_dirs.push_back(relative_to(base, d.GetString()));
        }
    }
    if (doc.HasMember("plugins")) {
        if (!doc["plugins"].IsObject())
            throw Error(ErrorKind::InvalidInput, where + ": \"plugins\" must be an object");
        for (const auto& m : doc["plugins"].GetObject()) {
            if (!m.value.IsObject())
                throw Error(ErrorKind::InvalidInput,
                            where + ": plugins." + m.name.GetString() + " must be an object");
            c.plugin_settings[m.name.GetString()] = json::to_string(m.value);
        }
    }
}

// Sets plugins.<backend>.url in the config, keeping the section's other keys.
void set_url(Config& c, const std::string& backend, const std::string& url) {
    rapidjson::Document section;
    section.Parse<rapidjson::kParseIterativeFlag>(c.settings_for(backend).c_str());
    if (!section.IsObject()) section.SetObject();
    section.RemoveMember("url");
    section.AddMember("url", rapidjson::Value(url.c_str(), section.GetAllocator()),
                      section.GetAllocator());
    c.plugin_settings[backend] = json::to_string(section);
}

struct ServerVariable {
    const char* backend;
    const char* variable;
};
constexpr ServerVariable server_variables[] = {
    {"postgresql", "DBCLONE_PG_URL"},
    {"mysql", "DBCLONE_MYSQL_URL"},
    {"mongodb", "DBCLONE_MONGODB_URI"},
};

}  // namespace

std::string backend_for_url(const std::string& url) {
    auto colon = url.find("://");
    std::string scheme = colon == std::string::npos ? "" : url.substr(0, colon);
    if (scheme == "postgresql" || scheme == "postgres") return "postgresql";
    if (scheme == "mysql" || scheme == "mariadb") return "mysql";
    if (scheme == "mongodb" || scheme == "mongodb+srv") return "mongodb";
    throw Error(ErrorKind::InvalidInput, "server URL scheme \"" + scheme +
                                             "\" is not one of postgresql://, postgres://, "
                                             "mysql://, mariadb://, mongodb://");
}

bool url_has_password(const std::string& url) {
    auto start = url.find("://");
    if (start == std::string::npos) return false;
    auto at = url.find('@', start + 3);
    if (at == std::string::npos) return false;
    auto colon = url.find(':', start + 3);
    return colon != std::string::npos && colon < at;
}

namespace {

// The URLs of a --server-file: one per line, blank lines and '#' comments
// skipped. The message names the file, never its content.
std::vector<std::string> read_server_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(ErrorKind::NotFound, "cannot read server file " + file.string());
    std::vector<std::string> urls;
    std::string line;
    while (std::getline(in, line)) {
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        auto last = line.find_last_not_of(" \t\r");
        urls.push_back(line.substr(first, last - first + 1));
    }
    if (urls.empty())
        throw Error(ErrorKind::InvalidInput, "server file " + file.string() + " holds no URL");
    return urls;
}

}  // namespace

std::string Config::settings_for(const std::string& plugin) const {
    auto it = plugin_settings.find(plugin);
    return it != plugin_settings.end() ? it->second : "{}";
}

std::filesystem::path install_root() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return DBCLONE_INSTALL_PREFIX;
    return exe.parent_path().parent_path();
}

Config load_config(const ConfigOverrides& o) {
    Config c;
    auto share = install_root() / "share" / "dbclone";
    c.roots_dir = share / "roots";
    c.port_config = share / "port_config.json";
    auto file = choose_config_file(o);
    if (std::filesystem::exists(file)) {
        c.file = std::filesystem::absolute(file);
        read_file(c, c.file);
    } else if (o.config_file || env_path("DBCLONE_CONFIG")) {
        throw Error(ErrorKind::NotFound, "config file " + file.string() + " does not exist");
    }
    if (auto env = env_path("DBCLONE_STATE_DIR")) c.state_dir = *env;
    if (o.state_dir) c.state_dir = *o.state_dir;
    if (c.state_dir.empty())
        c.state_dir = env_path("XDG_STATE_HOME").value_or(home() / ".local" / "state") / "dbclone";
    if (o.roots_dir) c.roots_dir = *o.roots_dir;
    c.init_registry = o.init_registry;
    for (const auto& [backend, variable] : server_variables)
        if (const char* url = std::getenv(variable); url != nullptr && *url != '\0')
            set_url(c, backend, url);
    for (const auto& url : o.server_urls) set_url(c, backend_for_url(url), url);
    for (const auto& file : o.server_files)
        for (const auto& url : read_server_file(file)) set_url(c, backend_for_url(url), url);
    // Search order: the command line, the config file, then the program's own tree
    // and the configured install prefix (the same directory, usually).
    std::vector<std::filesystem::path> dirs = o.plugin_dirs;
    dirs.insert(dirs.end(), c.plugin_dirs.begin(), c.plugin_dirs.end());
    auto own = install_root() / "lib" / "dbclone" / "plugins";
    dirs.push_back(own);
    // The configured prefix only when the program's tree has no plugins, so a build
    // tree next to an installed copy does not load every plugin twice.
    if (!std::filesystem::is_directory(own))
        dirs.push_back(std::filesystem::path(DBCLONE_INSTALL_PREFIX) / "lib" / "dbclone" /
                       "plugins");
    c.plugin_dirs = dirs;
    c.state_dir = std::filesystem::absolute(c.state_dir);
    if (c.data_dir.empty()) c.data_dir = c.state_dir / "data";
    c.data_dir = std::filesystem::absolute(c.data_dir);
    c.roots_dir = std::filesystem::absolute(c.roots_dir);
    return c;
}

}  // namespace dbclone
