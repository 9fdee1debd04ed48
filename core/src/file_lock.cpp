#include "dbclone/core/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "dbclone/core/error.hpp"

namespace dbclone {

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0)
        throw Error(ErrorKind::Failed,
                    "cannot open lock file " + path.string() + ": " + std::strerror(errno));
    // flock has no timeout of its own: poll, backing off from 1 ms to 50 ms.
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        if (saved == EINTR) continue;
        if (saved == EWOULDBLOCK && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(pause);
            pause = std::min(pause * 2, std::chrono::milliseconds(50));
            continue;
        }
        ::close(fd_);
        fd_ = -1;
        if (saved == EWOULDBLOCK)
            throw Error(ErrorKind::Unavailable,
                        "waited " + std::to_string(timeout.count() / 1000) + " s for lock file " +
                            path.string() + ", held by another dbclone process; try again later");
        throw Error(ErrorKind::Failed,
                    "cannot lock " + path.string() + ": " + std::strerror(saved));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace dbclone
