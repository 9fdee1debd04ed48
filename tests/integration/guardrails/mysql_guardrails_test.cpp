// The query login and the limits of a MariaDB tenant on the shared server
// scripts/services.sh starts, tried as model-written SQL would try them.
#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>

#include <chrono>

#include "guardrail_fixture.hpp"
#include "mysql_session.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct MysqlGuardrails : GuardrailFixture {
    MysqlGuardrails() : GuardrailFixture("mysql", mysql_admin_url()) {}
    void SetUp() override { DBCLONE_REQUIRE_MYSQL(); }
};

}  // namespace

TEST_F(MysqlGuardrails, TheQueryLoginReadsEverythingAndWritesNothing) {
    auto row = create(unique("my_reader"));
    ASSERT_EQ(row.query_user, "tenant_" + row.tenant_id + ".ro");
    ASSERT_FALSE(row.query_password.empty());
    MysqlSession owner(row);
    // Made after the clone, by the owner: the schema-wide grant covers them.
    owner.scalar("CREATE TABLE notes (x int)");
    owner.scalar("INSERT INTO notes VALUES (1)");
    owner.scalar("CREATE VIEW v AS SELECT COUNT(*) AS n FROM customers");

    MysqlSession reader(as_query_login(row));
    EXPECT_EQ(reader.scalar("SELECT COUNT(*) FROM customers"), "100");
    EXPECT_EQ(reader.scalar("SELECT x FROM notes"), "1");
    EXPECT_EQ(reader.scalar("SELECT n FROM v"), "100");
    for (const char* write :
         {"INSERT INTO notes VALUES (2)", "UPDATE customers SET country = 'xx'",
          "DELETE FROM customers", "TRUNCATE TABLE customers", "DROP TABLE notes",
          "ALTER TABLE notes ADD COLUMN y int", "CREATE TABLE mine (x int)",
          "CREATE TEMPORARY TABLE mine (x int)", "CREATE INDEX i ON customers (country)",
          "CREATE VIEW w AS SELECT 1", "CREATE PROCEDURE p() SELECT 1",
          "GRANT SELECT ON customers TO CURRENT_USER",
          "SELECT * FROM customers INTO OUTFILE '/tmp/dbclone_reader_out'"})
        EXPECT_TRUE(reader.error_of(write)) << "the query login ran: " << write;
    EXPECT_EQ(owner.scalar("SELECT COUNT(*) FROM notes"), "1");
}

TEST_F(MysqlGuardrails, LimitsHoldOnEachLoginAndSayHowTheyHold) {
    auto row = create(unique("my_limits"), {"connections=2", "statement_timeout=1s"});
    EXPECT_EQ(limit_state(row, "connections"), "enforced");
    EXPECT_EQ(limit_state(row, "statement_timeout"), "overridable");
    EXPECT_EQ(limit_state(row, "lock_timeout"), "not_enforced");
    EXPECT_EQ(limit_state(row, "temp_file_limit"), "not_enforced");

    // A statement past the timeout is cancelled, within twice the limit.
    MysqlSession reader(as_query_login(row));
    auto started = std::chrono::steady_clock::now();
    auto error = reader.error_of("SELECT SLEEP(10)");
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(error) << "SLEEP(10) ran to its end";
    EXPECT_NE(error->find("max_statement_time"), std::string::npos) << *error;
    EXPECT_LT(took, std::chrono::seconds(2));
    // Honestly overridable: the tenant's own SET lifts it for its session.
    reader.scalar("SET SESSION max_statement_time = 0");
    EXPECT_EQ(reader.scalar("SELECT @@max_statement_time"), "0.000000");

    // One connection more than the limit is refused (the reader has one open).
    MysqlSession second(as_query_login(row));
    try {
        MysqlSession third(as_query_login(row));
        FAIL() << "a third session of a login limited to 2 was let in";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("max_user_connections"), std::string::npos)
            << e.what();
    }
    // The owner's own count is apart: it still gets in.
    EXPECT_NO_THROW(MysqlSession owner(row));
}

