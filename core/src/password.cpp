#include "dbclone/core/password.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "dbclone/core/error.hpp"

namespace dbclone {

std::string generate_password() {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static constexpr size_t alphabet_size = sizeof(alphabet) - 1;  // 62
    // Rejection sampling keeps every character uniform: 248 = 4 * 62.
    static constexpr unsigned limit = 256 - 256 % alphabet_size;
    std::string out;
    while (out.size() < 32) {
        std::array<unsigned char, 64> bytes{};
        ssize_t n = getrandom(bytes.data(), bytes.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::Failed,
                        std::string("getrandom failed: ") + std::strerror(errno));
        }
        for (ssize_t i = 0; i < n && out.size() < 32; ++i)
            if (bytes[i] < limit) out += alphabet[bytes[i] % alphabet_size];
    }
    return out;
}

}  // namespace dbclone
