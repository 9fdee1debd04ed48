// Hostile input to the built `dbclone` binary: files nested to crash a parser,
// a root file that is a symbolic link to a secret, passwords on the command line.
#include <gtest/gtest.h>
#include <dbclone/sha256.hpp>

#include <fstream>

#include "root_images.hpp"
#include "test_support.hpp"

using namespace dbclone::testing;

namespace {

struct InputAttacks : ::testing::Test {
    TempDir state;
    CommandResult run(std::vector<std::string> args) {
        std::vector<std::string> all{"--state-dir", state.path().string(), "--plugin-dir",
                                     DBCLONE_PLUGIN_DIR};
        all.insert(all.end(), args.begin(), args.end());
        return run_dbclone(all);
    }
};

}  // namespace

// Attack 7: a config file and a manifest nested a million deep once crashed
// the CLI (SIGSEGV). Both are now a one-line error and exit 2.
TEST_F(InputAttacks, DeeplyNestedFilesAreRefusedWithoutACrash) {
    std::string deep = "{\"plugins\": " + std::string(1000000, '[');
    auto config = state / "deep.json";
    std::ofstream(config) << deep;
    auto r = run({"--config", config.string(), "list"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("nested deeper than"), std::string::npos) << r.err;

    RootImages roots;
    std::filesystem::create_directories(roots.dir() / "deep");
    std::ofstream(roots.dir() / "deep/manifest.json") << std::string(1000000, '[');
    auto v =
        run({"--roots-dir", roots.dir().string(), "create", "t1", "sqlite", "--version", "deep"});
    EXPECT_EQ(v.exit_code, 2) << v.err;
    EXPECT_NE(v.err.find("nested deeper than"), std::string::npos) << v.err;
}

// Attack 7: a root file that is a symbolic link to a secret of this machine,
// with the secret's checksum in the manifest. It is refused unread, and no
// byte of it reaches the error.
TEST_F(InputAttacks, ASymlinkedRootFileIsRefusedAndItsContentNeverShown) {
    RootImages roots;
    TempDir secret_dir;
    std::string secret = "root:SECRET-HASH:19000:0:99999:7:::";
    std::ofstream(secret_dir / "shadow") << secret << "\n";
    std::string version = roots.add(unique_version("link"), {{"sqlite", "CREATE TABLE x (y);"}});
    auto file = roots.dir() / version / "sqlite.sql";
    std::filesystem::remove(file);
    std::filesystem::create_symlink(secret_dir / "shadow", file);
    std::string manifest = R"({"files": {"sqlite": {"file": "sqlite.sql", "sha256": ")" +
                           dbclone::sdk::Sha256::of(secret + "\n") + "\"}}}";
    std::ofstream(roots.dir() / version / "manifest.json") << manifest;
    auto r =
        run({"--roots-dir", roots.dir().string(), "create", "t1", "sqlite", "--version", version});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("SECRET"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("SECRET"), std::string::npos) << r.out;
    EXPECT_EQ(run({"list", "--json"}).out, "[]\n");
}

// Attack 8: a password in --server is visible in `ps` to every local user. It
// draws a warning that names the alternatives and not the password; a server
// file is read instead, and a bad one is a clear error.
TEST_F(InputAttacks, APasswordOnTheCommandLineDrawsAWarningAndAServerFileIsRead) {
    auto r = run({"--server", "postgresql://admin:hunter2secret@127.0.0.1:1/postgres", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("visible to every local user"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--server-file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hunter2secret"), std::string::npos) << r.err;
    EXPECT_EQ(run({"--server", "postgresql://127.0.0.1:1/postgres", "list"}).err, "");

    auto file = state / "servers";
    std::ofstream(file) << "# the admin of the shop's server\n\noracle://admin:pw@db/x\n";
    auto bad = run({"--server-file", file.string(), "list"});
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
    EXPECT_NE(bad.err.find("\"oracle\""), std::string::npos) << bad.err;
    EXPECT_EQ(bad.err.find("admin:pw"), std::string::npos) << bad.err;
    auto missing = run({"--server-file", (state / "nothing").string(), "list"});
    EXPECT_EQ(missing.exit_code, 3) << missing.err;
    EXPECT_NE(missing.err.find((state / "nothing").string()), std::string::npos) << missing.err;

    if (pg_admin_url().empty()) GTEST_SKIP() << "no PostgreSQL server for the positive case";
    std::ofstream(file) << pg_admin_url() << "\n";
    auto created = run({"--server-file", file.string(), "create", "sf1", "postgresql"});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(created.err, "") << "no warning for a URL from a file";
    EXPECT_EQ(run({"--server-file", file.string(), "remove", "sf1", "--force"}).exit_code, 0);
}
