#include "dbclone/core/directory_cloner.hpp"

#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <dbclone/file_clone.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "dbclone/core/error.hpp"

namespace fs = std::filesystem;

namespace dbclone {

namespace {

[[noreturn]] void fail(const std::string& what) {
    throw Error(ErrorKind::Failed, what + ": " + std::strerror(errno));
}

bool on_btrfs(const fs::path& p) {
    struct statfs st {};
    return ::statfs(p.c_str(), &st) == 0 && st.f_type == BTRFS_SUPER_MAGIC;
}

bool is_subvolume(const fs::path& p) {
    struct stat st {};
    // A btrfs subvolume's root directory has inode number 256.
    return ::stat(p.c_str(), &st) == 0 && st.st_ino == 256 && on_btrfs(p);
}

// True when FICLONE works between two files in `dir`.
bool reflink_works(const fs::path& dir) {
    fs::path a = dir / ".dbclone-reflink-probe-a", b = dir / ".dbclone-reflink-probe-b";
    std::error_code ec;
    fs::remove(a, ec);
    fs::remove(b, ec);
    { std::ofstream(a) << "probe"; }
    bool works = true;
    try {
        sdk::clone_file(a.string(), b.string(), 0600, sdk::CloneMethod::Reflink);
    } catch (const std::exception&) {
        works = false;
    }
    fs::remove(a, ec);
    fs::remove(b, ec);
    return works;
}

// Runs a btrfs ioctl on the directory `parent`, naming `name` in it.
void subvolume_ioctl(const fs::path& parent, unsigned long request, const std::string& name,
                     int source_fd, const std::string& what) {
    int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open " + parent.string());
    struct btrfs_ioctl_vol_args_v2 args {};
    args.fd = source_fd;
    std::strncpy(args.name, name.c_str(), sizeof(args.name) - 1);
    int rc = ::ioctl(fd, request, &args);
    int saved = errno;
    ::close(fd);
    errno = saved;
    if (rc != 0) fail(what);
}

void create_subvolume(const fs::path& dir) {
    struct btrfs_ioctl_vol_args args {};
    std::strncpy(args.name, dir.filename().c_str(), sizeof(args.name) - 1);
    int fd = ::open(dir.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open " + dir.parent_path().string());
    int rc = ::ioctl(fd, BTRFS_IOC_SUBVOL_CREATE, &args);
    int saved = errno;
    ::close(fd);
    errno = saved;
    if (rc != 0) fail("creating subvolume " + dir.string());
}

void snapshot(const fs::path& golden, const fs::path& target) {
    int source = ::open(golden.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (source < 0) fail("open " + golden.string());
    try {
        subvolume_ioctl(target.parent_path(), BTRFS_IOC_SNAP_CREATE_V2, target.filename().string(),
                        source, "snapshotting " + golden.string());
    } catch (...) {
        ::close(source);
        throw;
    }
    ::close(source);
}

// Copies one directory tree file by file, keeping modes and owners (a server's
// data directory must stay its user's, mode 0700).
void copy_tree(const fs::path& from, const fs::path& to, sdk::CloneMethod method) {
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0) fail("stat " + from.string());
    if (::mkdir(to.c_str(), st.st_mode & 07777) != 0) fail("mkdir " + to.string());
    if (::lchown(to.c_str(), st.st_uid, st.st_gid) != 0) fail("chown " + to.string());
    for (const auto& entry : fs::directory_iterator(from)) {
        fs::path source = entry.path(), target = to / entry.path().filename();
        struct stat s {};
        if (::lstat(source.c_str(), &s) != 0) fail("stat " + source.string());
        if (S_ISDIR(s.st_mode)) {
            copy_tree(source, target, method);
            continue;
        }
        if (S_ISLNK(s.st_mode)) {
            fs::copy_symlink(source, target);
        } else if (S_ISREG(s.st_mode)) {
            sdk::clone_file(source.string(), target.string(), s.st_mode & 07777, method);
            ::chmod(target.c_str(), s.st_mode & 07777);  // past the umask
        } else {
            continue;  // sockets and pipes of a stopped server are not data
        }
        if (::lchown(target.c_str(), s.st_uid, s.st_gid) != 0) fail("chown " + target.string());
    }
    ::chmod(to.c_str(), st.st_mode & 07777);
}

}  // namespace

std::string storage_strategy_name(StorageStrategy s) {
    switch (s) {
        case StorageStrategy::BtrfsSnapshot:
            return "btrfs_snapshot";
        case StorageStrategy::Reflink:
            return "reflink";
        case StorageStrategy::Copy:
            break;
    }
    return "copy";
}

std::optional<StorageStrategy> parse_storage_strategy(const std::string& text) {
    if (text.empty() || text == "auto") return std::nullopt;
    if (text == "btrfs_snapshot") return StorageStrategy::BtrfsSnapshot;
    if (text == "reflink") return StorageStrategy::Reflink;
    if (text == "copy") return StorageStrategy::Copy;
    throw Error(
        ErrorKind::InvalidInput,
        "storage strategy \"" + text + "\" is not one of auto, btrfs_snapshot, reflink, copy");
}

DirectoryCloner::DirectoryCloner(const fs::path& root, std::optional<StorageStrategy> forced) {
    fs::create_directories(root);
    bool btrfs = on_btrfs(root);
    bool reflink = reflink_works(root);
    if (forced) {
        if (*forced == StorageStrategy::BtrfsSnapshot && !btrfs)
            throw Error(ErrorKind::InvalidInput, "storage strategy btrfs_snapshot needs btrfs; " +
                                                     root.string() + " is not on btrfs");
        if (*forced == StorageStrategy::Reflink && !reflink)
            throw Error(ErrorKind::InvalidInput,
                        "storage strategy reflink needs FICLONE; the filesystem of " +
                            root.string() + " lacks it");
        strategy_ = *forced;
        return;
    }
    strategy_ = btrfs     ? StorageStrategy::BtrfsSnapshot
                : reflink ? StorageStrategy::Reflink
                          : StorageStrategy::Copy;
}

void DirectoryCloner::create_golden(const fs::path& dir) const {
    if (strategy_ == StorageStrategy::BtrfsSnapshot)
        create_subvolume(dir);
    else if (::mkdir(dir.c_str(), 0755) != 0)
        fail("mkdir " + dir.string());
}

void DirectoryCloner::clone(const fs::path& golden, const fs::path& target) const {
    if (fs::exists(target)) throw Error(ErrorKind::Conflict, target.string() + " exists already");
    fs::create_directories(target.parent_path());
    try {
        if (strategy_ == StorageStrategy::BtrfsSnapshot && is_subvolume(golden))
            snapshot(golden, target);
        else
            copy_tree(golden, target,
                      strategy_ == StorageStrategy::Copy ? sdk::CloneMethod::Copy
                                                         : sdk::CloneMethod::Auto);
    } catch (...) {
        remove(target);
        throw;
    }
}

bool DirectoryCloner::limit_size(const fs::path& dir, uint64_t bytes) const {
    if (!is_subvolume(dir)) return false;
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open " + dir.string());
    // Enabling is idempotent. It is the filesystem's, not the subvolume's:
    // every subvolume gets a qgroup, which costs btrfs some bookkeeping on
    // each snapshot and delete (docs/decisions.md).
    struct btrfs_ioctl_quota_ctl_args quota {};
    quota.cmd = BTRFS_QUOTA_CTL_ENABLE;
    int rc = ::ioctl(fd, BTRFS_IOC_QUOTA_CTL, &quota);
    std::string what = "enabling btrfs quotas for " + dir.string();
    if (rc == 0) {
        // qgroupid 0: the qgroup of the subvolume `fd` is in. Referenced
        // bytes count what the clone shares with its golden copy too, as the
        // database's own size does.
        struct btrfs_ioctl_qgroup_limit_args limit {};
        limit.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
        limit.lim.max_rfer = bytes;
        rc = ::ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &limit);
        what = "setting a qgroup limit of " + std::to_string(bytes) + " bytes on " + dir.string();
    }
    int saved = errno;
    ::close(fd);
    errno = saved;
    if (rc != 0) fail(what);
    return true;
}

void DirectoryCloner::remove(const fs::path& dir) const {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return;
    if (is_subvolume(dir)) {
        // Deleting a subvolume removes its whole tree at once.
        struct btrfs_ioctl_vol_args args {};
        std::strncpy(args.name, dir.filename().c_str(), sizeof(args.name) - 1);
        int fd = ::open(dir.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) fail("open " + dir.parent_path().string());
        int rc = ::ioctl(fd, BTRFS_IOC_SNAP_DESTROY, &args);
        int saved = errno;
        ::close(fd);
        errno = saved;
        if (rc != 0) fail("deleting subvolume " + dir.string());
        return;
    }
    // A process that is still ending (a killed initdb's bootstrap backend, a
    // server that got its signal) may remove or add files while the tree is
    // walked: that race is retried for up to 5 s.
    for (int attempt = 1;; ++attempt) {
        fs::remove_all(dir, ec);
        bool raced =
            ec == std::errc::no_such_file_or_directory || ec == std::errc::directory_not_empty;
        if (!ec || !raced || attempt == 50) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (ec) throw Error(ErrorKind::Failed, "cannot remove " + dir.string() + ": " + ec.message());
}

}  // namespace dbclone
