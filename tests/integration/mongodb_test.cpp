// The MongoDB backend against FerretDB (scripts/services.sh), and against a
// MongoDB with authorization when DBCLONE_TEST_MONGODB_URI names one.
#include <bson/bson.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/golden_copy_cache.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/root_importer.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sha256.hpp>

#include <algorithm>
#include <future>
#include <map>
#include <tuple>

#include "golden_lifecycle.hpp"
#include "mongo_inspector.hpp"
#include "root_images.hpp"
#include "sabotage.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

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
    auto golden = inspector.contents(shared_golden_name(eng(), "v1.0"));
    auto clone = inspector.contents(row.database_name);
    ASSERT_EQ(golden.size(), 3u) << "customers, orders, products";
    EXPECT_EQ(clone, golden) << "same documents, counted and hashed per collection";
    EXPECT_EQ(golden.at("customers").first, 100);
    EXPECT_EQ(golden.at("orders").first, 200);
    for (const auto& [collection, content] : golden)
        EXPECT_EQ(inspector.index_names(row.database_name, collection),
                  inspector.index_names(shared_golden_name(eng(), "v1.0"), collection))
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
                  inspector.contents(shared_golden_name(eng(), "v1.0")));
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
    auto golden = inspector.contents(shared_golden_name(eng(), "v1.0"));
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

// A killed create's write that lands after its drop has stopped waiting
// makes the database again. The tombstone the drop leaves knows it as the
// tenant's: reconcile drops it, and so does the next create of the id.
// Without it, that create failed with "database ... exists already", and
// every one after it.
TEST_F(Ferretdb, ADatabaseALateWriteMadeAfterAKilledCreatesDropIsStillDropped) {
    std::string id = unique("mg_late"), database = "tenant_" + id + "_db";
    Inspector server(uri);
    auto late_write = [&] {
        server.command(database, R"({"insert": "orders", "documents": [{"late": true}]})");
        ASSERT_TRUE(server.database_exists(database));
    };
    for (bool by_reconcile : {true, false}) {
        create(id);
        // What a create killed in its copy leaves: the record says "creating".
        server.command("dbclone_meta", R"({"update": "tenants", "updates": [{"q": {"_id": ")" + id +
                                           R"("}, "u": {"$set": {"creating": true}}}]})");
        Cloner(eng()).remove(id);
        EXPECT_FALSE(server.database_exists(database));
        late_write();
        if (by_reconcile) {
            Reconciler(eng()).run();
            EXPECT_FALSE(server.database_exists(database)) << "reconcile left it";
        }
        EXPECT_NO_THROW(create(id)) << (by_reconcile ? "after reconcile" : "the next create");
        Cloner(eng()).remove(id);
    }
    expect_gone(id);
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

// A root whose collection asks for no index loads; one that fails half-way
// (a duplicate _id) leaves no half-built golden database behind.
TEST_F(Ferretdb, AnEmptyIndexListLoadsAndAFailedBuildIsUndone) {
    RootImages roots;
    std::string good = roots.add(unique_version("noindex"),
                                 {{"mongodb", R"({"collections": [{"name": "things", "indexes": [],
                                          "documents": [{"_id": 1, "x": "a"}]}]})"}});
    std::string bad =
        roots.add(unique_version("dupid"),
                  {{"mongodb", R"({"collections": [{"name": "a", "documents": [{"_id": 1}]},
                                         {"name": "b", "documents": [{"_id": 1}, {"_id": 1}]}]})"}});
    Config config = server_test_config(state.path(), "mongodb", uri);
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string id = unique("mg_noindex");
    auto row = Cloner(engine).create({id, "mongodb", good, ""});
    EXPECT_EQ(Inspector(uri).contents(row.database_name).at("things").first, 1);
    Cloner(engine).remove(id);
    EXPECT_THROW(Cloner(engine).create({unique("mg_dupid"), "mongodb", bad, ""}), Error);
    EXPECT_EQ(Inspector(uri).databases(shared_golden_name(engine, bad)), std::vector<std::string>{})
        << "the failed build left its database";
    Inspector(uri).command(shared_golden_name(engine, good), R"({"dropDatabase": 1})");
}

