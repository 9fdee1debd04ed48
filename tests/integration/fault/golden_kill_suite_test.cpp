// The random-kill suite (kill_suite.hpp) on golden builds: before each kill
// the golden copy is forgotten (behind dbclone's back), so every create builds
// it again, and the kill lands in the build or in the create after it. Besides
// the tenant's objects, nothing a build makes may be left: a temporary file, a
// half-built database, a loader login, a root owner that may log in, a build
// server or directory. (Run serially: a build on the same server by another
// test would look like a leftover.)
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <cstdlib>

#include "kill_suite.hpp"
#include "mongo_inspector.hpp"
#include "mysql_session.hpp"
#include "pg_session.hpp"
#include "root_images.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

std::string shipped(const std::string& file) {
    return sdk::read_text_file(std::string(DBCLONE_SOURCE_DIR) + "/config/roots/v1.0/" + file);
}

struct GoldenKills : KillSuite {
    RootImages roots;
    std::string version = unique_version("gk");
    std::string golden;  // set by each test, once it has its engine
    GoldenKills() {
        roots.add(version, {{"sqlite", shipped("sqlite.sql")},
                            {"postgresql", shipped("postgresql.sql")},
                            {"mysql", shipped("mysql.sql")},
                            {"mongodb", shipped("mongodb.json")}});
        roots_dir = roots.dir();
    }
    Config config_for(const std::string& backend, const std::string& url) {
        Config c = url.empty() ? test_config(state.path())
                               : server_test_config(state.path(), backend, url);
        c.roots_dir = roots.dir();
        return c;
    }
};

const auto create = KillPlan::Command::create;

}  // namespace

TEST_F(GoldenKills, SqliteBuildsLeaveNoTemporaryFile) {
    Engine engine(config_for("sqlite", ""));
    auto golden_dir = state / "plugins/sqlite/golden";
    KillPlan plan{"sqlite", "g", create, "", version};
    plan.before_each = [&] {
        std::filesystem::remove_all(golden_dir);
        std::filesystem::create_directories(golden_dir);
    };
    kill_twenty(engine, plan, [&](const std::string& id) {
        for (const auto& f : files_below(golden_dir))
            EXPECT_EQ(f.find(".tmp."), std::string::npos) << f << " after killing " << id;
        EXPECT_EQ(files_below(state / "plugins/sqlite/clones"), std::vector<std::string>{}) << id;
    });
}

TEST_F(GoldenKills, PostgresqlBuildsLeaveNoHalfBuiltTemplateOrOpenLogin) {
    DBCLONE_REQUIRE_POSTGRESQL();
    Engine engine(config_for("postgresql", pg_admin_url()));
    golden = shared_golden_name(engine, version);
    ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
    PgSession su(pg_superuser_url());
    std::string base = "gp" + std::to_string(::getpid()) + "_";
    auto forget = [&] {
        su.error_of("ALTER DATABASE " + golden + " IS_TEMPLATE false");
        su.error_of("DROP DATABASE IF EXISTS " + golden + " WITH (FORCE)");
    };
    KillPlan plan{"postgresql", base, create, "", version};
    plan.before_each = forget;
    kill_twenty(engine, plan, [&](const std::string& id) {
        EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_database WHERE datname IN ('" + golden +
                            "_build', 'tenant_" + id + "_db')"),
                  "0")
            << id;
        EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'tenant_" + id +
                            "' OR (rolname = 'dbclone_root_owner' AND rolcanlogin)"),
                  "0")
            << id;
    });
    ::unsetenv("DBCLONE_PG_URL");
    forget();
}

