#include <gtest/gtest.h>
#include <dbclone/core/plugin_host.hpp>

#include <map>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::TempDir;

namespace {

const std::filesystem::path fixtures = DBCLONE_FIXTURE_PLUGIN_DIR;

// A plugin directory holding copies of the named fixture libraries.
void stage(const TempDir& dir, const std::vector<std::string>& names) {
    for (const auto& n : names)
        std::filesystem::copy_file(fixtures / (n + ".so"), dir / (n + ".so"));
}

PluginHost load(const TempDir& dir, std::map<std::string, std::string> config = {}) {
    PluginLoader loader([config](const std::string& name) {
        auto it = config.find(name);
        return it != config.end() ? it->second : std::string("{}");
    });
    return PluginHost({dir.path()}, loader);
}

// The one refusal line for `file`, or "" when it was not refused.
std::string refusal_of(const PluginHost& host, const TempDir& dir, const std::string& file) {
    std::string prefix = (dir / file).string() + ": ";
    for (const auto& r : host.refusals())
        if (r.rfind(prefix, 0) == 0) return r.substr(prefix.size());
    return "";
}

}  // namespace

TEST(PluginLoader, LoadsAValidCPluginAndDescribesIt) {
    TempDir dir;
    stage(dir, {"fixture_ok"});
    auto host = load(dir);
    ASSERT_EQ(host.plugins().size(), 1u) << (host.refusals().empty() ? "" : host.refusals()[0]);
    const auto& info = host.plugins()[0]->info;
    EXPECT_EQ(info.name, "fixture");
    EXPECT_EQ(info.kind, DBC_KIND_BACKEND);
    EXPECT_EQ(info.version, "0.0.1");
    EXPECT_EQ(info.abi_major, 1u);
    EXPECT_EQ(info.path, dir / "fixture_ok.so");
}

TEST(PluginLoader, RefusesWrongAbiMajorNamingBothVersions) {
    TempDir dir;
    stage(dir, {"fixture_abi99", "fixture_ok"});
    auto host = load(dir);
    EXPECT_EQ(refusal_of(host, dir, "fixture_abi99.so"),
              "incompatible ABI major: plugin ABI 99.3, host ABI 1.3");
    EXPECT_EQ(host.names(DBC_KIND_BACKEND), std::vector<std::string>{"fixture"});
}

TEST(PluginLoader, RefusesNewerAbiMinor) {
    TempDir dir;
    stage(dir, {"fixture_newer_minor"});
    EXPECT_EQ(refusal_of(load(dir), dir, "fixture_newer_minor.so"),
              "plugin needs a newer host: plugin ABI 1.99, host ABI 1.3");
}

TEST(PluginLoader, RefusesLibraryWithoutEntrySymbol) {
    TempDir dir;
    stage(dir, {"fixture_no_entry", "fixture_ok"});
    auto host = load(dir);
    EXPECT_NE(
        refusal_of(host, dir, "fixture_no_entry.so").find("no entry symbol dbc_plugin_entry_v1"),
        std::string::npos);
    EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(PluginLoader, RefusesTruncatedFile) {
    TempDir dir;
    stage(dir, {"fixture_ok"});
    auto size = std::filesystem::file_size(fixtures / "fixture_ok.so");
    std::filesystem::copy_file(fixtures / "fixture_ok.so", dir / "truncated.so");
    std::filesystem::resize_file(dir / "truncated.so", size / 3);
    auto host = load(dir);
    EXPECT_NE(refusal_of(host, dir, "truncated.so").find("not a loadable library"),
              std::string::npos);
    EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(PluginLoader, RefusesDuplicateName) {
    TempDir dir;
    stage(dir, {"fixture_duplicate", "fixture_ok"});
    auto host = load(dir);
    EXPECT_EQ(host.plugins().size(), 1u);
    ASSERT_EQ(host.refusals().size(), 1u);
    EXPECT_EQ(refusal_of(host, dir, "fixture_ok.so"),
              "duplicate plugin name 'fixture' (a plugin of that name is already loaded)");
}

TEST(PluginLoader, RefusesUnknownKindAndMissingRequiredEntry) {
    TempDir dir;
    stage(dir, {"fixture_bad_kind", "fixture_missing_clone"});
    auto host = load(dir);
    EXPECT_EQ(refusal_of(host, dir, "fixture_bad_kind.so"), "unknown plugin kind 42");
    EXPECT_EQ(refusal_of(host, dir, "fixture_missing_clone.so"), "required entry 'clone' is NULL");
    EXPECT_TRUE(host.plugins().empty());
}

TEST(PluginLoader, ValidatesConfigAgainstThePluginsSchema) {
    TempDir dir;
    stage(dir, {"fixture_configured"});
    EXPECT_EQ(refusal_of(load(dir), dir, "fixture_configured.so"),
              "configuration rejected: configured.dsn is required");
    EXPECT_EQ(
        refusal_of(load(dir, {{"configured", R"({"dsn": 5})"}}), dir, "fixture_configured.so"),
        "configuration rejected: configured.dsn must be of type string");
    auto host = load(dir, {{"configured", R"({"dsn": "x"})"}});
    EXPECT_EQ(host.plugins().size(), 1u);
}

TEST(PluginLoader, LibraryOutlivesTheHostWhilePluginIsHeld) {
    TempDir dir;
    stage(dir, {"fixture_ok"});
    std::shared_ptr<LoadedPlugin> kept;
    {
        auto host = load(dir);
        kept = host.plugins()[0];
    }
    // The vtable still points into a mapped library: calling it must work.
    const auto& vtable = std::get<dbc_backend_vtable>(kept->vtable);
    void* handle = nullptr;
    EXPECT_EQ(vtable.create(nullptr, nullptr, &handle, nullptr), DBC_OK);
    vtable.destroy(handle);
}
