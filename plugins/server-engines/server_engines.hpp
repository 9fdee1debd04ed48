// How the process runtime runs each engine's server: the commands that make a
// data directory and start a server on it, where the server writes its pid,
// and how to tell that it accepts connections.
#pragma once

#include <signal.h>

#include <cstdint>
#include <string>
#include <vector>

#include <dbclone/tenant_limits.hpp>

namespace dbclone::process_runtime {

// One server's places: its data, its socket-and-log directory, its port (0: no
// TCP listener, local socket only).
struct ServerPlaces {
    std::string data_dir;
    std::string run_dir;
    uint32_t port = 0;
    // The address the server listens on: loopback for a local process; all of
    // a container's own interfaces, whose port Docker publishes on 127.0.0.1.
    std::string bind = "127.0.0.1";
    // The tenant's limits (start_server's options "limits_json"), which the
    // server's own configuration holds too, and the memory it may use (a
    // container's limit; 0: unknown, the engine's defaults).
    sdk::TenantLimits limits = {};
    uint64_t memory_bytes = 0;
};

class ServerEngine {
  public:
    virtual ~ServerEngine() = default;
    virtual std::string default_user() const = 0;
    // Part of the server's command line, to recognize its process.
    virtual std::string process_name() const = 0;
    virtual std::vector<std::string> initialize(const ServerPlaces& p) const = 0;
    // Run after `initialize` succeeded (as root, on the host).
    virtual void finish_initialize(const ServerPlaces&) const {}
    virtual std::vector<std::string> start(const ServerPlaces& p) const = 0;
    virtual std::string pid_file(const ServerPlaces& p) const = 0;
    // True once the server accepts connections.
    virtual bool ready(const ServerPlaces& p) const = 0;
    // The signal that shuts the server down cleanly and promptly.
    virtual int stop_signal() const { return SIGTERM; }
};

// PostgreSQL: initdb with trust for the local socket only (its directory is
// private to the server's user) and scram-sha-256 over TCP; postgres bound to
// 127.0.0.1. `bin_dir` empty: the newest /usr/lib/postgresql/*/bin.
class PostgresqlEngine : public ServerEngine {
  public:
    explicit PostgresqlEngine(std::string bin_dir);
    std::string default_user() const override { return "postgres"; }
    std::string process_name() const override { return "postgres"; }
    std::vector<std::string> initialize(const ServerPlaces& p) const override;
    // Logins over TCP from anywhere, with scram-sha-256: a container's server sees
    // connections to its published port coming from the bridge, not loopback.
    void finish_initialize(const ServerPlaces& p) const override;
    std::vector<std::string> start(const ServerPlaces& p) const override;
    std::string pid_file(const ServerPlaces& p) const override;
    bool ready(const ServerPlaces& p) const override;
    int stop_signal() const override { return SIGINT; }  // "fast" shutdown

  private:
    std::string bin_;
};

// MariaDB: mariadb-install-db with root by unix socket only; mariadbd bound
// to 127.0.0.1 (or no networking at all for port 0).
class MariadbEngine : public ServerEngine {
  public:
    std::string default_user() const override { return "mysql"; }
    std::string process_name() const override { return "mariadbd"; }
    std::vector<std::string> initialize(const ServerPlaces& p) const override;
    std::vector<std::string> start(const ServerPlaces& p) const override;
    std::string pid_file(const ServerPlaces& p) const override;
    bool ready(const ServerPlaces& p) const override;
};

}  // namespace dbclone::process_runtime
