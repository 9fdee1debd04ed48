// mysql://user:password@host:port/database?socket=/path, as connection fields.
#pragma once

#include <cstdint>
#include <string>

namespace dbclone::mysql {

struct ServerUrl {
    std::string user;
    std::string password;  // secret: never logged
    std::string host = "127.0.0.1";
    uint32_t port = 3306;
    std::string database;
    std::string socket;  // a Unix socket path; used instead of host:port when set

    // Parses a mysql:// or mariadb:// URL; user info and the socket path may be
    // percent-encoded. Throws sdk::Failure(DBC_INVALID_ARGUMENT) naming what is wrong
    // (never the password).
    static ServerUrl parse(const std::string& url);

    // True when the server runs on this machine (loopback or a socket), so its
    // data directory may be reachable.
    bool is_local() const;
};

}  // namespace dbclone::mysql
