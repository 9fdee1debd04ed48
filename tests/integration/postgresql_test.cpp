// The PostgreSQL backend against the real server scripts/services.sh starts.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "golden_lifecycle.hpp"
#include "pg_session.hpp"
#include "root_images.hpp"
#include "sabotage.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// Tenant ids unique to this process, since ctest runs test processes in parallel.
std::string unique(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

bool database_exists(PgSession& s, const std::string& name) {
    return s.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'") == "1";
}
bool role_exists(PgSession& s, const std::string& name) {
    return s.scalar("SELECT count(*) FROM pg_roles WHERE rolname = '" + name + "'") == "1";
}

struct Postgresql : ::testing::Test {
    void SetUp() override { DBCLONE_REQUIRE_POSTGRESQL(); }
    TempDir state;
    std::unique_ptr<Engine> engine;
    Engine& eng() {
        if (!engine)
            engine = std::make_unique<Engine>(
                server_test_config(state.path(), "postgresql", pg_admin_url()));
        return *engine;
    }
    CloneRecord create(const std::string& id) {
        return Cloner(eng()).create({id, "postgresql", "v1.0", ""});
    }
    void expect_gone(const std::string& id) {
        PgSession su(pg_superuser_url());
        EXPECT_FALSE(database_exists(su, "tenant_" + id + "_db")) << id;
        EXPECT_FALSE(role_exists(su, "tenant_" + id)) << id;
        EXPECT_FALSE(eng().registry().find_clone(id)) << id;
    }
    const CheckResult& check(const VerificationReport& r, const std::string& name) {
        for (const auto& c : r.checks)
            if (c.name == name) return c;
        throw std::runtime_error("no check " + name);
    }
};

}  // namespace

TEST_F(Postgresql, CreateVerifyRemove) {
    std::string id = unique("pg_basic");
    auto row = create(id);
    EXPECT_EQ(row.placement, "shared");
    EXPECT_EQ(row.location, "tenant_" + id + "_db");
    EXPECT_EQ(row.host, "127.0.0.1");
    PgSession as_tenant("postgresql://" + row.user_name + ":" + row.password +
                            "@127.0.0.1:" + std::to_string(row.port) + "/" + row.database_name,
                        "");
    EXPECT_EQ(as_tenant.scalar("SELECT count(*) FROM customers"), "100");
    EXPECT_EQ(as_tenant.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND "
                               "tableowner <> current_user"),
              "0")
        << "the tenant owns every table";
    EXPECT_NO_THROW(as_tenant.scalar("CREATE TABLE notes (x int)"));
    PgSession su(pg_superuser_url());
    EXPECT_EQ(su.scalar("SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = "
                        "'tenant_" +
                        id + "'"),
              "t");
    EXPECT_EQ(su.scalar("SELECT datistemplate::text || datallowconn::text FROM pg_database WHERE "
                        "datname = '" +
                        shared_golden_name(eng(), "v1.0") + "'"),
              "truefalse");
    as_tenant.scalar("DROP TABLE notes");
    auto report = Verifier(eng()).verify(id, {"connection", "schema_integrity", "name_isolation"});
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    Cloner(eng()).remove(id);
    expect_gone(id);
    EXPECT_NO_THROW(eng().backend("postgresql").drop(id, "tenant_" + id + "_db", "tenant_" + id))
        << "drop is idempotent";
}

TEST_F(Postgresql, EveryProbeIsDeniedBothWaysAndAGrantBehindOurBackIsCaught) {
    std::string a = unique("pg_iso_a"), b = unique("pg_iso_b");
    create(a);
    create(b);
    auto report = Verifier(eng()).verify(a, {"cross_tenant_access"}, b);
    const auto& access = check(report, "cross_tenant_access");
    EXPECT_EQ(access.outcome, "passed") << access.details;
    std::set<std::string> names;
    for (const auto& p : access.probes) {
        EXPECT_EQ(p.outcome, "denied") << p.name << " " << p.direction << ": " << p.detail;
        names.insert(p.name);
    }
    EXPECT_EQ(access.probes.size(), 26u);
    for (const char* n : {"connect_other_database", "set_role_other_tenant", "read_pg_authid",
                          "pg_read_file", "copy_to_server_file", "create_table_in_other_database",
                          "dblink_to_other_database", "postgres_fdw_to_other_database"})
        EXPECT_TRUE(names.count(n)) << n;

    // Break isolation behind dbclone's back: the check must now fail.
    PgSession su(pg_superuser_url());
    su.scalar("GRANT CONNECT ON DATABASE \"tenant_" + b + "_db\" TO \"tenant_" + a + "\"");
    auto broken = Verifier(eng()).verify(a, {"cross_tenant_access"}, b);
    EXPECT_EQ(check(broken, "cross_tenant_access").outcome, "failed");
    EXPECT_FALSE(broken.ok());
    Cloner(eng()).remove(a);
    Cloner(eng()).remove(b);
    expect_gone(a);
    expect_gone(b);
}

TEST_F(Postgresql, SchemaChangeIsDetected) {
    std::string id = unique("pg_ddl");
    auto row = create(id);
    PgSession as_tenant("postgresql://" + row.user_name + ":" + row.password +
                        "@127.0.0.1:" + std::to_string(row.port) + "/" + row.database_name);
    as_tenant.scalar("ALTER TABLE customers ADD COLUMN vip boolean");
    auto report = Verifier(eng()).verify(id, {"schema_integrity"});
    EXPECT_EQ(check(report, "schema_integrity").outcome, "failed");
    Cloner(eng()).remove(id);
}

