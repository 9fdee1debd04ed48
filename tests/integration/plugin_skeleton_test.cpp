// examples/plugin-skeleton builds on its own against sdk/ and works in the host.
#include <gtest/gtest.h>
#include <dbclone/core/json.hpp>
#include <dbclone/sha256.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace dbclone::testing;

TEST(PluginSkeleton, BuildsAgainstTheSdkAloneAndServesATenant) {
    TempDir build, state, roots;
    auto configure = run_program({"cmake", "-S", DBCLONE_SOURCE_DIR "/examples/plugin-skeleton",
                                  "-B", build.path().string(), "-DCMAKE_BUILD_TYPE=Release"});
    ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
    auto compile = run_program({"cmake", "--build", build.path().string()});
    ASSERT_EQ(compile.exit_code, 0) << compile.out << compile.err;

    // A root image with a file for the skeleton backend.
    std::filesystem::create_directories(roots / "v1.0");
    std::ofstream(roots / "v1.0/skeleton.txt") << "hello\n";
    std::ofstream(roots / "v1.0/manifest.json")
        << R"({"files": {"skeleton": {"file": "skeleton.txt", "sha256": ")"
        << dbclone::sdk::Sha256::of("hello\n") << R"("}}})";

    std::vector<std::string> common{"--state-dir",  state.path().string(),
                                    "--plugin-dir", build.path().string(),
                                    "--roots-dir",  roots.path().string()};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), common.begin(), common.end());
        return run_dbclone(args);
    };
    auto plugins = with({"plugins", "--json"});
    ASSERT_EQ(plugins.exit_code, 0) << plugins.err;
    EXPECT_NE(plugins.out.find(R"("name":"skeleton")"), std::string::npos) << plugins.out;
    auto created = with({"create", "t1", "skeleton"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    auto verified = with({"verify", "t1"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_EQ(with({"remove", "t1", "--force"}).exit_code, 0);
}

TEST(CheckSkeleton, BuildsAgainstTheSdkAloneAndShowsUpInVerify) {
    TempDir build, state;
    auto configure = run_program({"cmake", "-S", DBCLONE_SOURCE_DIR "/examples/check-skeleton",
                                  "-B", build.path().string(), "-DCMAKE_BUILD_TYPE=Release"});
    ASSERT_EQ(configure.exit_code, 0) << configure.out << configure.err;
    auto compile = run_program({"cmake", "--build", build.path().string()});
    ASSERT_EQ(compile.exit_code, 0) << compile.out << compile.err;
    std::vector<std::string> common{"--state-dir", state.path().string(), "--plugin-dir",
                                    build.path().string()};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), common.begin(), common.end());
        return run_dbclone(args);
    };
    ASSERT_EQ(with({"create", "t1", "sqlite"}).exit_code, 0);
    auto verified = with({"verify", "t1", "--json"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    EXPECT_NE(verified.out.find(R"("name":"answers_twice","outcome":"passed")"), std::string::npos)
        << verified.out;
    auto only = with({"verify", "t1", "--checks", "answers_twice"});
    EXPECT_EQ(only.exit_code, 0) << only.out;
    EXPECT_EQ(with({"remove", "t1", "--force"}).exit_code, 0);
}