TEST_F(MysqlGuardrails, RemoveDropsTheQueryLogin) {
    auto row = create(unique("my_reader_gone"));
    remove(row.tenant_id);
    MysqlSession admin;
    EXPECT_EQ(admin.scalar("SELECT COUNT(*) FROM mysql.user WHERE User = '" + row.query_user + "'"),
              "0");
}

TEST_F(MysqlGuardrails, VerifyAttemptsEachGuardrailWithTheTenantsLogins) {
    auto row = create(unique("my_verify_guard"), {"connections=3", "statement_timeout=1s"});
    auto report = Verifier(eng()).verify(row.tenant_id);
    const auto& check = guardrails_of(report);
    expect_attempts(check,
                    {"query_login_create_table", "query_login_delete", "statement_timeout",
                     "connection_limit", "load_data_local"},
                    "passed");
    EXPECT_EQ(attempt(check, "timeout_override")->outcome, "not_enforced");
    EXPECT_EQ(check.outcome, "not_enforced");
    EXPECT_TRUE(report.isolated());
}

TEST_F(MysqlGuardrails, VerifyFailsGuardrailsRemovedBehindItsBack) {
    auto row = create(unique("my_sabotaged"), {"connections=2", "statement_timeout=1s"});
    MysqlSession admin;
    for (const char* host : {"%", "localhost"}) {
        std::string account = "'" + row.query_user + "'@'" + host + "'";
        // On the pattern dbclone granted on ("_" escaped): MariaDB uses the
        // first schema grant that matches, not the union of them.
        std::string pattern;
        for (char c : row.database_name)
            pattern += c == '_' ? std::string("\\_") : std::string(1, c);
        admin.scalar("GRANT DELETE ON `" + pattern + "`.* TO " + account);
        admin.scalar("ALTER USER " + account + " WITH MAX_USER_CONNECTIONS 0 MAX_STATEMENT_TIME 0");
    }
    auto report = Verifier(eng()).verify(row.tenant_id, {"guardrails"});
    const auto& check = guardrails_of(report);
    EXPECT_EQ(check.outcome, "failed");
    expect_attempts(check, {"query_login_delete", "connection_limit", "statement_timeout"},
                    "failed");
    MysqlSession owner(row);
    EXPECT_EQ(owner.scalar("SELECT COUNT(*) FROM customers"), "100") << "the attempt rolled back";
}

TEST_F(MysqlGuardrails, ANoisyTenantCannotDenyServiceToItsNeighbour) {
    expect_a_noisy_tenant_harms_no_neighbour(
        *this, "my", [](const CloneRecord& r) { return std::make_unique<MysqlSession>(r); },
        "SELECT SLEEP(5)");
}

TEST_F(MysqlGuardrails, ARotatedPasswordReplacesTheOldOne) {
    auto row = create(unique("my_rotate"));
    auto owner = Cloner(eng()).rotate_password(row.tenant_id, "owner");
    EXPECT_NE(owner.password, row.password);
    EXPECT_THROW(MysqlSession{row}, std::exception) << "the old owner password still works";
    EXPECT_NO_THROW(MysqlSession{owner});
    auto query = Cloner(eng()).rotate_password(row.tenant_id, "query");
    EXPECT_NE(query.query_password, row.query_password);
    EXPECT_THROW(MysqlSession{as_query_login(row)}, std::exception);
    EXPECT_NO_THROW(MysqlSession{as_query_login(query)});
}

TEST_F(MysqlGuardrails, ATenantOverItsDiskLimitIsReported) {
    auto small = create(unique("my_disk_small"), {"disk=16kB"});
    EXPECT_EQ(limit_state(small, "disk"), "measured");
    auto report = Verifier(eng()).verify(small.tenant_id, {"guardrails"});
    const auto* p = attempt(guardrails_of(report), "disk_usage");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->outcome, "failed") << p->detail;
    EXPECT_TRUE(json::over_disk_limit(*eng().registry().find_clone(small.tenant_id)));
}
