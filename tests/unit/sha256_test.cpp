#include <gtest/gtest.h>
#include <dbclone/sha256.hpp>

using dbclone::sdk::Sha256;

// Test vectors from FIPS 180-4 / NIST.
TEST(Sha256, MatchesKnownVectors) {
    EXPECT_EQ(Sha256::of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Sha256::of("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(Sha256::of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(Sha256::of(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShot) {
    std::string text(1000, 'x');
    Sha256 h;
    for (size_t i = 0; i < text.size(); i += 7) h.update(std::string_view(text).substr(i, 7));
    EXPECT_EQ(h.hex(), Sha256::of(text));
}
