#include "golden_lifecycle.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/golden_copy_cache.hpp>
#include <dbclone/plugin_helpers.hpp>

#include "test_support.hpp"

namespace dbclone::testing {

void expect_gc_removes_unused_golden(Config config, RootImages& roots, const std::string& type,
                                     const std::string& file,
                                     const std::function<bool(const std::string&)>& exists) {
    std::string version = roots.add(unique_version("gc"),
                                    {{type, sdk::read_text_file(std::string(DBCLONE_SOURCE_DIR) +
                                                                "/config/roots/v1.0/" + file)}});
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string id = "gc_" + std::to_string(::getpid());
    Cloner(engine).create({id, type, version, ""});
    auto golden = engine.registry().find_golden(type, version, "shared");
    ASSERT_TRUE(golden);
    EXPECT_TRUE(exists(golden->location)) << golden->location;
    EXPECT_TRUE(GoldenCopyCache(engine).collect_garbage(false).empty()) << "a tenant uses it";
    // A second installation on the same server, with a root of the same
    // version name: a golden copy of its own, which the first's gc leaves.
    TempDir other_state;
    Config other_config = config;
    other_config.state_dir = other_state.path();
    Engine other(other_config);
    // (Tenant names are the server's: its tenant needs an id of its own.)
    Cloner(other).create({id + "_other", type, version, ""});
    Cloner(other).remove(id + "_other");
    auto theirs = other.registry().find_golden(type, version, "shared");
    ASSERT_TRUE(theirs);
    EXPECT_NE(theirs->location, golden->location) << "two installations share a golden copy";
    Cloner(engine).remove(id);
    auto removed = GoldenCopyCache(engine).collect_garbage(false);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].location, golden->location);
    EXPECT_FALSE(exists(golden->location)) << golden->location << " is still on the server";
    EXPECT_TRUE(exists(theirs->location)) << "one installation's gc removed the other's";
    EXPECT_EQ(GoldenCopyCache(other).collect_garbage(false).size(), 1u);
    EXPECT_FALSE(exists(theirs->location));
    EXPECT_FALSE(engine.registry().find_golden(type, version, "shared"));
    Cloner(engine).create({id, type, version, ""});  // builds it again
    EXPECT_TRUE(exists(golden->location));
    Cloner(engine).remove(id);
    EXPECT_EQ(GoldenCopyCache(engine).collect_garbage(false).size(), 1u);
}

}  // namespace dbclone::testing
