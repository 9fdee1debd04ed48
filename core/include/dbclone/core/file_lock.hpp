// An exclusive advisory lock on a file (flock(2)), held for the object's life.
// Used where several processes must not do the same work at once, such as
// building one golden copy.
#pragma once

#include <filesystem>

namespace dbclone {

class FileLock {
  public:
    // Creates `path` (mode 0600) if needed and blocks until the lock is held.
    explicit FileLock(const std::filesystem::path& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace dbclone