// verify fails a clone that lost a document, had a value changed or lost an
// index behind dbclone's back.
TEST_F(Ferretdb, VerifyFailsASabotagedClone) {
    auto run = [this](const std::string& command) {
        return [this, command](const CloneRecord& tenant) {
            Inspector(uri).command(tenant.database_name, command);
        };
    };
    expect_sabotage_caught(
        eng(), [&](const std::string& id) { return create(id); },
        {{unique("mg_lost"),
          run(R"({"delete": "orders", "deletes": [{"q": {"_id": 7}, "limit": 1}]})"),
          "data_integrity", "collection orders has 199 documents, the root 200"},
         {unique("mg_changed"),
          run(R"({"update": "customers", "updates": [{"q": {"_id": 7}, "u": {"$set": {"country": "ZZ"}}}]})"),
          "data_integrity", "collection customers: the documents' checksum differs"},
         {unique("mg_index"), run(R"({"dropIndexes": "customers", "index": "email_1"})"),
          "schema_integrity", "differs"}});
}

// `roots gc` drops a golden database no tenant uses, and only then.
TEST_F(Ferretdb, RootsGcDropsAnUnusedGoldenDatabase) {
    RootImages roots;
    expect_gc_removes_unused_golden(
        server_test_config(state.path(), "mongodb", uri), roots, "mongodb", "mongodb.json",
        [this](const std::string& name) { return Inspector(uri).database_exists(name); });
}

// `roots import` of a live database (a tenant's here): every collection with
// its options, indexes and documents, and a clone of the new root holds the
// same documents, counted and hashed per collection.
TEST_F(Ferretdb, RootsImportOfALiveDatabaseClonesLikeIt) {
    std::string id = unique("mg_src");
    auto source = create(id);
    RootImages roots;
    Config config = server_test_config(state.path(), "mongodb", uri);
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string version = unique_version("mimp");
    auto root = RootImporter(engine).import(version, "mongodb", uri + source.database_name, "");
    ASSERT_EQ(root.parts.size(), 1u);
    std::string copy = unique("mg_imp");
    auto imported = Cloner(engine).create({copy, "mongodb", version, ""});
    Inspector inspector(uri);
    EXPECT_EQ(inspector.contents(imported.database_name), inspector.contents(source.database_name));
    EXPECT_EQ(inspector.index_names(imported.database_name, "customers"),
              inspector.index_names(source.database_name, "customers"));
    EXPECT_EQ(Verifier(engine).verify(copy, {"data_integrity"}).checks.at(0).outcome, "passed");
    Cloner(engine).remove(copy);
    GoldenCopyCache(engine).collect_garbage(false);
    Cloner(eng()).remove(id);
}

// mongoexport's output as root files, one collection each, named after the
// file: Extended JSON lines, and --jsonArray. Every type comes back as the
// export wrote it (a $numberLong stays a 64-bit integer, a $date a date).
TEST_F(Ferretdb, MongoexportFilesLoadAsCollectionsNamedAfterThem) {
    RootImages roots;
    std::string lines =
        "{\"_id\":{\"$oid\":\"65a000000000000000000001\"},\"n\":{\"$numberLong\":\"5\"},"
        "\"at\":{\"$date\":\"2026-01-01T00:00:00Z\"}}\n"
        "{\"_id\":{\"$oid\":\"65a000000000000000000002\"},\"n\":{\"$numberLong\":\"6\"},"
        "\"at\":{\"$date\":\"2026-01-02T00:00:00Z\"}}\n";
    std::string array = "[{\"_id\":1,\"total\":{\"$numberInt\":\"999\"}},{\"_id\":2}]";
    std::string version = roots.add_named(unique_version("mexp"), "mongodb",
                                          {{"customers.json", lines}, {"orders.json", array}});
    Config config = server_test_config(state.path(), "mongodb", uri);
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string id = unique("mg_exp");
    auto tenant = Cloner(engine).create({id, "mongodb", version, ""});
    Inspector inspector(uri);
    auto contents = inspector.contents(tenant.database_name);
    EXPECT_EQ(contents.at("customers").first, 2);
    EXPECT_EQ(contents.at("orders").first, 2);
    EXPECT_EQ(inspector.count(tenant.database_name, "customers", R"({"n": {"$type": "long"}})"), 2);
    EXPECT_EQ(inspector.count(tenant.database_name, "customers",
                              R"({"at": {"$gt": {"$date": "2000-01-01T00:00:00Z"}}})"),
              2);
    EXPECT_EQ(Verifier(engine).verify(id, {"data_integrity"}).checks.at(0).outcome, "passed");
    Cloner(engine).remove(id);
    GoldenCopyCache(engine).collect_garbage(false);
    // A line that is no JSON is named by its file and line, not quoted.
    std::string bad = roots.add_named(unique_version("mbad"), "mongodb",
                                      {{"things.json", "{\"_id\": 1}\n{secret-value\n"}});
    try {
        Cloner(engine).create({id, "mongodb", bad, ""});
        ADD_FAILURE() << "a broken line loaded";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("things.json line 2 is not valid Extended JSON"), std::string::npos)
            << message;
        EXPECT_EQ(message.find("secret-value"), std::string::npos) << message;
    }
}

