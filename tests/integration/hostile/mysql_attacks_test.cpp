// Attacks on MariaDB tenants and provisioning, as a hostile tenant or a hostile
// root image would try them, against the real server scripts/services.sh starts.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "mysql_session.hpp"
#include "server_attack_fixture.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct MysqlAttacks : ServerAttackFixture {
    MysqlAttacks() : ServerAttackFixture("mysql") {}
    void SetUp() override { DBCLONE_REQUIRE_MYSQL(); }
    std::string admin_url() const override { return mysql_admin_url(); }
    void drop_golden(const std::string& name) override {
        MysqlSession admin;
        admin.error_of("DROP DATABASE IF EXISTS " + name);
        admin.error_of("DELETE FROM dbclone_meta.golden_copies WHERE name = '" + name + "'");
    }
};

}  // namespace

// Attack 4: roots once ran as the admin. Now as a loader with privileges on the
// golden schema only, each escape fails the create, leaves nothing, and the
// victim stays as it was.
TEST_F(MysqlAttacks, ARootThatReachesOutsideItsSchemaFailsAndLeavesNothing) {
    auto victim = create(unique("victim"));
    std::string evil = unique("evil");
    // A file only this machine has: LOAD DATA LOCAL would read it from here.
    TempDir secret_dir;
    std::string secret = (secret_dir / "secret.txt").string();
    std::ofstream(secret) << "SECRET-OF-THE-HOST\n";
    ::chmod(secret_dir.path().c_str(), 0755);
    ::chmod(secret.c_str(), 0644);
    const std::vector<std::pair<std::string, std::string>> escapes = {
        {"dropdb", "CREATE TABLE t (x int); DROP DATABASE " + victim.database_name + ";"},
        {"createuser", "CREATE USER '" + evil + "'@'%' IDENTIFIED BY 'x'; GRANT ALL ON *.* TO '" +
                           evil + "'@'%' WITH GRANT OPTION;"},
        {"grant", "GRANT SELECT ON " + victim.database_name + ".* TO CURRENT_USER;"},
        {"other", "CREATE TABLE t AS SELECT * FROM " + victim.database_name + ".customers;"},
        {"meta", "CREATE TABLE t AS SELECT * FROM dbclone_meta.tenants;"},
        {"localinfile",
         "CREATE TABLE t (line TEXT); LOAD DATA LOCAL INFILE '" + secret + "' INTO TABLE t;"},
        {"serverfile",
         "CREATE TABLE t (line TEXT); LOAD DATA INFILE '" + secret + "' INTO TABLE t;"},
    };
    // Errors name the statement (its first 200 characters) but never a value
    // in it: the path of the host's file, a string in two of them, stays out.
    expect_roots_refused(escapes, secret);
    MysqlSession admin;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM mysql.user WHERE user = '" + evil + "'"), "0");
    EXPECT_EQ(
        admin.scalar("SELECT count(*) FROM mysql.user WHERE user LIKE 'dbclone\\_loader\\_%'"), "0")
        << "a loader account was left behind";
    EXPECT_EQ(
        admin.scalar("SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '" +
                     victim.database_name + "'"),
        "1");
    EXPECT_TRUE(Verifier(eng()).verify(victim.tenant_id).ok());

    // LOAD_FILE without the FILE privilege gives NULL rather than an error: the
    // root loads, and what its tenants get is NULL, not the host's file.
    std::string version =
        root("loadfile", "CREATE TABLE t AS SELECT LOAD_FILE('" + secret + "') AS line;");
    auto reader = create(unique("t_loadfile"), version);
    EXPECT_EQ(MysqlSession(reader).scalar("SELECT line FROM t"), "NULL");
}

TEST_F(MysqlAttacks, AnHonestNewRootLoadsAsTheLoader) {
    std::string version =
        root("honest",
             "CREATE TABLE items (id INT PRIMARY KEY, name TEXT); INSERT INTO items "
             "VALUES (1, 'one'); CREATE VIEW names AS SELECT name FROM items; "
             "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN 2 * x;");
    auto a = create(unique("ha"), version);
    auto b = create(unique("hb"), version);
    MysqlSession as_a(a);
    EXPECT_EQ(as_a.scalar("SELECT name FROM names"), "one");
    EXPECT_EQ(as_a.scalar("SELECT twice(21)"), "42");
    auto report = Verifier(eng()).verify(a.tenant_id, {}, b.tenant_id);
    EXPECT_TRUE(report.isolated()) << json::report_json(report);
}

