#include "limits_text.hpp"

#include <dbclone/core/record_json.hpp>

#include <cstdio>

namespace dbclone::cli {

void print_limits(std::ostream& out, const CloneRecord& r, const char* indent) {
    for (const auto& s : json::limit_states(r)) {
        char line[128];
        std::snprintf(line, sizeof line, "%s%-28s %-6s ", indent, s.name.c_str(), s.value.c_str());
        out << line << s.state << (s.detail.empty() ? "" : ": " + s.detail) << '\n';
    }
}

}  // namespace dbclone::cli