namespace {

// What mongodump writes, byte for byte: the documents as BSON one after
// another, metadata in canonical Extended JSON, and the archive's framing.
std::string bson_bytes(const std::vector<std::string>& documents_json) {
    std::string out;
    for (const auto& json : documents_json) {
        bson_error_t error;
        bson_t* doc = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                         static_cast<ssize_t>(json.size()), &error);
        if (doc == nullptr) throw std::runtime_error(std::string("test json: ") + error.message);
        out.append(reinterpret_cast<const char*>(bson_get_data(doc)), doc->len);
        bson_destroy(doc);
    }
    return out;
}

const std::string terminator("\xff\xff\xff\xff", 4);

// A mongodump --archive of database `db`: (collection, metadata JSON, documents).
std::string archive_of(
    const std::string& db,
    const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>>& dumped) {
    std::string out("\x6d\xe2\x99\x81", 4);
    out += bson_bytes({R"({"concurrent_collections": {"$numberInt": "4"}, "version": "0.1",
                           "server_version": "7.0.14", "tool_version": "100.10.0"})"});
    for (const auto& [collection, metadata, documents] : dumped) {
        bson_t* entry =
            BCON_NEW("db", BCON_UTF8(db.c_str()), "collection", BCON_UTF8(collection.c_str()),
                     "metadata", BCON_UTF8(metadata.c_str()), "size", BCON_INT32(0));
        out.append(reinterpret_cast<const char*>(bson_get_data(entry)), entry->len);
        bson_destroy(entry);
    }
    out += terminator;
    auto header = [&](const std::string& collection, bool eof) {
        bson_t* h =
            BCON_NEW("db", BCON_UTF8(db.c_str()), "collection", BCON_UTF8(collection.c_str()),
                     "EOF", BCON_BOOL(eof), "CRC", BCON_INT64(0));
        std::string bytes(reinterpret_cast<const char*>(bson_get_data(h)), h->len);
        bson_destroy(h);
        return bytes;
    };
    for (const auto& [collection, metadata, documents] : dumped) {
        if (documents.empty()) continue;
        // Two segments, as a dump of concurrent collections interleaves them.
        size_t half = documents.size() / 2;
        out += header(collection, false) +
               bson_bytes({documents.begin(), documents.begin() + static_cast<long>(half)}) +
               terminator;
        out += header(collection, false) +
               bson_bytes({documents.begin() + static_cast<long>(half), documents.end()}) +
               terminator;
    }
    for (const auto& [collection, metadata, documents] : dumped)
        out += header(collection, true) + terminator;
    return out;
}

}  // namespace

