#include "dbclone/core/secret_box.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/sha256.hpp>

#include <cerrno>
#include <cstring>
#include <vector>

#include "dbclone/core/error.hpp"

namespace dbclone {

namespace {

constexpr std::string_view prefix = "sealed1:";
constexpr size_t nonce_size = 16;
constexpr size_t tag_size = 32;
using Bytes = std::vector<uint8_t>;

std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// HMAC-SHA-256 (RFC 2104) with a 32-byte key.
sdk::Sha256::Digest hmac(const std::array<uint8_t, 32>& key, std::string_view message) {
    std::array<uint8_t, 64> inner{}, outer{};
    for (size_t i = 0; i < 64; ++i) {
        uint8_t k = i < key.size() ? key[i] : 0;
        inner[i] = k ^ 0x36;
        outer[i] = k ^ 0x5c;
    }
    auto first = sdk::Sha256().update(as_text(inner.data(), 64)).update(message).digest();
    return sdk::Sha256()
        .update(as_text(outer.data(), 64))
        .update(as_text(first.data(), first.size()))
        .digest();
}

// XORs `data` with the keystream HMAC(enc, nonce || be32(block)).
void apply_keystream(const std::array<uint8_t, 32>& enc, const uint8_t* nonce, Bytes& data) {
    for (size_t offset = 0, block = 0; offset < data.size(); offset += 32, ++block) {
        std::string input(as_text(nonce, nonce_size));
        for (int shift = 24; shift >= 0; shift -= 8)
            input += static_cast<char>((block >> shift) & 0xff);
        auto stream = hmac(enc, input);
        for (size_t i = 0; i < 32 && offset + i < data.size(); ++i) data[offset + i] ^= stream[i];
    }
}

sdk::Sha256::Digest tag_of(const std::array<uint8_t, 32>& mac, const uint8_t* nonce,
                           const Bytes& ciphertext) {
    std::string input(as_text(nonce, nonce_size));
    input.append(as_text(ciphertext.data(), ciphertext.size()));
    return hmac(mac, input);
}

void random_bytes(uint8_t* out, size_t size) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = getrandom(out + done, size - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(ErrorKind::Failed,
                        std::string("getrandom failed: ") + std::strerror(errno));
        }
        done += static_cast<size_t>(n);
    }
}

std::string to_hex(const uint8_t* data, size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < size; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xf];
    }
    return out;
}

std::optional<Bytes> from_hex(std::string_view text) {
    if (text.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    Bytes out;
    for (size_t i = 0; i < text.size(); i += 2) {
        int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
    return out;
}

// Reads exactly 32 bytes from a regular file that only its owner may read.
std::optional<std::array<uint8_t, 32>> read_key(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw Error(ErrorKind::Failed,
                    "cannot read key file " + file.string() + ": " + std::strerror(errno));
    }
    std::array<uint8_t, 32> key{};
    struct stat st {};
    ssize_t n = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 32
                    ? ::read(fd, key.data(), key.size())
                    : -1;
    ::close(fd);
    if (n != 32)
        throw Error(ErrorKind::Failed, "key file " + file.string() +
                                           " is not a 32-byte regular file; restore it from a "
                                           "backup of the state directory");
    return key;
}

// Writes a new key under a temporary name and links it into place, so a
// reader never sees half a key and two processes agree on one (the loser of
// link(2) reads the winner's).
void create_key(const std::filesystem::path& file) {
    std::array<uint8_t, 32> key{};
    random_bytes(key.data(), key.size());
    auto temp = file.string() + ".new." + std::to_string(::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        throw Error(ErrorKind::Failed,
                    "cannot create key file " + temp + ": " + std::strerror(errno));
    bool written = ::write(fd, key.data(), key.size()) == 32 && ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (written && ::link(temp.c_str(), file.c_str()) != 0 && errno != EEXIST) {
        saved = errno;
        written = false;
    }
    ::unlink(temp.c_str());
    if (!written)
        throw Error(ErrorKind::Failed,
                    "cannot write key file " + file.string() + ": " + std::strerror(saved));
}

}  // namespace

SecretBox::SecretBox(std::filesystem::path key_file) : key_file_(std::move(key_file)) {}

bool SecretBox::is_sealed(std::string_view text) {
    return text.substr(0, prefix.size()) == prefix;
}

const SecretBox::Key& SecretBox::master(bool create) {
    if (master_) return *master_;
    auto key = read_key(key_file_);
    if (!key && create) {
        create_key(key_file_);
        key = read_key(key_file_);
    }
    if (!key)
        throw Error(ErrorKind::Failed, "key file " + key_file_.string() +
                                           " is missing, so the registry's passwords cannot be "
                                           "read; restore it from a backup of the state directory");
    master_ = key;
    enc_ = hmac(*master_, "dbclone secret box v1: encryption");
    mac_ = hmac(*master_, "dbclone secret box v1: authentication");
    return *master_;
}

std::string SecretBox::seal(std::string_view plain) {
    master(true);
    std::array<uint8_t, nonce_size> nonce{};
    random_bytes(nonce.data(), nonce.size());
    Bytes data(plain.begin(), plain.end());
    apply_keystream(enc_, nonce.data(), data);
    auto tag = tag_of(mac_, nonce.data(), data);
    return std::string(prefix) + to_hex(nonce.data(), nonce.size()) +
           to_hex(data.data(), data.size()) + to_hex(tag.data(), tag.size());
}

std::string SecretBox::open(std::string_view sealed) {
    auto bytes = is_sealed(sealed) ? from_hex(sealed.substr(prefix.size())) : std::nullopt;
    if (!bytes || bytes->size() < nonce_size + tag_size)
        throw Error(ErrorKind::Failed, "a sealed secret in the registry is malformed");
    master(false);
    const uint8_t* nonce = bytes->data();
    Bytes data(bytes->begin() + nonce_size, bytes->end() - tag_size);
    auto tag = tag_of(mac_, nonce, data);
    // Constant time: no early exit on the first differing byte.
    uint8_t diff = 0;
    for (size_t i = 0; i < tag_size; ++i) diff |= tag[i] ^ (*bytes)[bytes->size() - tag_size + i];
    if (diff != 0)
        throw Error(ErrorKind::Failed, "a sealed secret in the registry does not match key file " +
                                           key_file_.string() +
                                           " (another installation's key, or changed)");
    apply_keystream(enc_, nonce, data);
    return {data.begin(), data.end()};
}

}  // namespace dbclone
