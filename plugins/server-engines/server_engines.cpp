#include "server_engines.hpp"

#include "postgresql_install.hpp"

#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <dbclone/sdk.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace dbclone::process_runtime {

namespace {

std::string newest_postgresql_bin() {
    std::string bin = newest_postgresql_bin_with("postgres");
    if (bin.empty())
        throw sdk::Failure(DBC_NOT_FOUND, "no PostgreSQL server in /usr/lib/postgresql/*/bin");
    return bin;
}

// Whether the server at the unix socket `path` greets a new client within
// 100 ms. A connect alone is not enough: MariaDB listens before its start-up
// is over and greets (accepts) only once it is.
bool socket_greets(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    bool greeted = false;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        pollfd readable{fd, POLLIN, 0};
        char byte = 0;
        greeted = ::poll(&readable, 1, 100) == 1 && ::recv(fd, &byte, 1, 0) == 1;
    }
    ::close(fd);
    return greeted;
}

}  // namespace

PostgresqlEngine::PostgresqlEngine(std::string bin_dir) : bin_(std::move(bin_dir)) {
    if (bin_.empty()) bin_ = newest_postgresql_bin();
}

std::vector<std::string> PostgresqlEngine::initialize(const ServerPlaces& p) const {
    return {bin_ + "/initdb",
            "-D",
            p.data_dir,
            "-U",
            "postgres",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-instructions"};
}

// Who may log in how. The superuser only over the socket, and only for the OS
// user that runs dbclone (peer authentication through the map "dbclone"): the
// OS user postgres, or anyone else who reaches the socket, is not let in as
// the superuser. Every other login needs its password, on the socket too.
void PostgresqlEngine::finish_initialize(const ServerPlaces& p) const {
    const passwd* me = ::getpwuid(::geteuid());
    if (me == nullptr) throw sdk::Failure(DBC_ERROR, "this process's user has no name");
    std::ofstream(p.data_dir + "/pg_ident.conf", std::ios::trunc)
        << "# dbclone: the OS user that runs dbclone is the superuser's only way in\n"
        << "dbclone " << me->pw_name << " postgres\n";
    std::ofstream(p.data_dir + "/pg_hba.conf", std::ios::trunc)
        << "# dbclone: see PostgresqlEngine::finish_initialize\n"
        << "local all postgres peer map=dbclone\n"
        << "local all all scram-sha-256\n"
        << "# containers see their clients come from the bridge network\n"
        << "host all all 0.0.0.0/0 scram-sha-256\n"
        << "host all all ::/0 scram-sha-256\n";
}

std::vector<std::string> PostgresqlEngine::start(const ServerPlaces& p) const {
    std::vector<std::string> argv{bin_ + "/postgres",
                                  "-D",
                                  p.data_dir,
                                  "-p",
                                  std::to_string(p.port != 0 ? p.port : 5432),
                                  "-c",
                                  "listen_addresses=" + (p.port != 0 ? p.bind : std::string()),
                                  "-k",
                                  p.run_dir};
    // The tenant's own server: room for both its logins' sessions and the
    // superuser's reserved ones (3), no more; its temporary files bounded for
    // every session; a quarter of the container's memory for the buffers.
    auto setting = [&](const std::string& s) {
        argv.push_back("-c");
        argv.push_back(s);
    };
    if (p.limits.connections != 0)
        setting("max_connections=" + std::to_string(2 * p.limits.connections + 5));
    if (p.limits.temp_file_limit_kb != 0)
        setting("temp_file_limit=" + std::to_string(p.limits.temp_file_limit_kb) + "kB");
    if (p.memory_bytes != 0)
        setting("shared_buffers=" + std::to_string(p.memory_bytes / 4 / 1024) + "kB");
    return argv;
}

std::string PostgresqlEngine::pid_file(const ServerPlaces& p) const {
    return p.data_dir + "/postmaster.pid";
}

bool PostgresqlEngine::ready(const ServerPlaces& p) const {
    // Line 8 of postmaster.pid is the server's status; "ready" once it accepts
    // connections (PostgreSQL 10 and later).
    std::ifstream in(pid_file(p));
    std::string line;
    for (int i = 0; i < 8 && std::getline(in, line); ++i) {
    }
    return line.rfind("ready", 0) == 0;
}

std::vector<std::string> MariadbEngine::initialize(const ServerPlaces& p) const {
    return {"/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + p.data_dir,
            "--auth-root-authentication-method=socket", "--skip-test-db"};
}

std::vector<std::string> MariadbEngine::start(const ServerPlaces& p) const {
    std::vector<std::string> argv{
        "/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + p.data_dir,
        "--socket=" + p.run_dir + "/mysqld.sock", "--pid-file=" + pid_file(p),
        "--log-error=" + p.run_dir + "/error.log", "--skip-name-resolve",
        "--innodb-buffer-pool-size=64M",
        // No tenant SQL may make a client send its files (LOAD DATA LOCAL).
        "--local-infile=0"};
    // Both logins' two accounts each, and one for dbclone's root.
    if (p.limits.connections != 0)
        argv.push_back("--max-connections=" + std::to_string(4 * p.limits.connections + 1));
    if (p.port != 0) {
        argv.push_back("--port=" + std::to_string(p.port));
        argv.push_back("--bind-address=" + p.bind);
    } else {
        argv.push_back("--skip-networking");
    }
    return argv;
}

std::string MariadbEngine::pid_file(const ServerPlaces& p) const {
    return p.run_dir + "/mysqld.pid";
}

bool MariadbEngine::ready(const ServerPlaces& p) const {
    return socket_greets(p.run_dir + "/mysqld.sock");
}

}  // namespace dbclone::process_runtime