// mongodump's output as a root: the files of one database's folder, and the
// same dump as one --archive. Each clone holds what a restore of the dump
// holds: the same documents, type for type, and the indexes but _id's.
TEST_F(Ferretdb, MongodumpFoldersAndArchivesCloneLikeARestore) {
    std::vector<std::string> orders{
        R"({"_id": {"$oid": "65a000000000000000000001"}, "sku": "A-1", "qty": {"$numberLong": "3"},
            "at": {"$date": {"$numberLong": "1767225600000"}}, "tags": ["x", "y"],
            "blob": {"$binary": {"base64": "AAEC", "subType": "00"}}})",
        R"({"_id": {"$oid": "65a000000000000000000002"}, "sku": "A-2", "qty": {"$numberInt": "7"},
            "ship": {"city": "Lyon", "zip": null}})",
        R"({"_id": {"$oid": "65a000000000000000000003"}, "sku": "B-9", "price": {"$numberDouble": "9.5"}})"};
    std::vector<std::string> customers{R"({"_id": {"$numberInt": "1"}, "name": "Ada"})",
                                       R"({"_id": {"$numberInt": "2"}, "name": "Grace"})"};
    std::string orders_meta =
        R"({"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"},)"
        R"({"v":{"$numberInt":"2"},"key":{"sku":{"$numberInt":"1"}},"name":"sku_1","unique":true}],)"
        R"("uuid":"6c0fd3a4f1a64c7f9e1f8b3f0a2b4c5d","collectionName":"orders","type":"collection"})";
    std::string customers_meta =
        R"({"indexes":[{"v":{"$numberInt":"2"},"key":{"_id":{"$numberInt":"1"}},"name":"_id_"}],)"
        R"("uuid":"0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a","collectionName":"customers","type":"collection"})";
    RootImages roots;
    std::string folder = roots.add_named(unique_version("mdump"), "mongodb",
                                         {{"customers.bson", bson_bytes(customers)},
                                          {"customers.metadata.json", customers_meta},
                                          {"orders.bson", bson_bytes(orders)},
                                          {"orders.metadata.json", orders_meta}});
    std::string archive = roots.add_named(
        unique_version("march"), "mongodb",
        {{"shop.archive", archive_of("shop", {{"customers", customers_meta, customers},
                                              {"orders", orders_meta, orders}})}});
    Config config = server_test_config(state.path(), "mongodb", uri);
    config.roots_dir = roots.dir();
    Engine engine(config);
    Inspector inspector(uri);
    // The restore a user would compare with: the same documents inserted as they are.
    std::string restored = unique("restored_shop");
    auto insert = [&](const std::string& collection, const std::vector<std::string>& docs) {
        std::string list;
        for (const auto& d : docs) list += (list.empty() ? "" : ",") + d;
        inspector.command(restored,
                          R"({"insert": ")" + collection + R"(", "documents": [)" + list + "]}");
    };
    insert("customers", customers);
    insert("orders", orders);
    auto expected = inspector.contents(restored);
    for (const auto& version : {folder, archive}) {
        std::string id = unique("mg_dump");
        auto tenant = Cloner(engine).create({id, "mongodb", version, ""});
        EXPECT_EQ(inspector.contents(tenant.database_name), expected) << version;
        auto indexes = inspector.index_names(tenant.database_name, "orders");
        EXPECT_NE(std::find(indexes.begin(), indexes.end(), "sku_1"), indexes.end()) << version;
        EXPECT_EQ(Verifier(engine).verify(id, {"data_integrity"}).checks.at(0).outcome, "passed");
        Cloner(engine).remove(id);
    }
    inspector.command(restored, R"({"dropDatabase": 1})");
    GoldenCopyCache(engine).collect_garbage(false);

    // What mongodump users meet: compressed output, an archive of a whole
    // server, a file cut short. Each is refused naming the file.
    auto refused = [&](const std::string& file, const std::string& bytes) {
        std::string version = roots.add_named(unique_version("mbad"), "mongodb", {{file, bytes}});
        try {
            Cloner(engine).create({unique("mg_bad"), "mongodb", version, ""});
            return std::string("loaded");
        } catch (const Error& e) {
            return std::string(e.what());
        }
    };
    EXPECT_NE(refused("orders.bson.gz", std::string("\x1f\x8b\x08\x00", 4) + "rest")
                  .find("orders.bson.gz: is compressed (gzip, as mongodump --gzip writes): "
                        "gunzip it first"),
              std::string::npos);
    // A whole server's archive: a second database's metadata beside shop's.
    std::string whole = archive_of("shop", {{"orders", orders_meta, orders}});
    whole.insert(whole.find(terminator), [&] {
        bson_t* entry =
            BCON_NEW("db", BCON_UTF8("crm"), "collection", BCON_UTF8("customers"), "metadata",
                     BCON_UTF8(customers_meta.c_str()), "size", BCON_INT32(0));
        std::string bytes(reinterpret_cast<const char*>(bson_get_data(entry)), entry->len);
        bson_destroy(entry);
        return bytes;
    }());
    EXPECT_NE(refused("server.archive", whole).find("holds the databases crm, shop"),
              std::string::npos);
    std::string cut = archive_of("shop", {{"orders", orders_meta, orders}});
    EXPECT_NE(refused("cut.archive", cut.substr(0, cut.size() - 30)).find("cut.archive: "),
              std::string::npos);
    EXPECT_NE(refused("orders.bson", bson_bytes(orders).substr(0, 50)).find("orders.bson: damaged"),
              std::string::npos);
    EXPECT_TRUE(engine.registry().clones().empty());
}
