// Attacks on PostgreSQL tenants and provisioning, each as a hostile tenant or a
// hostile root image would try it, against the real server scripts/services.sh
// starts. Every test asserts the denial and what `verify` then reports.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <chrono>

#include "pg_session.hpp"
#include "server_attack_fixture.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

const CheckResult* find_check(const VerificationReport& report, const std::string& name) {
    for (const auto& c : report.checks)
        if (c.name == name) return &c;
    return nullptr;
}

struct PostgresqlAttacks : ServerAttackFixture {
    PostgresqlAttacks() : ServerAttackFixture("postgresql") {}
    void SetUp() override { DBCLONE_REQUIRE_POSTGRESQL(); }
    std::string admin_url() const override { return pg_admin_url(); }
    void drop_golden(const std::string& name) override {
        PgSession su(pg_superuser_url());
        su.error_of("ALTER DATABASE " + name + " IS_TEMPLATE false");
        su.error_of("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
};

}  // namespace

// Attack 4: a root whose SQL tries to leave its database. Each must fail the
// create with an error naming the root file, leave nothing behind, and change
// nothing of the victim.
TEST_F(PostgresqlAttacks, ARootThatReachesOutsideItsDatabaseFailsAndLeavesNothing) {
    auto victim = create(unique("victim"));
    std::string evil = unique("evil_login");
    const std::vector<std::pair<std::string, std::string>> escapes = {
        {"resetrole", "CREATE TABLE t (x int); RESET ROLE; CREATE ROLE " + evil +
                          " LOGIN CREATEROLE PASSWORD 'x';"},
        {"createrole", "CREATE ROLE " + evil + " LOGIN SUPERUSER PASSWORD 'x';"},
        {"grantconnect", "GRANT CONNECT ON DATABASE " + victim.database_name + " TO PUBLIC;"},
        {"password", "ALTER ROLE " + victim.user_name + " PASSWORD 'owned';"},
        {"setrole", "SET ROLE " + victim.user_name + "; CREATE TABLE t (x int);"},
        {"readfile", "CREATE TABLE t AS SELECT pg_read_file('/etc/passwd') AS secret;"},
        {"program", "CREATE TABLE t (x text); COPY t FROM PROGRAM 'id';"},
    };
    expect_roots_refused(escapes, "/etc/passwd");
    PgSession su(pg_superuser_url());
    EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = '" + evil + "'"), "0");
    EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_database WHERE datname LIKE 'dbclone_root_esc%" +
                        std::to_string(::getpid()) + "%'"),
              "0")
        << "a failed build left a database";
    EXPECT_EQ(su.scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'dbclone_root_owner'"),
              "f");
    // The victim is as it was: its password works, PUBLIC has no CONNECT.
    EXPECT_EQ(pg_login_error(victim, ""), std::nullopt);
    EXPECT_EQ(su.scalar("SELECT has_database_privilege('public', '" + victim.database_name +
                        "', 'CONNECT')"),
              "f");
    EXPECT_TRUE(Verifier(eng()).verify(victim.tenant_id).ok());
}

// The same loader builds an honest new root, and its tenants verify.
TEST_F(PostgresqlAttacks, AnHonestNewRootLoadsAsTheRootOwner) {
    std::string version = root("honest",
                               "CREATE SCHEMA shop; CREATE TABLE shop.items (id int "
                               "PRIMARY KEY, name text); INSERT INTO shop.items VALUES "
                               "(1, 'one'); CREATE VIEW shop.names AS SELECT name FROM "
                               "shop.items;");
    auto a = create(unique("ha"), version);
    auto b = create(unique("hb"), version);
    PgSession as_a = PgSession::as_tenant(a);
    EXPECT_EQ(as_a.scalar("SELECT name FROM shop.names"), "one");
    EXPECT_EQ(as_a.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'items'"),
              a.user_name);
    auto report = Verifier(eng()).verify(a.tenant_id, {}, b.tenant_id);
    EXPECT_TRUE(report.isolated()) << json::report_json(report);
}

