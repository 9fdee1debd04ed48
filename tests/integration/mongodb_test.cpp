// The MongoDB backend against FerretDB (scripts/services.sh), and against a
// MongoDB with authorization when DBCLONE_TEST_MONGODB_URI names one.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/sha256.hpp>

#include <future>
#include <map>

#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

// A client outside dbclone, for inspecting what it made.
class Inspector {
  public:
    explicit Inspector(const std::string& uri) {
        mongoc_init();
        client_ = mongoc_client_new(uri.c_str());
    }
    ~Inspector() { mongoc_client_destroy(client_); }

    // collection -> {count, sha256 of every document in _id order}
    std::map<std::string, std::pair<long, std::string>> contents(const std::string& db) {
        std::map<std::string, std::pair<long, std::string>> out;
        for (const auto& name : collections(db)) {
            mongoc_collection_t* c =
                mongoc_client_get_collection(client_, db.c_str(), name.c_str());
            bson_t filter = BSON_INITIALIZER;
            bson_t* opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
            mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(c, &filter, opts, nullptr);
            sdk::Sha256 hash;
            long count = 0;
            const bson_t* doc = nullptr;
            while (mongoc_cursor_next(cursor, &doc)) {
                char* json = bson_as_canonical_extended_json(doc, nullptr);
                hash.update(json).update("\n");
                bson_free(json);
                ++count;
            }
            mongoc_cursor_destroy(cursor);
            bson_destroy(opts);
            mongoc_collection_destroy(c);
            out[name] = {count, hash.hex()};
        }
        return out;
    }

    std::vector<std::string> collections(const std::string& db) {
        mongoc_database_t* d = mongoc_client_get_database(client_, db.c_str());
        char** names = mongoc_database_get_collection_names_with_opts(d, nullptr, nullptr);
        std::vector<std::string> out;
        for (char** n = names; n != nullptr && *n != nullptr; ++n) out.emplace_back(*n);
        bson_strfreev(names);
        mongoc_database_destroy(d);
        std::sort(out.begin(), out.end());
        return out;
    }

    std::vector<std::string> index_names(const std::string& db, const std::string& collection) {
        mongoc_collection_t* c =
            mongoc_client_get_collection(client_, db.c_str(), collection.c_str());
        mongoc_cursor_t* cursor = mongoc_collection_find_indexes_with_opts(c, nullptr);
        std::vector<std::string> out;
        const bson_t* doc = nullptr;
        while (mongoc_cursor_next(cursor, &doc)) {
            bson_iter_t it;
            if (bson_iter_init_find(&it, doc, "name"))
                out.emplace_back(bson_iter_utf8(&it, nullptr));
        }
        mongoc_cursor_destroy(cursor);
        mongoc_collection_destroy(c);
        std::sort(out.begin(), out.end());
        return out;
    }

    bool database_exists(const std::string& db) { return !collections(db).empty(); }

  private:
    mongoc_client_t* client_ = nullptr;
};

std::string unique(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

struct MongoTest : ::testing::Test {
    std::string uri;
    TempDir state;
    std::unique_ptr<Engine> engine;
    Engine& eng() {
        if (!engine)
            engine = std::make_unique<Engine>(server_test_config(state.path(), "mongodb", uri));
        return *engine;
    }
    CloneRecord create(const std::string& id, const std::string& strategy = "") {
        return Cloner(eng()).create({id, "mongodb", "v1.0", "", strategy});
    }
    void expect_gone(const std::string& id) {
        EXPECT_FALSE(Inspector(uri).database_exists("tenant_" + id + "_db")) << id;
        EXPECT_FALSE(eng().registry().find_clone(id)) << id;
    }
    const CheckResult& check(const VerificationReport& r, const std::string& name) {
        for (const auto& c : r.checks)
            if (c.name == name) return c;
        throw std::runtime_error("no check " + name);
    }
};

struct Ferretdb : MongoTest {
    void SetUp() override {
        uri = env("DBCLONE_TEST_FERRETDB_URI");
        if (uri.empty())
            GTEST_SKIP() << "DBCLONE_TEST_FERRETDB_URI is not set: run scripts/services.sh start";
    }
};

// Needs a server that enforces authorization; FerretDB on SQLite does not.
struct MongodbWithAuth : MongoTest {
    void SetUp() override {
        uri = env("DBCLONE_TEST_MONGODB_URI");
        if (uri.empty())
            GTEST_SKIP()
                << "DBCLONE_TEST_MONGODB_URI is not set; these tests need a MongoDB that enforces "
                   "authorization (an admin URI), which no package here provides";
    }
};

}  // namespace

TEST_F(Ferretdb, DataAndIndexesAreCopiedExactly) {
    std::string id = unique("mg_copy");
    auto row = create(id, "streaming");
    Inspector inspector(uri);
    auto golden = inspector.contents("dbclone_root_v1_0");
    auto clone = inspector.contents(row.database_name);
    ASSERT_EQ(golden.size(), 3u) << "customers, orders, products";
    EXPECT_EQ(clone, golden) << "same documents, counted and hashed per collection";
    EXPECT_EQ(golden.at("customers").first, 100);
    EXPECT_EQ(golden.at("orders").first, 200);
    for (const auto& [collection, content] : golden)
        EXPECT_EQ(inspector.index_names(row.database_name, collection),
                  inspector.index_names("dbclone_root_v1_0", collection))
            << collection;
    EXPECT_EQ(inspector.index_names(row.database_name, "customers"),
              (std::vector<std::string>{"_id_", "email_1"}));
    auto report = Verifier(eng()).verify(id);
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    EXPECT_EQ(check(report, "schema_integrity").outcome, "passed");
    Cloner(eng()).remove(id);
    expect_gone(id);
    EXPECT_NO_THROW(eng().backend("mongodb").drop(id, "tenant_" + id + "_db", "tenant_" + id))
        << "idempotent";
}

