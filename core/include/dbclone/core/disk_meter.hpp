// What a tenant's database takes on disk, measured by its backend with the
// tenant's own login and kept in the registry (disk_bytes, disk_measured_at).
// status, verify and /metrics report from that figure which tenants are over
// their disk limit where the server cannot stop them (docs/configuration.md).
#pragma once

#include <cstdint>
#include <optional>

#include "dbclone/core/engine.hpp"

namespace dbclone {

// The tenant's owner login, as a backend call takes it.
Target owner_target(const CloneRecord& record);

// Measures tenant `record` and records the figure. nullopt, with nothing
// recorded, when its backend cannot measure; throws what the backend throws.
std::optional<uint64_t> measure_disk(Engine& engine, const CloneRecord& record);

}  // namespace dbclone
