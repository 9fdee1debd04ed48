// The MySQL/MariaDB backend against the real MariaDB scripts/services.sh starts.
#include <gtest/gtest.h>
#include <mysql.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "golden_lifecycle.hpp"
#include "mysql_session.hpp"
#include "root_images.hpp"
#include "sabotage.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

std::string unique(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

struct Mysql : ::testing::Test {
    void SetUp() override { DBCLONE_REQUIRE_MYSQL(); }
    TempDir state;
    std::unique_ptr<Engine> engine;
    Engine& eng() {
        if (!engine)
            engine = std::make_unique<Engine>(
                server_test_config(state.path(), "mysql", mysql_admin_url()));
        return *engine;
    }
    CloneRecord create(const std::string& id, const std::string& strategy = "") {
        return Cloner(eng()).create({id, "mysql", "v1.0", "", strategy});
    }
    void expect_gone(const std::string& id) {
        MysqlSession admin;
        EXPECT_EQ(
            admin.scalar("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = "
                         "'tenant_" +
                         id + "_db'"),
            "0")
            << id;
        EXPECT_EQ(admin.scalar("SELECT COUNT(*) FROM mysql.user WHERE User = 'tenant_" + id + "'"),
                  "0")
            << id;
        EXPECT_EQ(admin.scalar("SELECT COUNT(*) FROM dbclone_meta.tenants WHERE tenant_id = '" +
                               id + "'"),
                  "0")
            << id;
        EXPECT_FALSE(eng().registry().find_clone(id)) << id;
    }
    const CheckResult& check(const VerificationReport& r, const std::string& name) {
        for (const auto& c : r.checks)
            if (c.name == name) return c;
        throw std::runtime_error("no check " + name);
    }
};

const char* const tables[] = {"customers", "products", "orders", "order_items"};

}  // namespace

TEST_F(Mysql, BothStrategiesGiveTheSameSchemaRowsAndPrograms) {
    std::string t = unique("my_ts"), l = unique("my_lg");
    auto by_tablespace = create(t, "tablespace");
    auto by_logical = create(l, "logical");
    auto fingerprint = [&](const CloneRecord& r) {
        return eng().backend("mysql").fingerprint(
            {r.tenant_id, r.location, r.host, r.port, r.user_name, r.password});
    };
    EXPECT_EQ(fingerprint(by_tablespace), by_tablespace.golden_fingerprint);
    EXPECT_EQ(fingerprint(by_logical), by_logical.golden_fingerprint);
    for (const auto* row : {&by_tablespace, &by_logical}) {
        MysqlSession tenant(*row);
        MysqlSession admin;
        for (const char* table : tables)
            EXPECT_EQ(tenant.scalar(std::string("SELECT COUNT(*) FROM ") + table),
                      admin.scalar("SELECT COUNT(*) FROM " + shared_golden_name(eng(), "v1.0") +
                                   "." + table))
                << row->tenant_id << " " << table;
        // The golden schema's routines belong to its build's loader, which is
        // gone: they are never run there. The clone's belong to the tenant.
        EXPECT_EQ(
            tenant.scalar("SELECT order_total(1)"),
            admin.scalar("SELECT COALESCE(SUM(quantity * unit_price_cents), 0) FROM " +
                         shared_golden_name(eng(), "v1.0") + ".order_items WHERE order_id = 1"));
        tenant.scalar("UPDATE products SET stock = -5 WHERE id = 1");
        EXPECT_EQ(tenant.scalar("SELECT stock FROM products WHERE id = 1"), "0")
            << "the trigger works";
        EXPECT_NE(tenant.scalar("SELECT COUNT(*) FROM customer_order_totals"), "0");
        EXPECT_EQ(
            admin.scalar("SELECT DEFINER FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '" +
                         row->database_name + "'"),
            row->user_name + "@%");
    }
    // The tenants wrote (the trigger's UPDATE): data_integrity rightly fails
    // them now; every other check must pass.
    std::vector<std::string> checks;
    for (const auto& name : Verifier(eng()).check_names())
        if (name != "data_integrity") checks.push_back(name);
    auto report = Verifier(eng()).verify(t, checks, l);
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    EXPECT_EQ(Verifier(eng()).verify(t, {"data_integrity"}).checks.at(0).outcome, "failed");
    Cloner(eng()).remove(t);
    Cloner(eng()).remove(l);
    expect_gone(t);
    expect_gone(l);
}

// a_b and a1b: an unescaped "_" in a GRANT would let a_b into a1b's schema.
TEST_F(Mysql, EveryProbeIsDeniedEvenBetweenLookalikeNamesAndAGrantIsCaught) {
    std::string a = "a_b" + std::to_string(::getpid()), b = "a1b" + std::to_string(::getpid());
    create(a);
    create(b);
    for (const auto& [attacker, victim] : {std::pair{a, b}, std::pair{b, a}}) {
        auto report = Verifier(eng()).verify(attacker, {"cross_tenant_access"}, victim);
        const auto& access = check(report, "cross_tenant_access");
        EXPECT_EQ(access.outcome, "passed") << access.details;
        EXPECT_EQ(access.probes.size(), 20u);
        for (const auto& p : access.probes)
            EXPECT_EQ(p.outcome, "denied") << p.name << ": " << p.detail;
    }
    MysqlSession admin;
    admin.scalar("GRANT SELECT ON `tenant_" + b + "_db`.* TO 'tenant_" + a + "'@'%'");
    auto broken = Verifier(eng()).verify(a, {"cross_tenant_access"}, b);
    EXPECT_EQ(check(broken, "cross_tenant_access").outcome, "failed");
    Cloner(eng()).remove(a);
    Cloner(eng()).remove(b);
    expect_gone(a);
    expect_gone(b);
}

