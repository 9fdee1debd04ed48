#include "dbclone/core/tenant_id.hpp"

#include "dbclone/core/error.hpp"
#include "text.hpp"

namespace dbclone {

namespace {
constexpr size_t max_length = 48;
bool is_lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
}  // namespace

void validate_tenant_id(std::string_view id) {
    bool ok = !id.empty() && id.size() <= max_length && is_lower_alnum(id.front());
    for (char c : id) ok = ok && (is_lower_alnum(c) || c == '_');
    if (!ok)
        throw Error(ErrorKind::InvalidInput,
                    "invalid tenant id " + in_quotes(id) +
                        ": allowed are 1 to 48 characters of a-z, 0-9 and _, starting with a "
                        "letter or digit (^[a-z0-9][a-z0-9_]{0,47}$)");
}

std::string tenant_database_name(std::string_view id) {
    return "tenant_" + std::string(id) + "_db";
}

std::string tenant_user_name(std::string_view id) {
    return "tenant_" + std::string(id);
}

std::string tenant_query_user_name(std::string_view id) {
    return tenant_user_name(id) + ".ro";
}

}  // namespace dbclone
