// Rewrites object definitions read back from a MySQL/MariaDB server (views,
// triggers, routines) so they can be recreated in a tenant's schema. It works on
// tokens, not text: string literals and comments pass through untouched, so a
// value that happens to contain a schema name is never changed.
#pragma once

#include <string>

namespace dbclone::mysql {

// Just past the quoted run that starts at `i` (which holds the quote), or
// std::string::npos when it never closes. Doubled quotes and, with
// `backslash` (strings, not `names`), backslash escapes stay inside it.
size_t quoted_end(const std::string& s, size_t i, char quote, bool backslash);

// Replaces every schema qualifier `from`. (quoted or not, followed by a dot)
// with `to`. (to is written as given: pass it quoted).
std::string rewrite_schema(const std::string& sql, const std::string& from, const std::string& to);

// Replaces the user of the first DEFINER = user@host clause with `definer`
// (written as given, e.g. `tenant_x`@`%`). Text without one is returned as is.
std::string replace_definer(const std::string& sql, const std::string& definer);

}  // namespace dbclone::mysql
