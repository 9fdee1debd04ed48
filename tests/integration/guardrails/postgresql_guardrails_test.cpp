// The query login and the limits of a PostgreSQL tenant on the shared server
// scripts/services.sh starts, tried as model-written SQL would try them.
#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>

#include <chrono>

#include "guardrail_fixture.hpp"
#include "pg_session.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct PostgresqlGuardrails : GuardrailFixture {
    PostgresqlGuardrails() : GuardrailFixture("postgresql", pg_admin_url()) {}
    void SetUp() override { DBCLONE_REQUIRE_POSTGRESQL(); }
};

}  // namespace

TEST_F(PostgresqlGuardrails, TheQueryLoginReadsEverythingAndWritesNothing) {
    auto row = create(unique("pg_reader"));
    ASSERT_EQ(row.query_user, "tenant_" + row.tenant_id + ".ro");
    ASSERT_FALSE(row.query_password.empty());
    EXPECT_NE(row.query_password, row.password);
    auto owner = PgSession::as_tenant(row);
    // Made after the clone, by the owner: the default privileges cover them.
    owner.scalar("CREATE TABLE notes (x int); INSERT INTO notes VALUES (1)");
    owner.scalar("CREATE SEQUENCE later_seq; SELECT nextval('later_seq')");
    owner.scalar("CREATE VIEW v AS SELECT count(*) AS n FROM customers");

    auto reader = PgSession::as_tenant(as_query_login(row));
    EXPECT_EQ(reader.scalar("SELECT count(*) FROM customers"), "100");
    EXPECT_EQ(reader.scalar("SELECT x FROM notes"), "1");
    EXPECT_EQ(reader.scalar("SELECT last_value FROM later_seq"), "1");
    EXPECT_EQ(reader.scalar("SELECT n FROM v"), "100");
    // Every way to write that a model might write; none may succeed. A session
    // setting cannot help: the refusal is the server's privileges.
    reader.scalar("SET default_transaction_read_only = off");
    for (const std::string& write : std::vector<std::string>{
             "INSERT INTO customers (email, full_name, country) VALUES ('x@example.com', 'x', "
             "'xx')",
             "UPDATE customers SET full_name = 'x'", "DELETE FROM customers", "TRUNCATE customers",
             "DROP TABLE notes", "ALTER TABLE notes ADD COLUMN y int",
             "CREATE TABLE public.mine (x int)", "CREATE TEMP TABLE mine (x int)",
             "CREATE SCHEMA mine", "SELECT nextval('later_seq')",
             "SELECT nextval(pg_get_serial_sequence('customers', 'id'))",
             "SET ROLE \"tenant_" + row.tenant_id + "\"", "CREATE INDEX ON customers (full_name)",
             "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"})
        EXPECT_TRUE(reader.error_of(write)) << "the query login ran: " << write;
    EXPECT_EQ(owner.scalar("SELECT count(*) FROM customers"), "100");
    EXPECT_EQ(owner.scalar("SELECT count(*) FROM notes"), "1");
}

TEST_F(PostgresqlGuardrails, LimitsHoldOnEachLoginAndSayHowTheyHold) {
    auto row = create(unique("pg_limits"), {"connections=3", "statement_timeout=1s"});
    PgSession su(pg_superuser_url());
    for (const auto& login : {row.user_name, row.query_user})
        EXPECT_EQ(su.scalar("SELECT rolconnlimit FROM pg_roles WHERE rolname = '" + login + "'"),
                  "3")
            << login;
    EXPECT_EQ(limit_state(row, "connections"), "enforced");
    EXPECT_EQ(limit_state(row, "statement_timeout"), "overridable");
    EXPECT_EQ(limit_state(row, "lock_timeout"), "overridable");
    // The test server's admin is no superuser, and was granted no SET on it.
    EXPECT_EQ(limit_state(row, "temp_file_limit"), "not_enforced");
    EXPECT_EQ(limit_state(row, "queries_per_hour"), "off");

    // A statement past the timeout is cancelled, within twice the limit.
    auto reader = PgSession::as_tenant(as_query_login(row));
    auto started = std::chrono::steady_clock::now();
    auto error = reader.error_of("SELECT pg_sleep(10)");
    auto took = std::chrono::steady_clock::now() - started;
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("statement timeout"), std::string::npos) << *error;
    EXPECT_LT(took, std::chrono::seconds(2));
    // Honestly overridable: the tenant's own SET lifts it for its session.
    reader.scalar("SET statement_timeout = 0");
    EXPECT_EQ(reader.scalar("SHOW statement_timeout"), "0");

    // One connection more than the limit is refused (the reader has one open).
    std::vector<PgSession> sessions;
    sessions.push_back(PgSession::as_tenant(as_query_login(row)));
    sessions.push_back(PgSession::as_tenant(as_query_login(row)));
    auto refused = pg_login_error(as_query_login(row), "");
    ASSERT_TRUE(refused) << "a fourth session of a login limited to 3 was let in";
    EXPECT_NE(refused->find("too many connections"), std::string::npos) << *refused;
    // The owner's own count is apart: it still gets in.
    EXPECT_FALSE(pg_login_error(row, ""));
}

