#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/root_catalog.hpp>
#include <dbclone/sha256.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::TempDir;

namespace {
std::filesystem::path shipped() {
    return std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/roots";
}

// A copy of the shipped roots that a test may damage.
void copy_roots(const TempDir& dir) {
    std::filesystem::copy(shipped(), dir.path(), std::filesystem::copy_options::recursive);
}
}  // namespace

TEST(RootCatalog, ShippedV1IsIntactForEveryBackend) {
    RootCatalog roots(shipped());
    EXPECT_EQ(roots.versions(), std::vector<std::string>{"v1.0"});
    EXPECT_TRUE(roots.validate("v1.0").ok());
    for (const char* backend : {"sqlite", "postgresql", "mysql", "mongodb"})
        EXPECT_NO_THROW(roots.resolve("v1.0", backend)) << backend;
}

TEST(RootCatalog, ChecksumMismatchNamesTheFile) {
    TempDir dir;
    copy_roots(dir);
    std::ofstream(dir / "v1.0/sqlite.sql", std::ios::app) << "-- tampered\n";
    RootCatalog roots(dir.path());
    auto result = roots.validate("v1.0");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_NE(result.problems[0].find("sqlite.sql: sha256 mismatch"), std::string::npos)
        << result.problems[0];
    EXPECT_THROW(roots.resolve("v1.0", "sqlite"), Error);
    EXPECT_NO_THROW(roots.resolve("v1.0", "mysql"));
}

TEST(RootCatalog, MissingFileNamesTheFile) {
    TempDir dir;
    copy_roots(dir);
    std::filesystem::remove(dir / "v1.0/mysql.sql");
    auto result = RootCatalog(dir.path()).validate("v1.0");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_NE(result.problems[0].find("mysql.sql: file is missing"), std::string::npos);
}

TEST(RootCatalog, RecheckAfterTheFileChanges) {
    TempDir dir;
    copy_roots(dir);
    RootCatalog roots(dir.path());
    EXPECT_NO_THROW(roots.resolve("v1.0", "sqlite"));  // now cached as verified
    std::ofstream(dir / "v1.0/sqlite.sql", std::ios::app) << "-- tampered\n";
    EXPECT_THROW(roots.resolve("v1.0", "sqlite"), Error);
}

TEST(RootCatalog, UnknownVersionListsWhatExists) {
    RootCatalog roots(shipped());
    for (const char* version : {"v9", "../v1.0", ""}) {
        try {
            roots.load(version);
            FAIL() << version;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::NotFound);
            EXPECT_NE(std::string(e.what()).find("available: v1.0"), std::string::npos) << e.what();
        }
    }
}

TEST(RootCatalog, UnknownBackendListsWhatTheRootHas) {
    try {
        RootCatalog(shipped()).resolve("v1.0", "oracle");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("mongodb, mysql, postgresql, sqlite"),
                  std::string::npos)
            << e.what();
    }
}

TEST(RootCatalog, ManifestMayNotPointOutsideItsDirectory) {
    TempDir dir;
    std::filesystem::create_directories(dir / "evil");
    std::ofstream(dir / "evil/manifest.json")
        << R"({"files": {"sqlite": {"file": "../../etc/passwd", "sha256": ")"
        << std::string(64, 'a') << R"("}}})";
    try {
        RootCatalog(dir.path()).load("evil");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    }
}
