#include <gtest/gtest.h>
#include <dbclone/core/password.hpp>

#include <set>

TEST(Password, IsLongAlphanumericAndDifferentEachTime) {
    std::set<std::string> seen;
    std::set<char> characters;
    for (int i = 0; i < 200; ++i) {
        auto p = dbclone::generate_password();
        ASSERT_EQ(p.size(), 32u);
        for (char c : p) {
            ASSERT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << p;
            characters.insert(c);
        }
        seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 200u);
    EXPECT_GT(characters.size(), 55u) << "200 x 32 draws should use nearly all 62 characters";
}
