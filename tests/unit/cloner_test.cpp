// The create/remove flow with the real SQLite backend plugin.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/golden_copy_cache.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/sha256.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::file_text;
using dbclone::testing::files_below;
using dbclone::testing::TempDir;

namespace {

struct ClonerTest : ::testing::Test {
    TempDir state;
    Engine engine{dbclone::testing::test_config(state.path())};
    Cloner cloner{engine};
    std::filesystem::path clones() const { return state / "plugins/sqlite/clones"; }
    std::filesystem::path goldens() const { return state / "plugins/sqlite/golden"; }
};

ErrorKind kind_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.kind();
    }
    ADD_FAILURE() << "no dbclone::Error thrown";
    return ErrorKind::Failed;
}

}  // namespace

TEST_F(ClonerTest, CreatesAPrivateFileVerifiesAndRemovesIt) {
    std::vector<std::string> steps;
    auto row = cloner.create({"t1", "sqlite", "", ""},
                             [&](const std::string& step, auto) { steps.push_back(step); });
    EXPECT_EQ(steps, (std::vector<std::string>{"validate", "register", "golden copy", "clone",
                                               "verify", "ready"}));
    EXPECT_EQ(row.state, "ready");
    EXPECT_EQ(row.placement, "embedded");
    EXPECT_EQ(row.root_version, "v1.0");
    EXPECT_EQ(row.location, (clones() / "tenant_t1_db.sqlite").string());
    EXPECT_EQ(row.password.size(), 32u);
    struct stat st {};
    ASSERT_EQ(::stat(row.location.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto report = Verifier(engine).verify("t1");
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.checks.size(), 10u);
    cloner.remove("t1");
    EXPECT_TRUE(files_below(clones()).empty());
    EXPECT_FALSE(engine.registry().find_clone("t1"));
}

TEST_F(ClonerTest, AFailureAtAnyStepLeavesNoFileRowOrPort) {
    for (const char* failing : {"register", "golden copy", "clone", "verify", "ready"}) {
        auto inject = [&](const std::string& step, auto) {
            if (step == failing)
                throw Error(ErrorKind::Failed, std::string("injected at ") + failing);
        };
        EXPECT_THROW(cloner.create({"t1", "sqlite", "", ""}, inject), Error) << failing;
        EXPECT_EQ(files_below(clones()), std::vector<std::string>{}) << failing;
        EXPECT_TRUE(engine.registry().clones().empty()) << failing;
        EXPECT_TRUE(engine.registry().ports().empty()) << failing;
        auto events = engine.registry().events("t1", 1);
        ASSERT_FALSE(events.empty());
        EXPECT_EQ(events[0].kind, "create_failed");
        EXPECT_EQ(events[0].detail, std::string("injected at ") + failing);
    }
    // And the id is free again afterwards.
    EXPECT_EQ(cloner.create({"t1", "sqlite", "", ""}).state, "ready");
}

TEST_F(ClonerTest, BadInputIsRefusedWithoutSideEffects) {
    for (const char* id :
         {"../x", "a;drop", "Tenant", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
        EXPECT_EQ(kind_of([&] {
                      cloner.create({id, "sqlite", "", ""});
                  }),
                  ErrorKind::InvalidInput)
            << id;
    EXPECT_EQ(kind_of([&] { cloner.create({"t1", "oracle", "", ""}); }), ErrorKind::NotFound);
    EXPECT_EQ(kind_of([&] { cloner.create({"t1", "sqlite", "v9", ""}); }), ErrorKind::NotFound);
    EXPECT_EQ(kind_of([&] {
                  cloner.create({"t1", "sqlite", "", "docker"});
              }),
              ErrorKind::InvalidInput);
    EXPECT_TRUE(engine.registry().clones().empty());
    EXPECT_TRUE(engine.registry().events().empty());
    EXPECT_TRUE(files_below(clones()).empty());
}

TEST_F(ClonerTest, UnknownTypeErrorListsTheAvailableTypes) {
    try {
        cloner.create({"t1", "oracle", "", ""});
        FAIL();
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_EQ(message.rfind("unknown database type \"oracle\"; available: ", 0), 0u) << message;
        EXPECT_NE(message.find("sqlite"), std::string::npos) << message;
    }
}

TEST_F(ClonerTest, SameTenantTwiceIsAConflictAndKeepsTheFirst) {
    auto first = cloner.create({"t1", "sqlite", "", ""});
    EXPECT_EQ(kind_of([&] { cloner.create({"t1", "sqlite", "", ""}); }), ErrorKind::Conflict);
    auto still = engine.registry().find_clone("t1");
    ASSERT_TRUE(still);
    EXPECT_EQ(still->password, first.password);
    EXPECT_TRUE(std::filesystem::exists(first.location));
}

TEST_F(ClonerTest, RemoveOfUnknownTenantIsNotFound) {
    EXPECT_EQ(kind_of([&] { cloner.remove("nobody"); }), ErrorKind::NotFound);
}

TEST_F(ClonerTest, GoldenCopyIsRebuiltWhenTheRootChanges) {
    TempDir roots;
    std::filesystem::copy(std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/roots", roots.path(),
                          std::filesystem::copy_options::recursive);
    auto config = dbclone::testing::test_config(state.path());
    config.roots_dir = roots.path();
    Engine custom(config);
    auto first = Cloner(custom).create({"t1", "sqlite", "", ""});
    // Change the root: a new table, and the manifest's checksum to match.
    auto sql = roots / "v1.0/sqlite.sql";
    std::ofstream(sql, std::ios::app) << "CREATE TABLE coupons (code TEXT PRIMARY KEY);\n";
    std::string old_sha = custom.roots().load("v1.0").files.at("sqlite").sha256;
    std::string new_sha = sdk::Sha256::of_file(sql.string());
    std::string manifest = file_text(roots / "v1.0/manifest.json");
    manifest.replace(manifest.find(old_sha), old_sha.size(), new_sha);
    std::ofstream(roots / "v1.0/manifest.json") << manifest;

    auto second = Cloner(custom).create({"t2", "sqlite", "", ""});
    EXPECT_NE(first.golden_fingerprint, second.golden_fingerprint);
    auto golden_files = files_below(goldens());
    ASSERT_EQ(golden_files.size(), 1u) << "the stale golden copy is removed";
    EXPECT_NE(golden_files[0].find(new_sha.substr(0, 16)), std::string::npos);
    // Both tenants still verify against the golden copy each was made from.
    EXPECT_TRUE(Verifier(custom).verify("t1").ok());
    EXPECT_TRUE(Verifier(custom).verify("t2").ok());
}

// Two processes create tenants from a cold cache at once: one golden copy.
TEST(GoldenCopyCache, TwoProcessesBuildTheGoldenCopyOnce) {
    TempDir state;
    { Engine prepare(dbclone::testing::test_config(state.path())); }
    auto statuses = dbclone::testing::run_in_processes(2, [&](int i) {
        Engine engine(dbclone::testing::test_config(state.path()));
        Cloner(engine).create({"p" + std::to_string(i), "sqlite", "", ""});
    });
    EXPECT_EQ(statuses, (std::vector<int>{0, 0}));
    Engine engine(dbclone::testing::test_config(state.path()));
    EXPECT_EQ(engine.registry().clones().size(), 2u);
    EXPECT_EQ(engine.registry().goldens().size(), 1u);
    EXPECT_EQ(files_below(state / "plugins/sqlite/golden").size(), 1u);
    int builds = 0;
    for (const auto& e : engine.registry().events())
        if (e.kind == "golden_copy_ready") ++builds;
    EXPECT_EQ(builds, 1);
}

// Sabotage: B's file becomes A's (a hard link), so whatever A holds, B shows.
// data_isolation must catch the canary planted in A appearing in B.
TEST_F(ClonerTest, DataIsolationCatchesATenantThatSeesAnothersData) {
    auto a = cloner.create({"sa", "sqlite", "", ""});
    auto b = cloner.create({"sb", "sqlite", "", ""});
    auto clean = Verifier(engine).verify("sa", {"data_isolation"}, "sb");
    ASSERT_EQ(clean.checks.at(0).outcome, "passed") << clean.checks.at(0).details;
    std::filesystem::remove(b.location);
    std::filesystem::create_hard_link(a.location, b.location);
    auto broken = Verifier(engine).verify("sa", {"data_isolation"}, "sb");
    EXPECT_EQ(broken.checks.at(0).outcome, "failed") << broken.checks.at(0).details;
    EXPECT_NE(broken.checks.at(0).details.find("is also in tenant sb"), std::string::npos);
    EXPECT_FALSE(broken.ok());
}

// `roots gc` removes a data directory golden copy only below the state's own
// golden directory: a damaged row that points elsewhere is refused, and what
// it points at is left alone.
TEST_F(ClonerTest, GcRemovesNoDirectoryOutsideTheGoldenDirectory) {
    TempDir elsewhere;
    std::ofstream(elsewhere / "keep.txt") << "keep\n";
    engine.registry().upsert_golden(
        {"sqlite", "v1.0", "data_directory", "aa", elsewhere.path().string(), "f", "", "", 0});
    EXPECT_EQ(kind_of([&] { GoldenCopyCache(engine).collect_garbage(false); }), ErrorKind::Failed);
    EXPECT_TRUE(std::filesystem::exists(elsewhere / "keep.txt"));
    EXPECT_TRUE(engine.registry().find_golden("sqlite", "v1.0", "data_directory"));
    auto dry = GoldenCopyCache(engine).collect_garbage(true);
    ASSERT_EQ(dry.size(), 1u) << "listed, not removed";
    EXPECT_TRUE(std::filesystem::exists(elsewhere / "keep.txt"));
}