// Attack 3: GET_LOCK names are server-wide and open to every account. dbclone
// no longer uses them, and its own lock table is closed to tenants.
TEST_F(MysqlAttacks, ATenantCannotTakeOrHoldTheBuildLock) {
    plugin_settings = R"(, "lock_timeout_s": 3)";
    auto attacker = create(unique("locker"));
    MysqlSession hold(attacker);
    EXPECT_EQ(hold.scalar("SELECT GET_LOCK('dbclone_dbclone_root_v1_0', 0)"), "1");
    EXPECT_NE(hold.error_of("SELECT name FROM dbclone_meta.locks FOR UPDATE"), std::nullopt)
        << "a tenant can lock dbclone's lock table";
    expect_provisioning_within(std::chrono::seconds(3));
}

TEST_F(MysqlAttacks, ABuildLockHeldTooLongEndsInAnErrorNamingTheLock) {
    plugin_settings = R"(, "lock_timeout_s": 1)";
    std::string version = root("stuck", "CREATE TABLE t (x INT);");
    create(unique("first"));  // makes dbclone_meta.locks
    MysqlSession peer;
    std::string lock = shared_golden_name(eng(), version);
    peer.scalar("INSERT IGNORE INTO dbclone_meta.locks (name) VALUES ('" + lock +
                "'); START TRANSACTION; SELECT name FROM dbclone_meta.locks WHERE name = '" + lock +
                "' FOR UPDATE");
    expect_build_gives_up(version, std::chrono::seconds(10));
    peer.scalar("ROLLBACK");
}

TEST_F(MysqlAttacks, TwoInstallationsOnOneServerNeverTouchEachOther) {
    std::string id = unique("twin");
    auto mine = create(id);
    expect_another_installation_refused(id);
    MysqlSession as_mine(mine);
    EXPECT_EQ(as_mine.scalar("SELECT count(*) FROM customers"), "100");
    EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok());
}

// LOAD DATA LOCAL reads files of whatever client runs the tenant's SQL. The
// test server refuses it (local_infile=0); a server that accepts it is
// reported not_enforced, never isolated. (This executable runs serially: it
// changes a server-wide setting for a moment.)
TEST_F(MysqlAttacks, LoadDataLocalIsDeniedOrReportedNotEnforced) {
    auto a = create(unique("la")), b = create(unique("lb"));
    auto probe_outcome = [&] {
        auto report = Verifier(eng()).verify(a.tenant_id, {"cross_tenant_access"}, b.tenant_id);
        for (const auto& p : report.checks.at(0).probes)
            if (p.name == "load_data_local") return p.outcome + " " + report.checks[0].outcome;
        return std::string("missing");
    };
    EXPECT_EQ(probe_outcome(), "denied passed");
    MysqlSession admin;
    admin.scalar("SET GLOBAL local_infile = 1");
    std::string accepted = probe_outcome();
    admin.scalar("SET GLOBAL local_infile = 0");
    EXPECT_EQ(accepted, "not_enforced not_enforced");
}

// A tenant holds a lock on its own table from several sessions and reconnects
// as soon as one is killed, to stall its removal (DROP DATABASE would wait for
// the lock). The account is locked before the KILL, so none gets back in.
TEST_F(MysqlAttacks, ATenantThatHoldsLocksAndReconnectsCannotStallItsRemoval) {
    auto t = create(unique("holder"));
    std::atomic<bool> stop{false};
    std::atomic<int> sessions{0};
    auto hold = [&] {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (!stop && std::chrono::steady_clock::now() < deadline) {
            try {
                MysqlSession s(t);
                ++sessions;
                s.scalar("LOCK TABLES customers READ");
                while (!stop && s.error_of("SELECT SLEEP(0.01)") == std::nullopt) {
                }
            } catch (const std::exception&) {
            }
        }
    };
    std::vector<std::thread> holders;
    for (int i = 0; i < 4; ++i) holders.emplace_back(hold);
    while (sessions < 4) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto start = std::chrono::steady_clock::now();
    EXPECT_NO_THROW(Cloner(eng()).remove(t.tenant_id));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    stop = true;
    for (auto& h : holders) h.join();
    EXPECT_FALSE(eng().registry().find_clone(t.tenant_id));
}