TEST_F(PostgresqlGuardrails, RemoveDropsTheQueryLogin) {
    auto row = create(unique("pg_reader_gone"));
    remove(row.tenant_id);
    PgSession su(pg_superuser_url());
    EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = '" + row.query_user + "'"),
              "0");
}

TEST_F(PostgresqlGuardrails, ABadLimitIsRefusedAndCreatesNothing) {
    std::string id = unique("pg_bad_limit");
    try {
        Cloner(eng()).create({id, "postgresql", "v1.0", "", "", {"statement_timeout=forever"}});
        FAIL() << "a bad limit was taken";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        EXPECT_NE(std::string(e.what()).find("\"forever\""), std::string::npos) << e.what();
    }
    EXPECT_FALSE(eng().registry().find_clone(id));
    PgSession su(pg_superuser_url());
    EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'tenant_" + id + "%'"),
              "0");
}

TEST_F(PostgresqlGuardrails, VerifyAttemptsEachGuardrailWithTheTenantsLogins) {
    auto row = create(unique("pg_verify_guard"), {"connections=3", "statement_timeout=1s"});
    auto report = Verifier(eng()).verify(row.tenant_id);
    const auto& check = guardrails_of(report);
    expect_attempts(
        check,
        {"query_login_create_table", "query_login_delete", "statement_timeout", "connection_limit"},
        "passed");
    EXPECT_NE(attempt(check, "statement_timeout")->detail.find("cancelled after"),
              std::string::npos);
    EXPECT_EQ(attempt(check, "connection_limit")->direction, "query");
    // Said honestly: the tenant can lift its timeout, and this admin cannot set
    // temp_file_limit.
    EXPECT_EQ(attempt(check, "timeout_override")->outcome, "not_enforced");
    EXPECT_EQ(attempt(check, "temp_file_limit")->outcome, "not_enforced");
    EXPECT_EQ(check.outcome, "not_enforced");
    EXPECT_FALSE(report.guarded());
    EXPECT_TRUE(report.isolated()) << "a limit the tenant can lift is not an isolation failure";
}

// Guardrails removed behind dbclone's back are found: each would pass if the
// attempt were not real.
TEST_F(PostgresqlGuardrails, VerifyFailsGuardrailsRemovedBehindItsBack) {
    auto row = create(unique("pg_sabotaged"), {"connections=2", "statement_timeout=1s"});
    PgSession su(pg_superuser_url(), row.database_name);
    su.scalar("GRANT DELETE ON ALL TABLES IN SCHEMA public TO \"" + row.query_user + "\"");
    su.scalar("ALTER ROLE \"" + row.query_user + "\" CONNECTION LIMIT -1");
    su.scalar("ALTER ROLE \"" + row.query_user + "\" RESET statement_timeout");
    auto report = Verifier(eng()).verify(row.tenant_id, {"guardrails"});
    const auto& check = guardrails_of(report);
    EXPECT_EQ(check.outcome, "failed");
    expect_attempts(check, {"query_login_delete", "connection_limit", "statement_timeout"},
                    "failed");
    EXPECT_EQ(su.scalar("SELECT count(*) FROM customers"), "100") << "the attempt rolled back";
    EXPECT_FALSE(report.ok());
}

TEST_F(PostgresqlGuardrails, ANoisyTenantCannotDenyServiceToItsNeighbour) {
    expect_a_noisy_tenant_harms_no_neighbour(
        *this, "pg",
        [](const CloneRecord& r) { return std::make_unique<PgSession>(PgSession::as_tenant(r)); },
        "SELECT pg_sleep(5)");
}

TEST_F(PostgresqlGuardrails, ARotatedPasswordReplacesTheOldOne) {
    auto row = create(unique("pg_rotate"));
    auto owner = Cloner(eng()).rotate_password(row.tenant_id, "owner");
    EXPECT_NE(owner.password, row.password);
    EXPECT_TRUE(pg_login_error(row, "")) << "the old owner password still works";
    EXPECT_FALSE(pg_login_error(owner, ""));
    auto query = Cloner(eng()).rotate_password(row.tenant_id, "query");
    EXPECT_NE(query.query_password, row.query_password);
    EXPECT_EQ(query.password, owner.password) << "one login at a time";
    EXPECT_TRUE(pg_login_error(as_query_login(row), ""));
    EXPECT_FALSE(pg_login_error(as_query_login(query), ""));
    EXPECT_EQ(eng().registry().find_clone(row.tenant_id)->query_password, query.query_password);
    try {
        Cloner(eng()).rotate_password(row.tenant_id, "admin");
        FAIL() << "a login that is not the tenant's was rotated";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        EXPECT_NE(std::string(e.what()).find("\"admin\"; allowed: owner, query"),
                  std::string::npos);
    }
}

