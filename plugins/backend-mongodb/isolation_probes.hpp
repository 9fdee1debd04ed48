// The MongoDB isolation probes: with one tenant's credentials, really try to
// read, list and write another tenant's database. Where the server does not
// enforce authorization at all, every probe says "not_enforced" and why: it
// was not tested, so it is not reported as passed.
#pragma once

#include <dbclone/sdk.hpp>

#include "server_features.hpp"

namespace dbclone::mongodb {

void run_isolation_probes(const std::string& uri, const ServerFeatures& features,
                          const dbc_target& attacker, const dbc_target& victim,
                          const sdk::Sink& sink);

}  // namespace dbclone::mongodb
