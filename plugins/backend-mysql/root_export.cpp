#include "root_export.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <dbclone/child_program.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "server_url.hpp"

namespace fs = std::filesystem;

namespace dbclone::mysql {

namespace {

std::string find_dump_tool() {
    for (const char* path : {"/usr/bin/mariadb-dump", "/usr/bin/mysqldump",
                             "/usr/local/bin/mariadb-dump", "/usr/local/bin/mysqldump"})
        if (fs::exists(path)) return path;
    throw sdk::Failure(DBC_NOT_SUPPORTED, "mariadb-dump is not installed (Debian: mariadb-client)");
}

// An option-file value: quoted, with the characters the client unescapes.
std::string option_value(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// A [client] option file of the login, removed when this goes.
class LoginFile {
  public:
    explicit LoginFile(const ServerUrl& url) {
        char name[] = "/tmp/dbclone-login-XXXXXX";
        int fd = ::mkostemp(name, O_CLOEXEC);  // mode 0600
        if (fd < 0) throw sdk::Failure(DBC_ERROR, std::string("mkostemp: ") + std::strerror(errno));
        path_ = name;
        std::string text = "[client]\nuser=" + option_value(url.user) +
                           "\npassword=" + option_value(url.password) + "\n";
        if (!url.socket.empty())
            text += "socket=" + option_value(url.socket) + "\nprotocol=socket\n";
        else
            text += "host=" + option_value(url.host) + "\nport=" + std::to_string(url.port) +
                    "\nprotocol=tcp\n";
        bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        ::close(fd);
        if (!written) throw sdk::Failure(DBC_ERROR, "cannot write an option file in /tmp");
    }
    ~LoginFile() { ::unlink(path_.c_str()); }
    LoginFile(const LoginFile&) = delete;
    LoginFile& operator=(const LoginFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace

std::vector<std::string> export_root(const std::string& url, const std::string& dir) {
    ServerUrl server = ServerUrl::parse(url);
    if (server.database.empty())
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "the URL names no database: mysql://user@host:port/DATABASE");
    LoginFile login(server);
    std::string file = "mysql.sql";
    // --defaults-extra-file must come first. No --databases: the dump names no
    // database, as the golden schema's name is dbclone's to choose.
    auto dumped = sdk::run_program(
        {find_dump_tool(), "--defaults-extra-file=" + login.path(), "--single-transaction",
         "--routines", "--events", "--triggers", "--hex-blob", "--", server.database},
        {}, dir + "/" + file);
    if (dumped.exit_code != 0)
        throw sdk::Failure(DBC_UNAVAILABLE,
                           "mariadb-dump of database " + server.database +
                               " failed: " + sdk::redact_quoted(dumped.last_error_line()));
    return {file};
}

}  // namespace dbclone::mysql
