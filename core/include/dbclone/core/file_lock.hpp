// An exclusive advisory lock on a file (flock(2)), held for the object's life.
// Used where several processes must not do the same work at once, such as
// building one golden copy.
#pragma once

#include <chrono>
#include <filesystem>

namespace dbclone {

class FileLock {
  public:
    // Creates `path` (mode 0600) if needed and waits until the lock is held, at
    // most `timeout`: then it throws Error(Unavailable) naming the file. A lock
    // is held only by dbclone processes of this state directory (no tenant can
    // reach it), so the deadline is for a peer that hangs, not an attacker.
    explicit FileLock(const std::filesystem::path& path,
                      std::chrono::milliseconds timeout = std::chrono::minutes(10));
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace dbclone
