// Data-directory cloning on the real filesystems: the temp directory's, and a
// btrfs made on a loop device for the snapshot strategy.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/core/directory_cloner.hpp>
#include <dbclone/core/error.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::file_text;
using dbclone::testing::files_below;
using dbclone::testing::LoopBtrfs;
using dbclone::testing::run_program;
using dbclone::testing::TempDir;

namespace {

namespace fs = std::filesystem;

// A small "data directory": nested files, a private mode, another owner.
void make_data_dir(const fs::path& dir) {
    fs::create_directories(dir / "base" / "1");
    std::ofstream(dir / "PG_VERSION") << "15\n";
    std::ofstream(dir / "base" / "1" / "1259") << std::string(100000, 'x');
    fs::create_symlink("base", dir / "link");
    ::chmod(dir.c_str(), 0700);
    if (::geteuid() == 0) {
        ::chown(dir.c_str(), 101, 104);
        ::chown((dir / "PG_VERSION").c_str(), 101, 104);
    }
}

void expect_same_tree(const fs::path& a, const fs::path& b) {
    EXPECT_EQ(files_below(a), files_below(b));
    for (const auto& f : files_below(a)) EXPECT_EQ(file_text(a / f), file_text(b / f)) << f;
    struct stat sa {
    }, sb{};
    ::stat(a.c_str(), &sa);
    ::stat(b.c_str(), &sb);
    EXPECT_EQ(sa.st_mode & 07777, sb.st_mode & 07777);
    EXPECT_EQ(sa.st_uid, sb.st_uid);
    ::stat((a / "PG_VERSION").c_str(), &sa);
    ::stat((b / "PG_VERSION").c_str(), &sb);
    EXPECT_EQ(sa.st_uid, sb.st_uid);
    EXPECT_TRUE(fs::is_symlink(b / "link"));
}

}  // namespace

TEST(DirectoryCloner, CopyKeepsContentsModesOwnersAndLinks) {
    TempDir root;
    DirectoryCloner cloner(root.path(), StorageStrategy::Copy);
    EXPECT_EQ(cloner.strategy(), StorageStrategy::Copy);
    cloner.create_golden(root / "golden");
    make_data_dir(root / "golden");
    cloner.clone(root / "golden", root / "clones" / "t1");
    expect_same_tree(root / "golden", root / "clones" / "t1");
    std::ofstream(root / "clones" / "t1" / "PG_VERSION") << "changed";
    EXPECT_EQ(file_text(root / "golden" / "PG_VERSION"), "15\n") << "the golden copy is untouched";
    EXPECT_THROW(cloner.clone(root / "golden", root / "clones" / "t1"), Error) << "exists";
    cloner.remove(root / "clones" / "t1");
    EXPECT_FALSE(fs::exists(root / "clones" / "t1"));
    EXPECT_NO_THROW(cloner.remove(root / "clones" / "t1")) << "idempotent";
}

TEST(DirectoryCloner, DetectsAndRefusesStrategiesTheFilesystemLacks) {
    TempDir root;
    DirectoryCloner detected(root.path(), std::nullopt);
    // The temp directory here is ext4 or tmpfs: neither snapshots nor reflinks.
    if (detected.strategy() == StorageStrategy::Copy) {
        EXPECT_THROW(DirectoryCloner(root.path(), StorageStrategy::BtrfsSnapshot), Error);
        EXPECT_THROW(DirectoryCloner(root.path(), StorageStrategy::Reflink), Error);
    }
    EXPECT_THROW(parse_storage_strategy("zfs"), Error);
    EXPECT_EQ(parse_storage_strategy("auto"), std::nullopt);
}

