// A tenant's limits as `create` and `status` print them, one per line.
#pragma once

#include <dbclone/core/registry.hpp>

#include <ostream>

namespace dbclone::cli {

// "  statement_timeout            30s    overridable: role default; ..."
void print_limits(std::ostream& out, const CloneRecord& r, const char* indent);

}  // namespace dbclone::cli