TEST_F(PostgresqlGuardrails, ATenantOverItsDiskLimitIsReported) {
    // The root's template takes about 8 MB.
    auto small = create(unique("pg_disk_small"), {"disk=1MB"});
    auto roomy = create(unique("pg_disk_roomy"), {"disk=1GB"});
    EXPECT_EQ(limit_state(small, "disk"), "measured");
    for (const auto& [row, outcome] : {std::pair{small, "failed"}, std::pair{roomy, "passed"}}) {
        auto report = Verifier(eng()).verify(row.tenant_id, {"guardrails"});
        const auto* p = attempt(guardrails_of(report), "disk_usage");
        ASSERT_TRUE(p) << row.tenant_id;
        EXPECT_EQ(p->outcome, outcome) << row.tenant_id << ": " << p->detail;
        auto measured = eng().registry().find_clone(row.tenant_id);
        EXPECT_GT(measured->disk_bytes, 1024u * 1024) << "kept for /metrics and status";
        EXPECT_EQ(json::over_disk_limit(*measured), std::string(outcome) == "failed");
    }
}

namespace {

// Tenants with a PostgreSQL server each (placement process): the limits are
// set on the tenant's own server, where dbclone is the superuser.
struct PostgresqlProcessGuardrails : GuardrailFixture {
    PostgresqlProcessGuardrails() : GuardrailFixture("postgresql", "", "process") {}
    void SetUp() override {
        if (::geteuid() != 0)
            GTEST_SKIP()
                << "the process runtime runs PostgreSQL as user postgres, which needs root";
    }
};

}  // namespace

TEST_F(PostgresqlProcessGuardrails, ANoisyTenantCannotDenyServiceToItsNeighbour) {
    expect_a_noisy_tenant_harms_no_neighbour(
        *this, "pgp",
        [](const CloneRecord& r) { return std::make_unique<PgSession>(PgSession::as_tenant(r)); },
        "SELECT pg_sleep(5)");
}

TEST_F(PostgresqlProcessGuardrails, OnItsOwnServerTempFileLimitIsEnforced) {
    auto row = create(unique("pgp_temp"), {"temp_file_limit=8MB", "statement_timeout=5s"});
    EXPECT_EQ(limit_state(row, "temp_file_limit"), "enforced");
    auto report = Verifier(eng()).verify(row.tenant_id, {"guardrails"});
    const auto* p = attempt(guardrails_of(report), "temp_file_limit");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->outcome, "passed") << p->detail;
    EXPECT_NE(p->detail.find("temporary file size exceeds"), std::string::npos) << p->detail;
}

TEST_F(PostgresqlProcessGuardrails, ItsServersOwnSettingsHoldTheLimits) {
    auto row = create(unique("pgp_server"), {"connections=7", "temp_file_limit=32MB"});
    auto owner = PgSession::as_tenant(row);
    EXPECT_EQ(owner.scalar("SHOW max_connections"), "19") << "2 logins x 7, and 5 more";
    // The server's own value, as its superuser (who has no role default) sees it.
    PgSession superuser("host=" + eng().run_dir(row.server).string() +
                        " port=" + std::to_string(row.port) + " user=postgres dbname=postgres");
    EXPECT_EQ(superuser.scalar("SHOW temp_file_limit"), "32MB");
    // Kept across a restart of its server.
    Cloner(eng()).stop(row.tenant_id);
    Cloner(eng()).start(row.tenant_id);
    EXPECT_EQ(PgSession::as_tenant(row).scalar("SHOW max_connections"), "19");
}

namespace {

// A process-placed server whose data directory is a btrfs snapshot: the
// kernel, not the server, holds the tenant to its disk limit.
struct PostgresqlProcessOnBtrfs : PostgresqlProcessGuardrails {
    LoopBtrfs btrfs{2048};
    void SetUp() override {
        PostgresqlProcessGuardrails::SetUp();
        if (IsSkipped()) return;
        if (!btrfs.ready()) GTEST_SKIP() << "no btrfs to test on: " << btrfs.why_not();
        btrfs.let_servers_in();
        keep_state_in(btrfs.mount_point() / "state");
    }
};

}  // namespace

TEST_F(PostgresqlProcessOnBtrfs, ADiskLimitIsEnforcedByTheKernel) {
    auto row = create(unique("pgp_disk"), {"disk=160MB"});
    EXPECT_EQ(limit_state(row, "disk"), "enforced");
    auto owner = PgSession::as_tenant(row);
    // About 400 MB of rows that do not compress: far past the limit, well
    // inside the filesystem.
    auto error = owner.error_of(
        "CREATE TABLE fill AS SELECT i, (SELECT string_agg(md5(random()::text || i || g), '') "
        "FROM generate_series(1, 30) g) AS pad FROM generate_series(1, 400000) i");
    ASSERT_TRUE(error) << "400 MB went into a tenant limited to 160 MB";
    // The refused write may be the statement's or the WAL's (then the server
    // ends every session, as on any full disk): its log says which.
    std::string text = file_text(eng().run_dir(row.server) / "server.log");
    EXPECT_NE(text.find("Disk quota exceeded"), std::string::npos) << *error << "\n" << text;
    // The limit is the tenant's own: the filesystem has room for others.
    auto free = std::filesystem::space(btrfs.mount_point()).available;
    EXPECT_GT(free, uint64_t(1) << 30) << "bytes left on the 2 GB filesystem";
    remove(row.tenant_id);
}
