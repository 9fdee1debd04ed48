#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/file_lock.hpp>

#include <chrono>

#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

// A lock another holder keeps ends the wait at its deadline with an error
// naming the file, instead of hanging.
TEST(FileLock, GivesUpAtItsDeadlineNamingTheFile) {
    TempDir dir;
    auto path = dir / "golden.lock";
    FileLock held(path);
    auto start = std::chrono::steady_clock::now();
    try {
        FileLock second(path, std::chrono::milliseconds(200));
        ADD_FAILURE() << "took a lock that is held";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable);
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, std::chrono::milliseconds(200));
    EXPECT_LT(waited, std::chrono::seconds(5));
}

TEST(FileLock, IsTakenOnceReleased) {
    TempDir dir;
    auto path = dir / "golden.lock";
    { FileLock first(path); }
    EXPECT_NO_THROW(FileLock(path, std::chrono::milliseconds(200)));
}