// The admin session dies in the middle of a clone (after CREATE DATABASE, while
// CREATE ROLE waits on a lock the test holds): nothing may remain.
TEST_F(Postgresql, KilledConnectionMidCloneLeavesNothing) {
    std::string id = unique("pg_kill");
    PgSession blocker(pg_superuser_url());
    blocker.scalar("BEGIN");
    blocker.scalar("CREATE ROLE \"tenant_" + id + "\"");  // uncommitted: CREATE ROLE waits on it
    eng();
    auto pending = std::async(std::launch::async, [&] {
        try {
            create(id);
            return std::string("created");
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
    });
    PgSession watcher(pg_superuser_url());
    std::string killed;
    for (int i = 0; i < 1000 && killed != "t"; ++i) {
        killed = watcher.scalar(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE "
            "'dbclone%' AND wait_event_type = 'Lock' AND query LIKE '%CREATE ROLE%tenant_" +
            id + "%'");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(killed, "t") << "the clone never waited on the role lock";
    std::string outcome = pending.get();
    blocker.scalar("ROLLBACK");
    EXPECT_NE(outcome, "created");
    EXPECT_NE(outcome.find("terminat"), std::string::npos) << outcome;
    expect_gone(id);
    EXPECT_TRUE(eng().registry().ports().empty());
}

TEST_F(Postgresql, TwentyConcurrentCreatesAllSucceed) {
    eng();  // the registry exists before the threads open it
    std::vector<std::future<std::string>> creates;
    for (int i = 0; i < 20; ++i)
        creates.push_back(std::async(std::launch::async, [&, i] {
            try {
                Engine own(server_test_config(state.path(), "postgresql", pg_admin_url()));
                Cloner(own).create(
                    {unique("pg_many" + std::to_string(i)), "postgresql", "v1.0", ""});
                return std::string("ok");
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        }));
    for (auto& c : creates) EXPECT_EQ(c.get(), "ok");
    EXPECT_EQ(eng().registry().clones().size(), 20u);
    for (int i = 0; i < 20; ++i) {
        std::string id = unique("pg_many" + std::to_string(i));
        EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok()) << id;
        Cloner(eng()).remove(id);
        expect_gone(id);
    }
}

TEST_F(Postgresql, EveryAllowedTenantIdShape) {
    // Shapes the pattern allows; the longest gives a 58-character database name.
    std::string tail = std::to_string(::getpid());
    for (std::string id : {"0" + tail, "z" + tail, "9_" + tail, "a_b_c_" + tail,
                           std::string(48 - tail.size(), 'x') + tail}) {
        auto row = create(id);
        EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok()) << id;
        Cloner(eng()).remove(id);
        expect_gone(id);
    }
}

TEST_F(Postgresql, UnreachableServerIsAClearErrorAndLeavesNothing) {
    Engine unreachable(
        server_test_config(state.path(), "postgresql", "postgresql://nobody@127.0.0.1:1/postgres"));
    try {
        Cloner(unreachable).create({"pg_nowhere", "postgresql", "v1.0", ""});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
        EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(unreachable.registry().clones().empty());
}

TEST_F(Postgresql, AdminWithoutCreatedbIsRefusedClearly) {
    std::string weak = unique("dbclone_weak");
    PgSession su(pg_superuser_url());
    su.scalar("CREATE ROLE " + weak + " LOGIN PASSWORD 'weakpass'");
    Engine engine_weak(server_test_config(
        state.path(), "postgresql",
        "postgresql://" + weak +
            ":weakpass@127.0.0.1:" + pg_admin_url().substr(pg_admin_url().rfind(':') + 1)));
    try {
        Cloner(engine_weak).create({unique("pg_weak"), "postgresql", "v1.0", ""});
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("lacks CREATEDB or CREATEROLE"), std::string::npos)
            << e.what();
    }
    su.scalar("DROP ROLE " + weak);
    EXPECT_TRUE(engine_weak.registry().clones().empty());
}

// verify fails a clone that lost a row, had a value changed or lost an index
// behind dbclone's back (done as the tenant, who owns every table).
TEST_F(Postgresql, VerifyFailsASabotagedClone) {
    auto as_tenant = [](const std::string& sql) {
        return [sql](const CloneRecord& tenant) { PgSession::as_tenant(tenant).scalar(sql); };
    };
    expect_sabotage_caught(
        eng(), [&](const std::string& id) { return create(id); },
        {{unique("pg_lost_row"),
          as_tenant("DELETE FROM order_items WHERE (order_id, product_id) = (SELECT order_id, "
                    "product_id FROM order_items ORDER BY 1, 2 LIMIT 1)"),
          "data_integrity", "table public.order_items has 457 rows, the root 458"},
         {unique("pg_changed"), as_tenant("UPDATE customers SET country = 'ZZ' WHERE id = 7"),
          "data_integrity", "table public.customers: the rows' checksum differs"},
         {unique("pg_lost_index"), as_tenant("DROP INDEX orders_ordered_at"), "schema_integrity",
          "differs"}});
}

// `roots gc` drops a template no tenant uses, and only then.
TEST_F(Postgresql, RootsGcDropsAnUnusedTemplate) {
    RootImages roots;
    expect_gc_removes_unused_golden(server_test_config(state.path(), "postgresql", pg_admin_url()),
                                    roots, "postgresql", "postgresql.sql",
                                    [](const std::string& name) {
                                        PgSession su(pg_superuser_url());
                                        return database_exists(su, name);
                                    });
}