TEST_F(Ferretdb, IsolationIsReportedNotEnforcedNeverPassed) {
    std::string a = unique("mg_a"), b = unique("mg_b");
    create(a);
    create(b);
    auto report = Verifier(eng()).verify(a, {"cross_tenant_access"}, b);
    const auto& access = check(report, "cross_tenant_access");
    EXPECT_EQ(access.outcome, "not_enforced") << access.details;
    EXPECT_EQ(access.probes.size(), 8u);
    for (const auto& p : access.probes) {
        EXPECT_EQ(p.outcome, "not_enforced") << p.name;
        EXPECT_NE(p.detail.find("does not enforce authorization"), std::string::npos) << p.detail;
    }
    Cloner(eng()).remove(a);
    Cloner(eng()).remove(b);
}

// Two state directories on one server: the second installation cannot take an
// existing tenant's id, and its reconcile touches nothing of the first's.
TEST_F(Ferretdb, TwoInstallationsOnOneServerNeverTouchEachOther) {
    std::string id = unique("mg_twin");
    create(id);
    TempDir other_state;
    Engine other(server_test_config(other_state.path(), "mongodb", uri));
    EXPECT_THROW(Cloner(other).create({id, "mongodb", "v1.0", ""}), Error);
    auto report = Reconciler(other).run();
    for (const auto& action : report.actions) ADD_FAILURE() << "other's reconcile: " << action;
    EXPECT_TRUE(Inspector(uri).database_exists("tenant_" + id + "_db"));
    EXPECT_TRUE(Verifier(eng()).verify(id, {"connection", "schema_integrity"}).ok());
    Cloner(eng()).remove(id);
    expect_gone(id);
}

TEST_F(Ferretdb, ServerSideCopyIsRefusedClearlyWhereTheServerLacksIt) {
    std::string id = unique("mg_out");
    try {
        create(id, "server_side");
        // A server that can $out into another database: then the data must match.
        Inspector inspector(uri);
        EXPECT_EQ(inspector.contents("tenant_" + id + "_db"),
                  inspector.contents("dbclone_root_v1_0"));
        Cloner(eng()).remove(id);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("$out"), std::string::npos) << e.what();
    }
    expect_gone(id);
}

TEST_F(Ferretdb, AFailureAfterTheCopyUndoesEverything) {
    std::string id = unique("mg_undo");
    auto inject = [](const std::string& step, auto) {
        if (step == "verify") throw Error(ErrorKind::Failed, "injected");
    };
    EXPECT_THROW(Cloner(eng()).create({id, "mongodb", "v1.0", ""}, inject), Error);
    expect_gone(id);
    auto leftovers = eng().backend("mongodb").list_artifacts();
    ASSERT_TRUE(leftovers.has_value());
    EXPECT_TRUE(leftovers->empty()) << leftovers->front();
}

TEST_F(Ferretdb, TenConcurrentCreatesAllSucceed) {
    eng();
    std::vector<std::future<std::string>> creates;
    for (int i = 0; i < 10; ++i)
        creates.push_back(std::async(std::launch::async, [&, i] {
            try {
                Engine own(server_test_config(state.path(), "mongodb", uri));
                Cloner(own).create({unique("mg_many" + std::to_string(i)), "mongodb", "v1.0", ""});
                return std::string("ok");
            } catch (const std::exception& e) {
                return std::string(e.what());
            }
        }));
    for (auto& c : creates) EXPECT_EQ(c.get(), "ok");
    Inspector inspector(uri);
    auto golden = inspector.contents("dbclone_root_v1_0");
    for (int i = 0; i < 10; ++i) {
        std::string id = unique("mg_many" + std::to_string(i));
        EXPECT_EQ(inspector.contents("tenant_" + id + "_db"), golden) << id;
        Cloner(eng()).remove(id);
        expect_gone(id);
    }
}

TEST_F(Ferretdb, UnreachableServerIsAClearError) {
    Engine unreachable(server_test_config(state.path(), "mongodb", "mongodb://127.0.0.1:1/"));
    try {
        Cloner(unreachable).create({"mg_nowhere", "mongodb", "v1.0", ""});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Unavailable) << e.what();
    }
    EXPECT_TRUE(unreachable.registry().clones().empty());
}

TEST_F(MongodbWithAuth, EveryProbeIsDeniedBothWays) {
    std::string a = unique("mga_a"), b = unique("mga_b");
    create(a);
    create(b);
    auto report = Verifier(eng()).verify(a, {}, b);
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    const auto& access = check(report, "cross_tenant_access");
    EXPECT_EQ(access.outcome, "passed");
    for (const auto& p : access.probes)
        EXPECT_EQ(p.outcome, "denied") << p.name << ": " << p.detail;
    Cloner(eng()).remove(a);
    Cloner(eng()).remove(b);
    expect_gone(a);
    expect_gone(b);
}
