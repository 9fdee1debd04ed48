// The limits of a MongoDB tenant, and its query login where the server
// enforces authorization. MongoDB holds no limit for one user, so each is
// reported not_enforced and the disk is measured; never passed untried.
#include <gtest/gtest.h>

#include <cstdlib>

#include "guardrail_fixture.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct FerretdbGuardrails : GuardrailFixture {
    FerretdbGuardrails() : GuardrailFixture("mongodb", env("DBCLONE_TEST_FERRETDB_URI")) {}
    void SetUp() override {
        if (env("DBCLONE_TEST_FERRETDB_URI").empty())
            GTEST_SKIP() << "DBCLONE_TEST_FERRETDB_URI is not set: run scripts/services.sh start";
    }
};

// Needs a server that enforces authorization; FerretDB on SQLite does not.
struct MongodbWithAuthGuardrails : GuardrailFixture {
    MongodbWithAuthGuardrails() : GuardrailFixture("mongodb", env("DBCLONE_TEST_MONGODB_URI")) {}
    void SetUp() override {
        if (env("DBCLONE_TEST_MONGODB_URI").empty())
            GTEST_SKIP() << "DBCLONE_TEST_MONGODB_URI is not set; this needs a MongoDB that "
                            "enforces authorization (an admin URI), which no package here provides";
    }
};

}  // namespace

TEST_F(FerretdbGuardrails, EveryLimitIsNotEnforcedWithWhyAndTheDiskIsMeasured) {
    auto row = create(unique("mg_limits"));
    for (const char* limit : {"connections", "statement_timeout", "idle_in_transaction_timeout",
                              "lock_timeout", "work_mem", "temp_file_limit"})
        EXPECT_EQ(limit_state(row, limit), "not_enforced") << limit;
    EXPECT_EQ(limit_state(row, "disk"), "measured");
    EXPECT_NE(row.limits_report.find("no connection limit per user"), std::string::npos)
        << "the reason is MongoDB's, not the host's default: " << row.limits_report;
    EXPECT_TRUE(row.query_user.empty()) << "FerretDB here enforces no authorization";

    auto report = Verifier(eng()).verify(row.tenant_id, {"guardrails"});
    EXPECT_FALSE(report.guarded()) << json::report_json(report);
    const auto& guardrails = guardrails_of(report);
    expect_attempts(guardrails, {"query_login_write", "statement_timeout", "connection_limit"},
                    "not_enforced");
    const auto* disk = attempt(guardrails, "disk_usage");
    ASSERT_TRUE(disk) << guardrails.details;
    EXPECT_EQ(disk->outcome, "passed") << disk->detail;
    auto measured = eng().registry().find_clone(row.tenant_id);
    EXPECT_GT(measured->disk_bytes, 100'000u) << "350 documents and their indexes";
}

TEST_F(FerretdbGuardrails, ATenantOverItsDiskLimitIsReported) {
    auto small = create(unique("mg_disk_small"), {"disk=16kB"});
    auto report = Verifier(eng()).verify(small.tenant_id, {"guardrails"});
    const auto* p = attempt(guardrails_of(report), "disk_usage");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->outcome, "failed") << p->detail;
    EXPECT_TRUE(json::over_disk_limit(*eng().registry().find_clone(small.tenant_id)));
}

TEST_F(MongodbWithAuthGuardrails, TheQueryLoginCannotWrite) {
    auto row = create(unique("mga_reader"));
    ASSERT_EQ(row.query_user, "tenant_" + row.tenant_id + ".ro");
    auto report = Verifier(eng()).verify(row.tenant_id);
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    expect_attempts(guardrails_of(report), {"query_login_write"}, "passed");
    auto rotated = Cloner(eng()).rotate_password(row.tenant_id, "query");
    EXPECT_NE(rotated.query_password, row.query_password);
    EXPECT_EQ(Verifier(eng()).verify(row.tenant_id, {"connection"}).checks.at(0).outcome, "passed");
}
