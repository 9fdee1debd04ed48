// Clones golden data directories (a stopped server's whole data directory)
// for dedicated placements, as cheaply as the state directory's filesystem
// allows, best first:
//   btrfs_snapshot  the golden copy is a btrfs subvolume; a clone is a snapshot
//                   of it (constant time, whatever the size);
//   reflink         every file is cloned with FICLONE (btrfs, XFS): shared blocks,
//                   time grows with the number of files, not their bytes;
//   copy            every file is copied with copy_file_range.
// The strategy is detected once, from the filesystem, unless config forces one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace dbclone {

enum class StorageStrategy { BtrfsSnapshot, Reflink, Copy };

std::string storage_strategy_name(StorageStrategy s);
// Parses "auto" (nullopt), "btrfs_snapshot", "reflink" or "copy"; throws
// Error(InvalidInput) naming the value and what is allowed.
std::optional<StorageStrategy> parse_storage_strategy(const std::string& text);

class DirectoryCloner {
  public:
    // Detects the best strategy for `root` (a directory on the filesystem that
    // will hold golden copies and clones), or uses `forced`; throws
    // Error(InvalidInput) when a forced strategy cannot work there.
    DirectoryCloner(const std::filesystem::path& root, std::optional<StorageStrategy> forced);

    StorageStrategy strategy() const { return strategy_; }

    // An empty directory to build a golden copy in: a subvolume for snapshots.
    void create_golden(const std::filesystem::path& dir) const;
    // `target` (which must not exist) becomes a copy of `golden`, owners and
    // modes kept.
    void clone(const std::filesystem::path& golden, const std::filesystem::path& target) const;
    // Caps the bytes the clone `dir` may reference at `bytes`, enforced by the
    // kernel: a btrfs qgroup limit on its subvolume, after enabling quotas on
    // the filesystem (writes past it fail with EDQUOT). Returns false, changing
    // nothing, when `dir` is not a subvolume (reflink and copy clones, whose
    // size is measured instead); throws Error(Failed) when the kernel refuses.
    bool limit_size(const std::filesystem::path& dir, uint64_t bytes) const;
    // Removes a golden copy or clone made here, subvolume or not. Idempotent.
    void remove(const std::filesystem::path& dir) const;

  private:
    StorageStrategy strategy_;
};

}  // namespace dbclone
