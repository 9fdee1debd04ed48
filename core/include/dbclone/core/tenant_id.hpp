// Tenant ids and the names derived from them. An id is checked before anything
// else happens, so that no invalid id reaches a file name, SQL or a log line.
#pragma once

#include <string>
#include <string_view>

namespace dbclone {

// Throws Error(InvalidInput) naming the id and the allowed pattern unless `id`
// matches ^[a-z0-9][a-z0-9_]{0,47}$.
void validate_tenant_id(std::string_view id);

// "tenant_<id>_db": the clone's database (or file stem).
std::string tenant_database_name(std::string_view id);

// "tenant_<id>": the clone's login.
std::string tenant_user_name(std::string_view id);

// "tenant_<id>.ro": the clone's query login (read only), on engines with logins.
// The dot is in no id, so it is never another tenant's owner login.
std::string tenant_query_user_name(std::string_view id);

}  // namespace dbclone
