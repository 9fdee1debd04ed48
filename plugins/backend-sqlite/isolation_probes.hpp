// What a SQLite tenant's SQL can reach beyond its own file, tried for real:
// another tenant's file and dbclone's registry, through ATTACH, VACUUM INTO and
// load_extension, once on a connection opened as dbclone/sqlite_tenant.h says
// and once on a plain sqlite3_open, as a careless application would.
#pragma once

#include <dbclone/plugin.h>
#include <dbclone/sdk.hpp>

#include <string>

namespace dbclone::sqlite_backend {

// `registry` is the host's registry file ("" when the host did not say).
void run_isolation_probes(const dbc_target& attacker, const dbc_target& victim,
                          const std::string& registry, const sdk::Sink& sink);

}  // namespace dbclone::sqlite_backend