// Attack 3: a tenant takes the locks dbclone's builds use, from the database
// every login may enter. They are not dbclone's locks any more: a build that
// needs one still completes, well within its lock timeout.
TEST_F(PostgresqlAttacks, ATenantCannotTakeOrHoldTheBuildLock) {
    plugin_settings = R"(, "lock_timeout_ms": 5000)";
    auto attacker = create(unique("locker"));
    PgSession hold = PgSession::as_tenant(attacker, "postgres");
    for (const char* name : {"dbclone_root_v1_0", "dbclone golden builds"})
        EXPECT_EQ(hold.scalar(std::string("SELECT pg_advisory_lock(hashtext('") + name + "'))"),
                  "");
    EXPECT_NE(pg_login_error(attacker, "dbclone_locks"), std::nullopt)
        << "a tenant logged in to the lock database";
    expect_provisioning_within(std::chrono::seconds(5));
}

// A lock held by a stuck peer ends in a clear error at the deadline.
TEST_F(PostgresqlAttacks, ABuildLockHeldTooLongEndsInAnErrorNamingTheLock) {
    plugin_settings = R"(, "lock_timeout_ms": 300)";
    create(unique("first"));  // makes dbclone_locks
    PgSession peer(pg_superuser_url(), "dbclone_locks");
    peer.scalar("SELECT pg_advisory_lock(hashtext('dbclone golden builds'))");
    std::string version = root("stuck", "CREATE TABLE t (x int);");
    expect_build_gives_up(version, std::chrono::seconds(5));
}

// Attack 5: a tenant shadows the catalog for its own sessions, so the
// fingerprint would read its views instead of pg_class; schema_integrity must
// still see the changed schema.
TEST_F(PostgresqlAttacks, SchemaIntegrityIsNotFooledByTheTenantsSearchPath) {
    auto a = create(unique("shadow"));
    PgSession as_a = PgSession::as_tenant(a);
    as_a.scalar("ALTER TABLE customers ADD COLUMN smuggled text");
    // The catalog as it was before the change, for any session that searches
    // public first: a fingerprint read through it would match the golden copy.
    as_a.scalar(
        "CREATE VIEW public.pg_attribute AS SELECT attrelid, attname, atttypid, "
        "atttypmod, attnotnull, attnum, attisdropped, attidentity, attgenerated "
        "FROM pg_catalog.pg_attribute WHERE attname <> 'smuggled'");
    as_a.scalar("ALTER ROLE " + a.user_name + " SET search_path = public, pg_catalog");
    auto report = Verifier(eng()).verify(a.tenant_id, {"schema_integrity"});
    const CheckResult* check = find_check(report, "schema_integrity");
    ASSERT_NE(check, nullptr);
    EXPECT_EQ(check->outcome, "failed") << check->details;
}

// Attack 5: `verify A --against C` must attack C, not whichever tenant comes
// first. C's database was opened to A behind dbclone's back.
TEST_F(PostgresqlAttacks, VerifyAgainstAttacksTheNamedTenant) {
    auto a = create(unique("va")), b = create(unique("vb")), c = create(unique("vc"));
    PgSession su(pg_superuser_url());
    su.scalar("GRANT CONNECT ON DATABASE " + c.database_name + " TO " + a.user_name);
    std::string config = (state / "dbclone.json").string();
    auto run = [&](const std::string& against) {
        return run_dbclone({"--state-dir", state.path().string(), "--plugin-dir",
                            DBCLONE_PLUGIN_DIR, "--roots-dir", roots.dir().string(), "verify",
                            a.tenant_id, "--checks", "cross_tenant_access", "--against", against,
                            "--json"});
    };
    ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
    auto against_b = run(b.tenant_id), against_c = run(c.tenant_id);
    ::unsetenv("DBCLONE_PG_URL");
    EXPECT_EQ(against_b.exit_code, 0) << against_b.out << against_b.err;
    EXPECT_EQ(against_c.exit_code, 6) << "the grant to C went unseen: " << against_c.out;
    EXPECT_NE(against_c.out.find(a.tenant_id + " -> " + c.tenant_id), std::string::npos)
        << against_c.out;
    auto unknown = run("nobody");
    EXPECT_EQ(unknown.exit_code, 3) << unknown.err;
    su.scalar("REVOKE CONNECT ON DATABASE " + c.database_name + " FROM " + a.user_name);
}

// Attack 2 on a shared server: a second installation with the same tenant id
// is refused, and neither installation's reconcile touches the other's tenant.
TEST_F(PostgresqlAttacks, TwoInstallationsOnOneServerNeverTouchEachOther) {
    std::string id = unique("twin");
    auto mine = create(id);
    expect_another_installation_refused(id);
    EXPECT_EQ(pg_login_error(mine, ""), std::nullopt) << "our tenant was damaged";
    EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok());
}
