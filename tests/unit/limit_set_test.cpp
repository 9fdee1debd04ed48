#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/limit_set.hpp>

using namespace dbclone;

namespace {
std::string text_of(const LimitSet& limits, const std::string& name) {
    for (const auto& d : limits.described())
        if (d.name == name) return d.text;
    return "(none)";
}
std::string error_of(const std::string& assignment) {
    try {
        LimitSet().assign(assignment);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        return e.what();
    }
    return "";
}
}  // namespace

TEST(LimitSet, TheDefaultsLimitEverySessionAndQuery) {
    LimitSet limits;
    EXPECT_EQ(limits.to_json(),
              R"({"connections":20,"statement_timeout_ms":30000,)"
              R"("idle_in_transaction_timeout_ms":60000,"lock_timeout_ms":10000,)"
              R"("work_mem_kb":16384,"temp_file_limit_kb":1048576,"disk_kb":10485760})");
    EXPECT_EQ(text_of(limits, "statement_timeout"), "30s");
    EXPECT_EQ(text_of(limits, "temp_file_limit"), "1GB");
    EXPECT_EQ(text_of(limits, "queries_per_hour"), "off");
}

TEST(LimitSet, ReadsDurationsSizesAndCounts) {
    LimitSet limits;
    limits.assign("statement_timeout=500ms");
    limits.assign("lock_timeout=2m");
    limits.assign("work_mem=64kB");
    limits.assign("temp_file_limit=2GB");
    limits.assign("connections=5");
    limits.assign("idle_in_transaction_timeout=off");
    limits.assign("queries_per_hour=1000");
    EXPECT_EQ(limits.to_json(),
              R"({"connections":5,"statement_timeout_ms":500,"lock_timeout_ms":120000,)"
              R"("work_mem_kb":64,"temp_file_limit_kb":2097152,"queries_per_hour":1000,)"
              R"("disk_kb":10485760})");
    EXPECT_EQ(text_of(limits, "lock_timeout"), "2m");
    EXPECT_EQ(text_of(limits, "idle_in_transaction_timeout"), "off");
    // What the registry keeps comes back as it was.
    EXPECT_EQ(LimitSet::from_json(limits.to_json()).to_json(), limits.to_json());
}

TEST(LimitSet, ABadNameOrValueIsNamedWithWhatIsAllowed) {
    EXPECT_NE(error_of("stament_timeout=5s")
                  .find("unknown limit \"stament_timeout\"; allowed: "
                        "connections, statement_timeout"),
              std::string::npos);
    EXPECT_NE(error_of("statement_timeout=5")
                  .find("invalid value \"5\" for limit "
                        "statement_timeout; allowed: a duration"),
              std::string::npos);
    EXPECT_NE(error_of("connections=-1").find("\"-1\""), std::string::npos);
    EXPECT_NE(error_of("work_mem=lots").find("a size such as"), std::string::npos);
    EXPECT_NE(error_of("connections").find("write NAME=VALUE"), std::string::npos);
    // Servers keep these in 32 bits: more is refused, not wrapped.
    EXPECT_NE(error_of("statement_timeout=9999999h").find("at most 2147483647 ms"),
              std::string::npos);
}
