// A full disk under the state directory (a small tmpfs of the test's own): a
// create that fails there undoes itself completely, though its undo needs to
// write, and the error says what was short and where.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>

#include <fstream>
#include <memory>

#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// A tmpfs of `megabytes` mounted on a directory of its own, unmounted at the end.
class SmallDisk {
  public:
    explicit SmallDisk(int megabytes) {
        std::string options = "size=" + std::to_string(megabytes) + "m,mode=0711";
        mounted_ = ::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
    }
    bool mounted() const { return mounted_; }
    std::filesystem::path path() const { return dir_.path(); }

    // Writes `file` until the disk has no byte left.
    void fill(const std::filesystem::path& file) const {
        std::ofstream out(file, std::ios::binary);
        std::string block(64 << 10, 'x');
        while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) out.flush();
        std::string byte(1, 'x');
        out.clear();
        while (out.write(byte.data(), 1)) out.flush();
    }

  private:
    TempDir dir_;
    bool mounted_ = false;
};

// An 8 MiB disk with a state directory on it.
struct FullDisk : ::testing::Test {
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root";
        ASSERT_TRUE(disk.mounted()) << "mount tmpfs failed";
    }
    SmallDisk disk{8};
    std::filesystem::path state = disk.path() / "state";
};

// An engine on the disk with one tenant, "first".
struct FullDiskWithATenant : FullDisk {
    void SetUp() override {
        FullDisk::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        engine = std::make_unique<Engine>(test_config(state));
        Cloner(*engine).create({"first", "sqlite", "", ""});
    }
    std::unique_ptr<Engine> engine;
};

}  // namespace

TEST_F(FullDiskWithATenant, AFailedCreateUndoesItselfAndTheRegistryStaysUsable) {
    Engine& engine = *this->engine;
    ASSERT_TRUE(std::filesystem::exists(state / "dbclone.reserve"));

    // The disk fills up after the row was written: undoing the row needs room.
    auto filler = disk.path() / "filler";
    auto inject = [&](const std::string& step, auto) {
        if (step == "golden copy") {
            disk.fill(filler);
            throw Error(ErrorKind::Unavailable, "injected: the disk is full");
        }
    };
    EXPECT_THROW(Cloner(engine).create({"second", "sqlite", "", ""}, inject), Error);
    EXPECT_FALSE(engine.registry().find_clone("second")) << "the failed create left its row";
    EXPECT_EQ(engine.registry().clones().size(), 1u);
    EXPECT_EQ(files_below(state / "plugins/sqlite/clones"),
              std::vector<std::string>{"tenant_first_db.sqlite"});

    // With nothing left at all (the reserve is spent), a create fails at its
    // first write and says where the disk is full.
    disk.fill(filler.string() + ".2");
    try {
        Cloner(engine).create({"third", "sqlite", "", ""});
        ADD_FAILURE() << "created a tenant on a full disk";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << e.what();
        std::string message = e.what();
        EXPECT_NE(message.find(state.string()), std::string::npos) << message;
    }
    EXPECT_FALSE(engine.registry().find_clone("third"));

    // Room again: the reserve is made anew, and creates work.
    std::filesystem::remove(filler);
    std::filesystem::remove(filler.string() + ".2");
    Engine again(test_config(state));
    EXPECT_TRUE(std::filesystem::exists(state / "dbclone.reserve"));
    EXPECT_NO_THROW(Cloner(again).create({"fourth", "sqlite", "", ""}));
}

// Room for the registry's row but not for the tenant's file: the copy fails,
// the error names the file it could not write and says the disk is full, and
// the create leaves nothing.
TEST_F(FullDiskWithATenant, ACopyThatRunsOutOfSpaceNamesItsTarget) {
    Engine& engine = *this->engine;
    auto gap = disk.path() / "gap";
    std::ofstream(gap, std::ios::binary) << std::string(48 << 10, 'x');
    disk.fill(disk.path() / "filler");
    std::filesystem::remove(gap);
    try {
        Cloner(engine).create({"second", "sqlite", "", ""});
        ADD_FAILURE() << "an 88 KB file fit in 48 KB";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << message;
        EXPECT_NE(message.find("tenant_second_db.sqlite"), std::string::npos) << message;
        EXPECT_NE(message.find("No space left"), std::string::npos) << message;
    }
    EXPECT_FALSE(engine.registry().find_clone("second"));
    EXPECT_EQ(files_below(state / "plugins/sqlite/clones"),
              std::vector<std::string>{"tenant_first_db.sqlite"});
}

// With no byte free, reads still work: opening the registry needs room for its
// -wal and -shm files, which the reserve gives.
TEST_F(FullDisk, ListAndStatusWorkWithNoByteFree) {
    std::vector<std::string> at{"--state-dir", state.string(), "--plugin-dir", DBCLONE_PLUGIN_DIR};
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), at.begin(), at.end());
        return run_dbclone(args);
    };
    ASSERT_EQ(run({"create", "t1", "sqlite"}).exit_code, 0);
    disk.fill(disk.path() / "filler");
    auto list = run({"list"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_NE(list.out.find("t1"), std::string::npos) << list.out;
    auto status = run({"status", "t1"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
}
