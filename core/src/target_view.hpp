// A Target as the plugin ABI's dbc_target, for a call into a plugin.
#pragma once

#include <dbclone/plugin.h>

#include "dbclone/core/backend.hpp"

namespace dbclone {

// Borrows `target`'s strings (empty ones become NULL): `target` must outlive
// the result.
dbc_target target_view(const Target& target);

}  // namespace dbclone