TEST(DirectoryCloner, SnapshotsOnBtrfs) {
    LoopBtrfs btrfs;
    if (!btrfs.ready()) GTEST_SKIP() << "no btrfs to test on: " << btrfs.why_not();
    fs::path root = btrfs.mount_point() / "state";
    DirectoryCloner cloner(root, std::nullopt);
    ASSERT_EQ(cloner.strategy(), StorageStrategy::BtrfsSnapshot);
    cloner.create_golden(root / "golden");
    struct stat st {};
    ::stat((root / "golden").c_str(), &st);
    EXPECT_EQ(st.st_ino, 256u) << "the golden copy is a subvolume";
    make_data_dir(root / "golden");
    cloner.clone(root / "golden", root / "clones" / "t1");
    ::stat((root / "clones" / "t1").c_str(), &st);
    EXPECT_EQ(st.st_ino, 256u) << "the clone is a snapshot";
    expect_same_tree(root / "golden", root / "clones" / "t1");
    std::ofstream(root / "clones" / "t1" / "PG_VERSION") << "changed";
    EXPECT_EQ(file_text(root / "golden" / "PG_VERSION"), "15\n");
    cloner.remove(root / "clones" / "t1");
    EXPECT_FALSE(fs::exists(root / "clones" / "t1"));
    // Reflink works on btrfs too, when forced.
    DirectoryCloner reflink(root, StorageStrategy::Reflink);
    reflink.clone(root / "golden", root / "clones" / "t2");
    expect_same_tree(root / "golden", root / "clones" / "t2");
    reflink.remove(root / "clones" / "t2");
    cloner.remove(root / "golden");
    EXPECT_FALSE(fs::exists(root / "golden"));
}

// Writes `megabytes` MiB to `file`, flushed to disk; false when a write fails.
static bool write_megabytes(const fs::path& file, int megabytes) {
    std::ofstream out(file, std::ios::binary);
    std::string chunk(1 << 20, 'q');
    for (int i = 0; i < megabytes && out; ++i) out.write(chunk.data(), chunk.size());
    out.flush();
    out.close();
    // The quota is charged when the data reaches the disk: sync makes that now.
    ::sync();
    return static_cast<bool>(out) && fs::file_size(file) == uint64_t(megabytes) << 20;
}

TEST(DirectoryCloner, ASnapshotsSizeLimitIsEnforcedByTheKernel) {
    LoopBtrfs btrfs;
    if (!btrfs.ready()) GTEST_SKIP() << "no btrfs to test on: " << btrfs.why_not();
    fs::path root = btrfs.mount_point() / "state";
    DirectoryCloner cloner(root, std::nullopt);
    cloner.create_golden(root / "golden");
    make_data_dir(root / "golden");
    cloner.clone(root / "golden", root / "clones" / "limited");
    cloner.clone(root / "golden", root / "clones" / "neighbour");
    ASSERT_TRUE(cloner.limit_size(root / "clones" / "limited", 8 << 20));
    EXPECT_TRUE(cloner.limit_size(root / "clones" / "limited", 8 << 20)) << "idempotent";
    EXPECT_TRUE(write_megabytes(root / "clones" / "limited" / "small", 2)) << "under the limit";
    EXPECT_FALSE(write_megabytes(root / "clones" / "limited" / "big", 40))
        << "40 MiB more went into a clone limited to 8 MiB";
    EXPECT_TRUE(write_megabytes(root / "clones" / "neighbour" / "big", 40))
        << "the neighbour has no limit, and the limited clone's cap is not its";
    EXPECT_FALSE(cloner.limit_size(root / "golden" / "base", 8 << 20)) << "not a subvolume";
    cloner.remove(root / "clones" / "limited");
    cloner.remove(root / "clones" / "neighbour");
    cloner.remove(root / "golden");
}

TEST(DirectoryCloner, ACopyHasNoSizeLimitToSet) {
    TempDir root;
    DirectoryCloner cloner(root.path(), StorageStrategy::Copy);
    cloner.create_golden(root / "golden");
    make_data_dir(root / "golden");
    cloner.clone(root / "golden", root / "t1");
    EXPECT_FALSE(cloner.limit_size(root / "t1", 8 << 20));
}
