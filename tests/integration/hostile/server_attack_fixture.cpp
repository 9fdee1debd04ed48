#include "server_attack_fixture.hpp"

#include <unistd.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/reconciler.hpp>

namespace dbclone::testing {

std::string unique(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

void ServerAttackFixture::TearDown() {
    if (!engine_) return;
    for (const auto& row : engine_->registry().clones()) {
        try {
            Cloner(*engine_).remove(row.tenant_id);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "cleanup of " << row.tenant_id << ": " << e.what();
        }
    }
    for (const auto& version : versions_) drop_golden(shared_golden_name(*engine_, version));
}

Engine& ServerAttackFixture::eng() {
    if (!engine_) {
        Config c = server_test_config(state.path(), backend_, admin_url());
        c.roots_dir = roots.dir();
        c.plugin_settings[backend_] = R"({"url": ")" + admin_url() + "\"" + plugin_settings + "}";
        engine_ = std::make_unique<Engine>(c);
    }
    return *engine_;
}

std::string ServerAttackFixture::root(const std::string& tag, const std::string& sql) {
    versions_.push_back(unique_version(tag));
    return roots.add(versions_.back(), {{backend_, sql}});
}

CloneRecord ServerAttackFixture::create(const std::string& id, const std::string& version) {
    return Cloner(eng()).create({id, backend_, version, ""});
}

void ServerAttackFixture::expect_provisioning_within(std::chrono::seconds limit) {
    auto start = std::chrono::steady_clock::now();
    std::string version = root("afterlock", "CREATE TABLE t (x INT);");
    EXPECT_NO_THROW(create(unique("built"), version));
    EXPECT_NO_THROW(create(unique("cloned")));
    EXPECT_LT(std::chrono::steady_clock::now() - start, limit);
}

void ServerAttackFixture::expect_build_gives_up(const std::string& version,
                                                std::chrono::seconds limit) {
    auto start = std::chrono::steady_clock::now();
    try {
        create(unique("waits"), version);
        ADD_FAILURE() << "built while the lock was held";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("build lock"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, limit);
}

void ServerAttackFixture::expect_roots_refused(
    const std::vector<std::pair<std::string, std::string>>& escapes,
    const std::string& secret_text) {
    for (const auto& [tag, sql] : escapes) {
        std::string version = root("esc" + tag, sql);
        std::string id = unique("t_" + tag);
        try {
            create(id, version);
            ADD_FAILURE() << "root " << tag << " was loaded";
        } catch (const Error& e) {
            std::string message = e.what();
            EXPECT_NE(message.find("loading root file"), std::string::npos)
                << tag << ": " << message;
            EXPECT_EQ(message.find(secret_text), std::string::npos)
                << "quotes the file: " << message;
        }
        EXPECT_FALSE(eng().registry().find_clone(id)) << tag;
    }
}

void ServerAttackFixture::expect_another_installation_refused(const std::string& id) {
    TempDir other_state;
    Engine other(server_test_config(other_state.path(), backend_, admin_url()));
    try {
        Cloner(other).create({id, backend_, "v1.0", ""});
        ADD_FAILURE() << "the other installation took an existing tenant's database";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Conflict) << e.what();
    }
    auto report = Reconciler(other).run();
    for (const auto& action : report.actions) ADD_FAILURE() << "other's reconcile: " << action;
}

}  // namespace dbclone::testing
