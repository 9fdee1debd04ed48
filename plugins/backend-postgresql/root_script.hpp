// The SQL script of a PostgreSQL root file: the file itself (plain pg_dump
// output, or SQL written by hand), or, for a custom-, tar- or directory-format
// archive (pg_dump -Fc, -Ft, -Fd), the plain script pg_restore makes of it, which then
// loads like any other (dump_loader.hpp). No server is involved in the
// conversion.
#pragma once

#include <string>

namespace dbclone::postgresql {

// Throws sdk::Failure naming the file: DBC_NOT_FOUND when it cannot be read,
// DBC_INVALID_ARGUMENT with pg_restore's last message when the archive is
// bad, DBC_NOT_SUPPORTED when an archive comes and there is no pg_restore
// (the newest of /usr/lib/postgresql/*/bin, else /usr/bin).
std::string root_script(const std::string& path);

}  // namespace dbclone::postgresql
