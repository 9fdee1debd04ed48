// The MySQL/MariaDB isolation probes: with one tenant's credentials, really try
// to reach another tenant's schema or the server's secrets and files. Each
// reports "denied" (good), "allowed" (isolation broken) or "error".
#pragma once

#include <dbclone/sdk.hpp>

#include <optional>

#include "mysql_connection.hpp"
#include "server_url.hpp"

namespace dbclone::mysql {

// `attacker_server` and `victim_server` are one server when tenants share it.
// `registry` is the host's registry file, which the attacker tries to read.
void run_isolation_probes(const ServerUrl& attacker_server, const ServerUrl& victim_server,
                          const dbc_target& attacker, const dbc_target& victim,
                          const std::string& registry, const sdk::Sink& sink);

// LOAD DATA LOCAL INFILE of a file of its own as `login`, over a connection
// that allows it: the server's error, or nullopt when it took the file.
std::optional<ServerError> try_load_data_local(const ServerUrl& server, const dbc_target& login);
// True when `error` is the server refusing LOAD DATA LOCAL (not some other failure).
bool refuses_local_infile(const ServerError& error);

}  // namespace dbclone::mysql
