#include "dbclone/core/port_allocator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"

namespace dbclone {

namespace {

uint32_t port_number(const rapidjson::Value& v, const std::string& where) {
    if (!v.IsUint() || v.GetUint() == 0 || v.GetUint() > 65535)
        throw Error(ErrorKind::InvalidInput, where + " must be a port number from 1 to 65535");
    return v.GetUint();
}

}  // namespace

PortConfig PortConfig::load(const std::filesystem::path& file) {
    auto doc = json::parse_file(file);
    std::string where = file.string();
    PortConfig config;
    if (!doc.IsObject() || !doc.HasMember("port_ranges") || !doc["port_ranges"].IsObject())
        throw Error(ErrorKind::InvalidInput, where + ": \"port_ranges\" must be an object");
    for (const auto& m : doc["port_ranges"].GetObject()) {
        std::string type = m.name.GetString();
        std::string at = where + ": port_ranges." + type;
        if (!m.value.IsArray() || m.value.Size() != 2)
            throw Error(ErrorKind::InvalidInput, at + " must be [first, last]");
        uint32_t first = port_number(m.value[0], at + "[0]");
        uint32_t last = port_number(m.value[1], at + "[1]");
        if (first > last) throw Error(ErrorKind::InvalidInput, at + ": first is above last");
        config.ranges[type] = {first, last};
    }
    if (doc.HasMember("reserved_ports")) {
        if (!doc["reserved_ports"].IsArray())
            throw Error(ErrorKind::InvalidInput, where + ": \"reserved_ports\" must be an array");
        for (const auto& p : doc["reserved_ports"].GetArray())
            config.reserved.insert(port_number(p, where + ": reserved_ports"));
    }
    return config;
}

bool port_is_free(uint32_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    int one = 1;
    // Servers set SO_REUSEADDR too, so a port in TIME_WAIT counts as free.
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return free;
}

PortAllocator::PortAllocator(Registry& registry, PortConfig config)
    : registry_(registry), config_(std::move(config)) {}

uint32_t PortAllocator::allocate(const std::string& db_type, const std::string& tenant_id) {
    auto range = config_.ranges.find(db_type);
    if (range == config_.ranges.end())
        throw Error(ErrorKind::NotFound, "no port range for database type \"" + db_type +
                                             "\" in the port configuration");
    uint32_t chosen = 0;
    registry_.transaction([&] {
        std::set<uint32_t> taken;
        for (const auto& a : registry_.ports()) taken.insert(a.port);
        for (uint32_t p = range->second.first; p <= range->second.second; ++p) {
            if (config_.reserved.count(p) || taken.count(p) || !port_is_free(p)) continue;
            registry_.insert_port({p, db_type, tenant_id, ""});
            chosen = p;
            return;
        }
        throw Error(ErrorKind::Unavailable, "no free port left for " + db_type + " in " +
                                                std::to_string(range->second.first) + "-" +
                                                std::to_string(range->second.second));
    });
    return chosen;
}

void PortAllocator::release(uint32_t port) {
    registry_.transaction([&] { registry_.delete_port(port); });
}

std::vector<uint32_t> PortAllocator::release_orphans() {
    std::vector<uint32_t> freed;
    registry_.transaction([&] {
        for (const auto& a : registry_.ports()) {
            if (registry_.find_clone(a.tenant_id)) continue;
            registry_.delete_port(a.port);
            freed.push_back(a.port);
        }
    });
    return freed;
}

std::vector<RangeUsage> PortAllocator::utilization() {
    auto allocations = registry_.ports();
    std::vector<RangeUsage> out;
    for (const auto& [type, range] : config_.ranges) {
        RangeUsage u{type, range.first, range.second, 0, 0};
        for (uint32_t p = range.first; p <= range.second; ++p)
            if (!config_.reserved.count(p)) ++u.capacity;
        for (const auto& a : allocations)
            if (a.port >= range.first && a.port <= range.second) ++u.allocated;
        out.push_back(u);
    }
    return out;
}

}  // namespace dbclone
