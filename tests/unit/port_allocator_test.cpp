#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/port_allocator.hpp>

#include <fstream>
#include <set>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::TempDir;

namespace {

PortConfig config_with(uint32_t first, uint32_t last, std::set<uint32_t> reserved = {}) {
    PortConfig c;
    c.ranges["postgresql"] = {first, last};
    c.reserved = std::move(reserved);
    return c;
}

// A socket listening on 127.0.0.1:port until destroyed.
struct Listener {
    int fd;
    explicit Listener(uint32_t port) {
        fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(fd, 1) == 0;
    }
    ~Listener() { ::close(fd); }
    bool bound = false;
};

}  // namespace

TEST(PortConfig, LoadsTheShippedFile) {
    auto c =
        PortConfig::load(std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/port_config.json");
    EXPECT_EQ(c.ranges.at("mysql"), (std::pair<uint32_t, uint32_t>{3309, 3400}));
    EXPECT_EQ(c.ranges.at("postgresql"), (std::pair<uint32_t, uint32_t>{5434, 5500}));
    EXPECT_EQ(c.ranges.at("mongodb"), (std::pair<uint32_t, uint32_t>{27019, 27100}));
    EXPECT_EQ(c.reserved.size(), 10u);
    EXPECT_TRUE(c.reserved.count(8501));
}

TEST(PortConfig, NamesTheBadEntry) {
    TempDir dir;
    std::ofstream(dir / "p.json") << R"({"port_ranges": {"mysql": [3400, 3309]}})";
    try {
        PortConfig::load(dir / "p.json");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("port_ranges.mysql"), std::string::npos) << e.what();
    }
}

TEST(PortAllocator, SkipsReservedAllocatedAndBusyPorts) {
    TempDir dir;
    Registry registry(dir / "state.db");
    Listener busy(21002);
    ASSERT_TRUE(busy.bound) << "port 21002 must be free for this test";
    PortAllocator ports(registry, config_with(21000, 21010, {21000}));
    EXPECT_EQ(ports.allocate("postgresql", "a"), 21001u);  // 21000 reserved
    EXPECT_EQ(ports.allocate("postgresql", "b"), 21003u);  // 21002 has a listener
    ports.release(21001);
    EXPECT_EQ(ports.allocate("postgresql", "c"), 21001u);
}

TEST(PortAllocator, ReportsExhaustionAndUnknownTypes) {
    TempDir dir;
    Registry registry(dir / "state.db");
    PortAllocator ports(registry, config_with(21020, 21021));
    ports.allocate("postgresql", "a");
    ports.allocate("postgresql", "b");
    try {
        ports.allocate("postgresql", "c");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
    }
    try {
        ports.allocate("oracle", "c");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::NotFound);
    }
    auto usage = ports.utilization();
    ASSERT_EQ(usage.size(), 1u);
    EXPECT_EQ(usage[0].capacity, 2u);
    EXPECT_EQ(usage[0].allocated, 2u);
}

TEST(PortAllocator, ReleasesAllocationsWhoseCloneIsGone) {
    TempDir dir;
    Registry registry(dir / "state.db");
    PortAllocator ports(registry, config_with(21030, 21040));
    uint32_t orphan = ports.allocate("postgresql", "ghost");
    EXPECT_EQ(ports.release_orphans(), std::vector<uint32_t>{orphan});
    EXPECT_TRUE(registry.ports().empty());
}

// Ranges here lie below the kernel's ephemeral ports (32768 and up), where
// client connections of tests running in parallel would make ports look busy.

// Two processes allocate 50 ports each, at the same time, from one registry file.
TEST(PortAllocator, TwoProcessesNeverGetTheSamePort) {
    TempDir dir;
    { Registry create_schema(dir / "state.db"); }
    auto statuses = dbclone::testing::run_in_processes(2, [&](int child) {
        Registry registry(dir / "state.db");
        PortAllocator ports(registry, config_with(22000, 22999));
        std::ofstream out(dir / ("ports-" + std::to_string(child)));
        for (int i = 0; i < 50; ++i)
            out << ports.allocate("postgresql", "t" + std::to_string(child)) << '\n';
    });
    EXPECT_EQ(statuses, (std::vector<int>{0, 0}));
    std::multiset<uint32_t> all;
    for (int child = 0; child < 2; ++child) {
        std::ifstream in(dir / ("ports-" + std::to_string(child)));
        for (uint32_t p; in >> p;) all.insert(p);
    }
    std::set<uint32_t> unique(all.begin(), all.end());
    EXPECT_EQ(all.size(), 100u);
    EXPECT_EQ(unique.size(), 100u) << "a port was handed out twice";
}
