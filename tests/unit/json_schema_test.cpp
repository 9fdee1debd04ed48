#include <gtest/gtest.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/json.hpp>
#include <dbclone/core/json_schema.hpp>

using namespace dbclone;

namespace {
const char* schema = R"({"type":"object","required":["dsn"],
  "properties":{"dsn":{"type":"string"},"mode":{"enum":["a","b"]},"n":{"type":"integer"}},
  "additionalProperties":false})";

std::optional<std::string> check(const char* value) {
    return schema_violation(json::parse(value, "value"), json::parse(schema, "schema"), "cfg");
}
}  // namespace

TEST(JsonSchema, AcceptsConformingConfig) {
    EXPECT_EQ(check(R"({"dsn":"x"})"), std::nullopt);
    EXPECT_EQ(check(R"({"dsn":"x","mode":"b","n":3})"), std::nullopt);
}

TEST(JsonSchema, NamesTheViolation) {
    EXPECT_EQ(check(R"({})"), "cfg.dsn is required");
    EXPECT_EQ(check(R"({"dsn":1})"), "cfg.dsn must be of type string");
    EXPECT_EQ(check(R"({"dsn":"x","mode":"c"})"), R"(cfg.mode must be one of ["a","b"])");
    EXPECT_EQ(check(R"({"dsn":"x","extra":1})"), "cfg.extra is not a known setting");
    EXPECT_EQ(check(R"({"dsn":"x","n":1.5})"), "cfg.n must be of type integer");
    EXPECT_EQ(check(R"([])"), "cfg must be of type object");
}

// Attack: input nested a million deep (a config file, a manifest, an API body)
// once crashed the program's recursive parser. It is now an error naming the
// depth, and a document at the limit still parses.
TEST(JsonParse, RefusesNestingDeeperThanTheLimitWithoutCrashing) {
    for (const char* open : {"[", "{\"a\":"}) {
        std::string deep;
        for (int i = 0; i < 1000000; ++i) deep += open;
        try {
            json::parse(deep, "the body");
            ADD_FAILURE() << "accepted a million levels of " << open;
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
            EXPECT_NE(std::string(e.what()).find("nested deeper than 100"), std::string::npos)
                << e.what();
        }
    }
    std::string at_limit =
        std::string(json::max_nesting, '[') + std::string(json::max_nesting, ']');
    EXPECT_NO_THROW(json::parse(at_limit, "the body"));
    // Brackets inside strings do not count.
    EXPECT_NO_THROW(json::parse("[\"" + std::string(500, '[') + "\"]", "the body"));
}
