// Hands out server ports for dedicated placements from the ranges of
// port_config.json. Allocation is a registry transaction, so two processes never
// get the same port; a port that something else already listens on is skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dbclone/core/registry.hpp"

namespace dbclone {

struct PortConfig {
    std::map<std::string, std::pair<uint32_t, uint32_t>> ranges;  // db type -> [first, last]
    std::set<uint32_t> reserved;

    // Reads {"port_ranges": {"mysql": [3309, 3400], ...}, "reserved_ports": [...]};
    // throws Error(InvalidInput) naming the file and the bad entry.
    static PortConfig load(const std::filesystem::path& file);
};

struct RangeUsage {
    std::string db_type;
    uint32_t first = 0;
    uint32_t last = 0;
    size_t capacity = 0;  // ports in the range that are not reserved
    size_t allocated = 0;
};

class PortAllocator {
  public:
    PortAllocator(Registry& registry, PortConfig config);

    // The lowest free port of db_type's range, recorded for tenant_id. Joins the
    // caller's transaction if one is open. Throws Error(NotFound) for a type with no
    // range and Error(Unavailable) when the range is exhausted.
    uint32_t allocate(const std::string& db_type, const std::string& tenant_id);
    void release(uint32_t port);
    // Releases allocations whose tenant has no clone row; returns the ports freed.
    std::vector<uint32_t> release_orphans();
    std::vector<RangeUsage> utilization();

    const PortConfig& config() const { return config_; }

  private:
    Registry& registry_;
    PortConfig config_;
};

// True when a TCP bind on 127.0.0.1:port succeeds right now.
bool port_is_free(uint32_t port);

}  // namespace dbclone
