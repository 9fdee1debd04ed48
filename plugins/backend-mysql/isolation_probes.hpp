// The MySQL/MariaDB isolation probes: with one tenant's credentials, really try
// to reach another tenant's schema or the server's secrets and files. Each
// reports "denied" (good), "allowed" (isolation broken) or "error".
#pragma once

#include <dbclone/sdk.hpp>

#include "server_url.hpp"

namespace dbclone::mysql {

// `attacker_server` and `victim_server` are one server when tenants share it.
// `registry` is the host's registry file, which the attacker tries to read.
void run_isolation_probes(const ServerUrl& attacker_server, const ServerUrl& victim_server,
                          const dbc_target& attacker, const dbc_target& victim,
                          const std::string& registry, const sdk::Sink& sink);

}  // namespace dbclone::mysql