TEST_F(GoldenKills, MariadbBuildsLeaveNoLoaderOrHalfBuiltSchema) {
    DBCLONE_REQUIRE_MYSQL();
    Engine engine(config_for("mysql", mysql_admin_url()));
    golden = shared_golden_name(engine, version);
    ::setenv("DBCLONE_MYSQL_URL", mysql_admin_url().c_str(), 1);
    MysqlSession admin;
    std::string base = "gm" + std::to_string(::getpid()) + "_";
    auto forget = [&] {
        admin.error_of("DELETE FROM dbclone_meta.golden_copies WHERE name = '" + golden + "'");
        admin.error_of("DROP DATABASE IF EXISTS " + golden);
    };
    KillPlan plan{"mysql", base, create, "", version};
    plan.before_each = forget;
    kill_twenty(engine, plan, [&](const std::string& id) {
        EXPECT_EQ(admin.scalar("SELECT count(*) FROM mysql.user WHERE user LIKE "
                               "'dbclone\\_loader\\_%' OR user = 'tenant_" +
                               id + "'"),
                  "0")
            << id;
        EXPECT_EQ(admin.scalar("SELECT count(*) FROM information_schema.SCHEMATA s WHERE "
                               "SCHEMA_NAME = 'tenant_" +
                               id + "_db' OR (SCHEMA_NAME = '" + golden +
                               "' AND NOT EXISTS (SELECT 1 FROM dbclone_meta.golden_copies g "
                               "WHERE g.name = s.SCHEMA_NAME))"),
                  "0")
            << id;
    });
    ::unsetenv("DBCLONE_MYSQL_URL");
    forget();
}

TEST_F(GoldenKills, FerretdbBuildsLeaveNoHalfBuiltDatabaseOrLock) {
    const char* uri = std::getenv("DBCLONE_TEST_FERRETDB_URI");
    if (uri == nullptr)
        GTEST_SKIP() << "DBCLONE_TEST_FERRETDB_URI is not set: run scripts/services.sh start";
    Engine engine(config_for("mongodb", uri));
    golden = shared_golden_name(engine, version);
    ::setenv("DBCLONE_MONGODB_URI", uri, 1);
    Inspector server(uri);
    std::string base = "gf" + std::to_string(::getpid()) + "_";
    auto forget = [&] {
        server.command("dbclone_meta",
                       R"({"delete": "golden_copies", "deletes": [{"q": {"_id": ")" + golden +
                           R"("}, "limit": 0}]})");
        server.command(golden, R"({"dropDatabase": 1})");
    };
    KillPlan plan{"mongodb", base, create, "", version};
    plan.before_each = forget;
    kill_twenty(engine, plan, [&](const std::string& id) {
        EXPECT_EQ(server.databases("tenant_" + id + "_"), std::vector<std::string>{}) << id;
        bool recorded =
            server.count("dbclone_meta", "golden_copies", R"({"_id": ")" + golden + R"("})") == 1;
        EXPECT_TRUE(recorded || server.databases(golden).empty()) << "half-built " << golden;
        EXPECT_EQ(server.count("dbclone_meta", "locks", R"({"_id": "build )" + golden + R"("})"), 0)
            << "the build lock of " << golden << " is left";
    });
    ::unsetenv("DBCLONE_MONGODB_URI");
    forget();
}

// The data directory a dedicated placement's tenants are copied from (docker
// tenants too: the process runtime builds it for both).
struct DataDirectoryGoldenKills : GoldenKills, ::testing::WithParamInterface<std::string> {};

TEST_P(DataDirectoryGoldenKills, BuildsLeaveNoServerOrDirectory) {
    if (::geteuid() != 0) GTEST_SKIP() << "the process runtime runs servers as their own OS users";
    if (GetParam() == "mysql" && !std::filesystem::exists("/usr/sbin/mariadbd"))
        GTEST_SKIP() << "MariaDB server binaries are not installed";
    Engine engine(config_for(GetParam(), ""));
    auto golden_dir = state / "data/golden";
    KillPlan plan{GetParam(), "gd", create, "process", version};
    plan.before_each = [&] {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(golden_dir, ec))
            engine.storage().remove(entry.path());
    };
    kill_twenty(engine, plan, [&](const std::string& id) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(golden_dir, ec))
            EXPECT_EQ(entry.path().string().find(".build"), std::string::npos)
                << entry.path() << " after killing " << id;
        auto servers = engine.runtime("process").list();
        ASSERT_TRUE(servers.has_value());
        EXPECT_EQ(servers->size(), 0u) << "a server is left after killing " << id;
        EXPECT_EQ(engine.registry().ports().size(), 0u) << id;
    });
}

INSTANTIATE_TEST_SUITE_P(Engines, DataDirectoryGoldenKills,
                         ::testing::Values("postgresql", "mysql"),
                         [](const auto& info) { return info.param; });
