#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/root_catalog.hpp>
#include <dbclone/sha256.hpp>

#include <fstream>
#include <map>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::file_text;
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

// Attack: a root file that is a symbolic link to a secret, with the secret's
// sha256 in the manifest. It is refused without reading it, and nothing of the
// secret appears in the message.
TEST(RootCatalog, RefusesASymlinkedRootFileWithoutShowingItsContent) {
    TempDir dir;
    copy_roots(dir);
    std::string secret = "SECRET-LINE-do-not-show";
    std::ofstream(dir / "secret.txt") << secret << "\n";
    auto root = dir / "v1.0/sqlite.sql";
    std::filesystem::remove(root);
    std::filesystem::create_symlink(dir / "secret.txt", root);
    // The manifest names the secret's checksum, so only the link check stops it.
    std::string manifest = file_text(dir / "v1.0/manifest.json");
    RootCatalog original(shipped());
    std::string old_sha = original.load("v1.0").files.at("sqlite").sha256;
    manifest.replace(manifest.find(old_sha), old_sha.size(),
                     sdk::Sha256::of_file((dir / "secret.txt").string()));
    std::ofstream(dir / "v1.0/manifest.json") << manifest;
    RootCatalog roots(dir.path());
    try {
        roots.resolve("v1.0", "sqlite");
        ADD_FAILURE() << "a symlinked root file was accepted";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("symbolic link"), std::string::npos) << message;
        EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
}

// Several files per backend, in order: the root's identity is the sha256 of
// their sha256s (a change to any rebuilds), each is checked and a damaged one
// is named; an empty list is refused with the form that is allowed.
TEST(RootCatalog, SeveralFilesPerBackendAreCheckedAndKeptInOrder) {
    TempDir dir;
    std::filesystem::create_directories(dir / "v2");
    std::ofstream(dir / "v2/schema.sql") << "CREATE TABLE t (x int);\n";
    std::ofstream(dir / "v2/data.sql") << "INSERT INTO t VALUES (1);\n";
    std::string a = sdk::Sha256::of_file((dir / "v2/schema.sql").string()),
                b = sdk::Sha256::of_file((dir / "v2/data.sql").string());
    std::ofstream(dir / "v2/manifest.json")
        << R"({"files": {"sqlite": [{"file": "schema.sql", "sha256": ")" << a
        << R"("}, {"file": "data.sql", "sha256": ")" << b << R"("}]}})";
    RootCatalog roots(dir.path());
    auto root = roots.resolve("v2", "sqlite");
    ASSERT_EQ(root.parts.size(), 2u);
    EXPECT_EQ(root.parts[0].path.filename(), "schema.sql");
    EXPECT_EQ(root.parts[1].path.filename(), "data.sql");
    EXPECT_EQ(root.path, root.parts[0].path);
    EXPECT_EQ(root.sha256, sdk::Sha256().update(a).update(b).hex());
    std::ofstream(dir / "v2/data.sql", std::ios::app) << "-- changed\n";
    auto result = roots.validate("v2");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_NE(result.problems[0].find("data.sql: sha256 mismatch"), std::string::npos)
        << result.problems[0];
    std::ofstream(dir / "v2/manifest.json") << R"({"files": {"sqlite": []}})";
    try {
        roots.load("v2");
        ADD_FAILURE() << "an empty file list was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("files.sqlite must be an object {\"file\", "
                                             "\"sha256\"} or a non-empty array of them"),
                  std::string::npos)
            << e.what();
    }
}

namespace {
// Version "dir" of `roots` with a postgresql part that is directory "dump"
// holding `files`, its sha256 as the documented shell line computes it.
std::filesystem::path directory_root(const TempDir& roots,
                                     const std::map<std::string, std::string>& files) {
    auto dump = roots / "dir/dump";
    std::filesystem::create_directories(dump);
    for (const auto& [name, content] : files) std::ofstream(dump / name) << content;
    // The directory is passed to sh as $1, never pasted into the script.
    auto listed = dbclone::testing::run_program(
        {"sh", "-c", "cd \"$1\" && LC_ALL=C sha256sum -- * | sha256sum", "sh", dump.string()});
    std::string sha = listed.out.substr(0, 64);
    std::ofstream(roots / "dir/manifest.json")
        << R"({"files": {"postgresql": {"file": "dump", "sha256": ")" << sha << "\"}}}";
    return dump;
}
}  // namespace

// pg_dump -Fd writes a directory: it is one part, checked as a whole.
TEST(RootCatalog, ADirectoryPartIsCheckedAsTheShellLineSaysAndAnyChangeIsCaught) {
    TempDir dir;
    auto dump = directory_root(dir, {{"toc.dat", "toc"}, {"3456.dat.gz", "rows"}, {"B", "b"}});
    RootCatalog roots(dir.path());
    EXPECT_TRUE(roots.validate("dir").ok()) << roots.validate("dir").problems.at(0);
    EXPECT_EQ(roots.resolve("dir", "postgresql").path, dump);
    EXPECT_EQ(root_part_bytes(dump), 8u);
    std::ofstream(dump / "3456.dat.gz", std::ios::app) << "more";
    EXPECT_THROW(roots.resolve("dir", "postgresql"), Error) << "a file of it changed";
    auto problems = roots.validate("dir").problems;
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("dump: sha256 mismatch"), std::string::npos) << problems[0];
}

TEST(RootCatalog, ADirectoryPartHoldsRegularFilesOnly) {
    for (const char* bad : {"link", "subdir", "hidden", "empty"}) {
        TempDir dir;
        auto dump = directory_root(dir, {{"toc.dat", "toc"}});
        std::string name = bad;
        if (name == "link")
            std::filesystem::create_symlink("/etc/passwd", dump / "extra");
        else if (name == "subdir")
            std::filesystem::create_directory(dump / "extra");
        else if (name == "hidden")
            std::ofstream(dump / ".extra") << "x";
        else
            std::filesystem::remove(dump / "toc.dat");
        auto problems = RootCatalog(dir.path()).validate("dir").problems;
        ASSERT_EQ(problems.size(), 1u) << bad;
        EXPECT_NE(problems[0].find(name == "empty"    ? "is an empty directory"
                                   : name == "hidden" ? "no hidden files"
                                                      : "regular files only"),
                  std::string::npos)
            << bad << ": " << problems[0];
        EXPECT_EQ(problems[0].find("root:"), std::string::npos) << "nothing of /etc/passwd";
    }
}
