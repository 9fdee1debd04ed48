#include "file_clone.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/sdk.hpp>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace dbclone::sqlite_backend {

namespace {

// Closes a descriptor on every path out of a function.
struct Fd {
    int fd;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

[[noreturn]] void fail(const std::string& what, int err) {
    throw sdk::Failure(err == EEXIST ? DBC_CONFLICT : DBC_ERROR, what + ": " + std::strerror(err));
}

void copy_range(int in, int out, const std::string& from) {
    struct stat st {};
    if (::fstat(in, &st) != 0) fail("stat " + from, errno);
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("copy " + from, n < 0 ? errno : EIO);
        left -= n;
    }
}

}  // namespace

CloneMethod parse_clone_method(const std::string& text) {
    if (text == "auto") return CloneMethod::Auto;
    if (text == "reflink") return CloneMethod::Reflink;
    if (text == "copy") return CloneMethod::Copy;
    throw std::invalid_argument("clone_method must be auto, reflink or copy, not " + text);
}

std::string clone_file(const std::string& from, const std::string& to, unsigned mode,
                       CloneMethod method) {
    Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) fail("open " + from, errno);
    Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (out.fd < 0) fail("create " + to, errno);
    try {
        if (method != CloneMethod::Copy) {
            if (::ioctl(out.fd, FICLONE, in.fd) == 0) return "reflink";
            if (method == CloneMethod::Reflink) fail("reflink " + from + " to " + to, errno);
        }
        copy_range(in.fd, out.fd, from);
        return "copy";
    } catch (...) {
        ::unlink(to.c_str());
        throw;
    }
}

}  // namespace dbclone::sqlite_backend
