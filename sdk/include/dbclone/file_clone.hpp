// Copies a file as cheaply as its filesystem allows (header-only, Linux): a
// reflink (FICLONE shares the blocks until either copy is written, on btrfs and
// XFS) or, where that is impossible, copy_file_range (in-kernel, no user-space
// buffer). For plugins that clone files: SQLite databases, InnoDB tablespaces.
#ifndef DBCLONE_FILE_CLONE_HPP
#define DBCLONE_FILE_CLONE_HPP

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/sdk.hpp>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace dbclone::sdk {

enum class CloneMethod { Auto, Reflink, Copy };

// Parses "auto", "reflink" or "copy"; throws std::invalid_argument otherwise.
inline CloneMethod parse_clone_method(const std::string& text) {
    if (text == "auto") return CloneMethod::Auto;
    if (text == "reflink") return CloneMethod::Reflink;
    if (text == "copy") return CloneMethod::Copy;
    throw std::invalid_argument("clone method must be auto, reflink or copy, not " + text);
}

namespace detail {

// Closes a descriptor on every path out of a function.
struct Descriptor {
    int fd;
    explicit Descriptor(int f) : fd(f) {}
    ~Descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// A full disk is a resource that is unavailable (exit 5), and says so.
[[noreturn]] inline void file_failure(const std::string& what, int err) {
    dbc_rc code = err == EEXIST                      ? DBC_CONFLICT
                  : (err == ENOSPC || err == EDQUOT) ? DBC_UNAVAILABLE
                                                     : DBC_ERROR;
    throw Failure(code, what + ": " + std::strerror(err));
}

inline void copy_range(int in, int out, const std::string& from, const std::string& to) {
    struct stat st {};
    if (::fstat(in, &st) != 0) file_failure("stat " + from, errno);
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
        if (n < 0 && errno == EINTR) continue;
        // The target is where the space or the fault is, so the message names it.
        if (n <= 0) file_failure("copy " + from + " to " + to, n < 0 ? errno : EIO);
        left -= n;
    }
}

}  // namespace detail

// Creates `to` (it must not exist: that is DBC_CONFLICT) with `mode` and fills it
// with `from`'s contents. Returns "reflink" or "copy". On failure removes `to`
// and throws sdk::Failure.
inline std::string clone_file(const std::string& from, const std::string& to, unsigned mode,
                              CloneMethod method) {
    detail::Descriptor in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) detail::file_failure("open " + from, errno);
    detail::Descriptor out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (out.fd < 0) detail::file_failure("create " + to, errno);
    try {
        if (method != CloneMethod::Copy) {
            if (::ioctl(out.fd, FICLONE, in.fd) == 0) return "reflink";
            if (method == CloneMethod::Reflink)
                detail::file_failure("reflink " + from + " to " + to, errno);
        }
        detail::copy_range(in.fd, out.fd, from, to);
        return "copy";
    } catch (...) {
        ::unlink(to.c_str());
        throw;
    }
}

}  // namespace dbclone::sdk

#endif  // DBCLONE_FILE_CLONE_HPP
