// Seals secrets (tenant passwords) before they are written to the registry, with
// a key kept in a file of its own beside it. The registry is a SQLite file, so
// a SQLite tenant's SQL can ATTACH it; the key file is not a database, and no
// SQL function of SQLite's, PostgreSQL's or MariaDB's that a tenant may call
// reads an arbitrary file, so what a tenant can read of the registry is
// ciphertext. See docs/decisions.md ("Passwords are sealed").
//
// The construction is HMAC-SHA-256 throughout (no crypto library is a
// dependency): encryption and MAC keys derived from the 32-byte master key, a
// keystream of HMAC(enc, nonce || counter), and encrypt-then-MAC with a 32-byte
// tag over the nonce and the ciphertext.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace dbclone {

class SecretBox {
  public:
    // The key lives in `key_file` (mode 0600), made from getrandom(2) on the
    // first seal.
    explicit SecretBox(std::filesystem::path key_file);

    // "sealed1:" then hex of nonce (16 bytes), ciphertext and tag (32 bytes).
    std::string seal(std::string_view plain);
    // The plain text of `sealed`; throws Error(Failed) naming the key file when
    // the key is missing or the text was not sealed with it (or was changed).
    std::string open(std::string_view sealed);
    static bool is_sealed(std::string_view text);

    const std::filesystem::path& key_file() const { return key_file_; }

  private:
    using Key = std::array<uint8_t, 32>;
    const Key& master(bool create);

    std::filesystem::path key_file_;
    std::optional<Key> master_;
    Key enc_{};
    Key mac_{};
};

}  // namespace dbclone