// The admin session is killed while it copies rows (blocked by a lock the test
// holds on a golden table): nothing may remain.
TEST_F(Mysql, KilledConnectionMidCloneLeavesNothing) {
    std::string id = unique("my_kill");
    Cloner(eng()).remove(create(unique("my_warm")).tenant_id);  // the golden schema exists
    MysqlSession locker;
    locker.scalar("LOCK TABLES " + shared_golden_name(eng(), "v1.0") + ".products WRITE");
    auto pending = std::async(std::launch::async, [&] {
        try {
            create(id, "logical");
            return std::string("created");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    });
    MysqlSession watcher;
    std::string victim;
    for (int i = 0; i < 1000 && victim.empty(); ++i) {
        victim = watcher.scalar(
            "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = "
            "'dbclone_admin' AND INFO LIKE 'INSERT INTO `tenant_" +
            id + "%'");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_FALSE(victim.empty()) << "the clone never waited on the table lock";
    watcher.scalar("KILL " + victim);
    std::string outcome = pending.get();
    locker.scalar("UNLOCK TABLES");
    EXPECT_NE(outcome, "created");
    expect_gone(id);
}

TEST_F(Mysql, TwentyConcurrentCreatesAllSucceed) {
    eng();
    std::vector<std::future<std::string>> creates;
    for (int i = 0; i < 20; ++i)
        creates.push_back(std::async(std::launch::async, [&, i] {
            try {
                Engine own(server_test_config(state.path(), "mysql", mysql_admin_url()));
                Cloner(own).create({unique("my_many" + std::to_string(i)), "mysql", "v1.0", ""});
                return std::string("ok");
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        }));
    for (auto& c : creates) EXPECT_EQ(c.get(), "ok");
    for (int i = 0; i < 20; ++i) {
        std::string id = unique("my_many" + std::to_string(i));
        EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok()) << id;
        Cloner(eng()).remove(id);
        expect_gone(id);
    }
}

TEST_F(Mysql, LongestTenantIdWorks) {
    std::string tail = std::to_string(::getpid());
    std::string id = std::string(48 - tail.size(), 'y') + tail;
    create(id);
    EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok());
    Cloner(eng()).remove(id);
    expect_gone(id);
}

TEST_F(Mysql, UnreachableServerAndWeakAdminAreClearErrors) {
    Engine unreachable(server_test_config(state.path(), "mysql", "mysql://nobody:x@127.0.0.1:1/"));
    try {
        Cloner(unreachable).create({"my_nowhere", "mysql", "v1.0", ""});
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << e.what();
        EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
    }
    std::string weak = unique("dbclone_weak");
    MysqlSession admin;
    admin.scalar("CREATE USER '" + weak + "'@'%' IDENTIFIED BY 'weakpass'");
    admin.scalar("GRANT SELECT ON *.* TO '" + weak + "'@'%'");
    Engine weak_engine(server_test_config(
        state.path(), "mysql",
        "mysql://" + weak + ":weakpass@127.0.0.1:" + std::to_string(admin.port()) + "/"));
    try {
        Cloner(weak_engine).create({unique("my_weak"), "mysql", "v1.0", ""});
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("lacks global CREATE"), std::string::npos) << e.what();
    }
    admin.scalar("DROP USER '" + weak + "'@'%'");
    EXPECT_TRUE(weak_engine.registry().clones().empty());
}

TEST_F(Mysql, UnknownStrategyIsRefused) {
    try {
        create(unique("my_strategy"), "snapshot");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
        EXPECT_NE(std::string(e.what()).find("allowed: logical, tablespace"), std::string::npos);
    }
    expect_gone(unique("my_strategy"));
}

// verify fails a clone that lost a row, had a value changed or lost an index
// behind dbclone's back, whichever strategy made it.
TEST_F(Mysql, VerifyFailsASabotagedClone) {
    auto as_tenant = [](const std::string& sql) {
        return [sql](const CloneRecord& tenant) {
            MysqlSession session(tenant);
            EXPECT_EQ(session.error_of(sql), std::nullopt) << sql;
        };
    };
    for (const std::string strategy : {"tablespace", "logical"}) {
        std::string tag = strategy.substr(0, 1);
        expect_sabotage_caught(
            eng(), [&](const std::string& id) { return create(id, strategy); },
            {{unique("my_row_" + tag),
              as_tenant("DELETE FROM order_items ORDER BY order_id, product_id LIMIT 1"),
              "data_integrity", "table order_items has 457 rows, the root 458"},
             {unique("my_val_" + tag),
              as_tenant("UPDATE customers SET country = 'ZZ' WHERE id = 7"), "data_integrity",
              "table customers: the rows' checksum differs"},
             {unique("my_idx_" + tag),
              as_tenant("ALTER TABLE products DROP INDEX products_category"), "schema_integrity",
              "differs"}});
    }
}

// `roots gc` drops a golden schema no tenant uses, and only then.
TEST_F(Mysql, RootsGcDropsAnUnusedGoldenSchema) {
    RootImages roots;
    expect_gc_removes_unused_golden(
        server_test_config(state.path(), "mysql", mysql_admin_url()), roots, "mysql", "mysql.sql",
        [](const std::string& name) {
            MysqlSession admin;
            return admin.scalar(
                       "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE "
                       "SCHEMA_NAME = '" +
                       name + "'") == "1";
        });
}
