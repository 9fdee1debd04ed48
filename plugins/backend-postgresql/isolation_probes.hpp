// The PostgreSQL isolation probes: with one tenant's credentials, really try to
// reach another tenant's data or the server's secrets. Each probe reports
// "denied" (good), "allowed" (isolation broken), "not_applicable" or "error".
#pragma once

#include <dbclone/sdk.hpp>

#include <map>
#include <string>

namespace dbclone::postgresql {

// Runs every probe as `attacker` against `victim`, one sink record each.
// `registry` is the host's registry file, which the attacker tries to read.
void run_isolation_probes(const std::string& url, const dbc_target& attacker,
                          const dbc_target& victim, const std::string& registry,
                          const sdk::Sink& sink);

// libpq keywords that log in as `target`'s user to `database`.
std::map<std::string, std::string> login_as(const dbc_target& target, const std::string& database);

}  // namespace dbclone::postgresql
