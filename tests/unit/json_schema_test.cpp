#include <gtest/gtest.h>
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
