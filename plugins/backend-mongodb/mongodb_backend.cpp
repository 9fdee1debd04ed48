// The MongoDB backend: a tenant is a database on a shared MongoDB-compatible
// server, copied from a golden database, with a user that may read and write
// that database only, where the server has users and enforces them.
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <unistd.h>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <thread>

#include "database_copier.hpp"
#include "golden_database.hpp"
#include "isolation_probes.hpp"
#include "mongo_client.hpp"
#include "schema_fingerprint.hpp"
#include "server_features.hpp"

namespace dbclone::mongodb {

class MongodbBackend {
  public:
    static constexpr const char* description =
        "MongoDB: a database per tenant on a shared MongoDB-compatible server (MongoDB, FerretDB)";
    static constexpr uint64_t capabilities =
        DBC_CAP_SHARED_SERVER | DBC_CAP_USERS | DBC_CAP_ISOLATION_PROBES;
    static constexpr const char* config_schema = R"({
        "type": "object",
        "properties": {
            "url": {"type": "string"},
            "strategy": {"type": "string", "enum": ["auto", "server_side", "streaming"]},
            "parallelism": {"type": "integer"}
        },
        "additionalProperties": false
    })";

    MongodbBackend(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          uri_(sdk::option_string(init.config_json, "url")),
          strategy_(sdk::option_string(init.config_json, "strategy")),
          installation_(sdk::option_string(init.options_json, "installation_id")),
          cache_dir_(std::filesystem::path(init.data_dir) / "documents"),
          copier_(uri_, static_cast<int>(sdk::option_int(init.config_json, "parallelism", 4))),
          log_route_(&host_) {}

    sdk::GoldenResult ensure_golden(const dbc_golden_request& req) {
        MongoClient& admin = admin_client();
        std::string name = sdk::golden_name(req.root_version);
        BuildLock lock(admin, name);
        auto golden = find_golden(admin, name);
        if (!golden || golden->sha256 != req.root_sha256) {
            BuildNotes notes;
            golden = build_golden(admin, name, req.root_file, req.root_sha256, notes);
            host_.info("built golden database " + name + " on " + features().server);
            for (const auto& s : notes.skipped) host_.warn(features().server + " cannot keep " + s);
        }
        cache_of(*golden).ensure(admin);
        goldens_[name] = *golden;
        return {name, golden->fingerprint};
    }

    sdk::CloneResult clone(const dbc_clone_request& req) {
        MongoClient& admin = admin_client();
        std::string database = req.database_name, user = req.user_name;
        CopyMethod method = parse_copy_method(requested(req.options_json));
        if (!admin
                 .cursor_command(database, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))),
                                 "checking " + database)
                 .empty())
            throw sdk::Failure(DBC_CONFLICT, "database " + database + " exists already");
        // Recorded first, so that reconcile finds whatever a crash leaves behind.
        admin.command(meta_database,
                      BsonDocument(BCON_NEW("insert", BCON_UTF8("tenants"), "documents", "[", "{",
                                            "_id", BCON_UTF8(req.tenant_id), "installation",
                                            BCON_UTF8(installation_.c_str()), "}", "]")),
                      "registering " + user);
        bool user_created = false;
        CopyReport copied;
        try {
            auto golden = goldens_.find(req.golden_location);
            if (golden == goldens_.end())
                throw sdk::Failure(
                    DBC_ERROR,
                    "golden database " + std::string(req.golden_location) + " was not prepared");
            copied = copier_.copy(admin, req.golden_location, database, method,
                                  cache_of(golden->second));
            for (const auto& s : copied.skipped)
                host_.warn(features().server + " cannot keep " + s);
            if (features().authorization_enforced) {
                admin.command(database,
                              BsonDocument(BCON_NEW("createUser", BCON_UTF8(user.c_str()), "pwd",
                                                    BCON_UTF8(req.password), "roles", "[", "{",
                                                    "role", BCON_UTF8("readWrite"), "db",
                                                    BCON_UTF8(database.c_str()), "}", "]")),
                              "creating user " + user);
                user_created = true;
            }
        } catch (...) {
            drop_objects(req.tenant_id, user_created);
            throw;
        }
        return {database, admin.host(), admin.port(), user,
                R"({"strategy":")" + copied.method + R"(","users":)" +
                    (features().authorization_enforced ? "true" : "false") + "}"};
    }

    void drop(const dbc_drop_request& req) { drop_objects(req.tenant_id, true); }

    std::string fingerprint(const dbc_target& target) {
        if (target.tenant_id == nullptr) {
            auto golden = find_golden(admin_client(), target.location);
            if (!golden)
                throw sdk::Failure(DBC_NOT_FOUND, std::string(target.location) + " is gone");
            return golden->fingerprint;
        }
        MongoClient tenant(uri_, login_of(target));
        return schema_fingerprint(tenant, target.location);
    }

    void probe(const dbc_target& target) {
        MongoClient tenant(uri_, login_of(target));
        tenant.command(
            target.location,
            BsonDocument(BCON_NEW("listCollections", BCON_INT32(1), "nameOnly", BCON_BOOL(true))),
            "probe");
    }

    bool canary(const dbc_target& target, dbc_canary_op op, std::string_view token) {
        std::string t = sdk::checked_token(std::string(token));
        if (target.tenant_id == nullptr && op != DBC_CANARY_FIND)
            throw sdk::Failure(DBC_NOT_SUPPORTED, "the golden database is not written to");
        // The golden database is looked at by the admin; a tenant's by the tenant.
        std::unique_ptr<MongoClient> own;
        if (target.tenant_id != nullptr)
            own = std::make_unique<MongoClient>(uri_, login_of(target));
        MongoClient& db = own ? *own : admin_client();
        if (op == DBC_CANARY_PLANT) {
            db.command(target.location,
                       BsonDocument(BCON_NEW("insert", BCON_UTF8("dbclone_canary"), "documents",
                                             "[", "{", "token", BCON_UTF8(t.c_str()), "}", "]")),
                       "planting a canary");
        } else if (op == DBC_CANARY_REMOVE) {
            db.try_command(target.location,
                           BsonDocument(BCON_NEW("drop", BCON_UTF8("dbclone_canary"))));
        } else {
            return !db.cursor_command(
                          target.location,
                          BsonDocument(BCON_NEW("find", BCON_UTF8("dbclone_canary"), "filter", "{",
                                                "token", BCON_UTF8(t.c_str()), "}")),
                          "looking for a canary")
                        .empty();
        }
        return false;
    }

    void run_queries(const dbc_target& target, uint32_t count, const sdk::Sink& sink) {
        MongoClient db(uri_, login_of(target));
        BsonDocument ping(BCON_NEW("ping", BCON_INT32(1)));
        sdk::write_query_timings(sink, count, [&] { db.command(target.location, ping, "ping"); });
    }

    void list_artifacts(const sdk::Sink& sink) {
        if (uri_.empty()) return;  // no server, so nothing of ours on one
        MongoClient& admin = admin_client();
        for (const auto& row : admin.cursor_command(
                 meta_database,
                 BsonDocument(BCON_NEW("find", BCON_UTF8("tenants"), "filter", "{", "installation",
                                       BCON_UTF8(installation_.c_str()), "}")),
                 "reading dbclone_meta.tenants")) {
            bson_iter_t it;
            if (!bson_iter_init_find(&it, row.get(), "_id") || !BSON_ITER_HOLDS_UTF8(&it)) continue;
            sdk::write_artifact(sink, bson_iter_utf8(&it, nullptr));
        }
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        admin_client();
        run_isolation_probes(uri_, features(), attacker, victim, sink);
    }

  private:
    // Builders of one golden database on one server take turns, whichever host
    // they run on: MongoDB has no named locks, so the lock is a document with a
    // unique _id in dbclone_meta.locks (taken over when older than ten minutes,
    // from a builder that died).
    struct BuildLock {
        MongoClient& admin;
        std::string id;
        BuildLock(MongoClient& a, const std::string& golden) : admin(a), id("build " + golden) {
            // Whose the lock is: a document this process wrote, told apart by a nonce.
            std::string owner =
                std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
            for (int attempt = 0;; ++attempt) {
                auto now = static_cast<int64_t>(std::time(nullptr));
                auto error = admin.try_command(
                    meta_database, BsonDocument(BCON_NEW("insert", BCON_UTF8("locks"), "documents",
                                                         "[", "{", "_id", BCON_UTF8(id.c_str()),
                                                         "owner", BCON_UTF8(owner.c_str()), "since",
                                                         BCON_INT64(now), "}", "]")));
                BsonDocument reply;
                if (!error) {
                    // A duplicate key comes back in writeErrors, not as a command error.
                    auto written = admin.try_command(
                        meta_database,
                        BsonDocument(BCON_NEW("find", BCON_UTF8("locks"), "filter", "{", "_id",
                                              BCON_UTF8(id.c_str()), "owner",
                                              BCON_UTF8(owner.c_str()), "}")),
                        &reply);
                    if (!written && mine(reply)) return;
                }
                if (attempt > 6000)
                    throw sdk::Failure(DBC_TIMEOUT,
                                       "waited 10 minutes for another build of " + golden);
                admin.try_command(meta_database, BsonDocument(BCON_NEW(
                                                     "delete", BCON_UTF8("locks"), "deletes", "[",
                                                     "{", "q", "{", "_id", BCON_UTF8(id.c_str()),
                                                     "since", "{", "$lt", BCON_INT64(now - 600),
                                                     "}", "}", "limit", BCON_INT32(1), "}", "]")));
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        ~BuildLock() {
            admin.try_command(meta_database,
                              BsonDocument(BCON_NEW("delete", BCON_UTF8("locks"), "deletes", "[",
                                                    "{", "q", "{", "_id", BCON_UTF8(id.c_str()),
                                                    "}", "limit", BCON_INT32(1), "}", "]")));
        }
        // The find reply's first batch is not empty: the lock document is ours.
        static bool mine(const BsonDocument& reply) {
            bson_iter_t it, batch;
            return bson_iter_init(&it, reply.get()) &&
                   bson_iter_find_descendant(&it, "cursor.firstBatch", &batch) &&
                   BSON_ITER_HOLDS_ARRAY(&batch) && bson_iter_recurse(&batch, &it) &&
                   bson_iter_next(&it);
        }
    };

    MongoClient& admin_client() {
        if (admin_) return *admin_;
        if (uri_.empty())
            throw sdk::Failure(
                DBC_INVALID_ARGUMENT,
                "no MongoDB server configured: set plugins.mongodb.url, DBCLONE_MONGODB_URI or "
                "--server mongodb://...");
        auto admin = std::make_unique<MongoClient>(uri_);
        features_ = detect_features(*admin, uri_);
        admin_ = std::move(admin);
        return *admin_;
    }

    DocumentCache cache_of(const GoldenDatabase& golden) const {
        return DocumentCache(cache_dir_, golden.name, golden.sha256);
    }

    const ServerFeatures& features() {
        admin_client();
        return *features_;
    }

    std::string requested(const char* options_json) const {
        std::string r = sdk::option_string(options_json, "strategy");
        return r.empty() ? strategy_ : r;
    }

    // A tenant logs in with its own user where the server enforces users; where
    // it does not, as nobody (the server would not check a password anyway).
    std::optional<Credentials> login_of(const dbc_target& t) {
        if (!features().authorization_enforced) return Credentials{};
        return Credentials{t.user != nullptr ? t.user : "", t.password != nullptr ? t.password : "",
                           t.location};
    }

    // Drops the tenant's user and database and forgets it; names come from the
    // tenant id alone. Idempotent.
    void drop_objects(std::string_view tenant, bool drop_user) {
        MongoClient& admin = admin_client();
        std::string database = sdk::tenant_database(tenant), user = sdk::tenant_user(tenant);
        if (drop_user && features().authorization_enforced) {
            auto error = admin.try_command(
                database, BsonDocument(BCON_NEW("dropUser", BCON_UTF8(user.c_str()))));
            if (error && error->code != 11 /* UserNotFound */)
                throw_command_error("dropping user " + user, *error);
        }
        admin.command(database, BsonDocument(BCON_NEW("dropDatabase", BCON_INT32(1))),
                      "dropping " + database);
        admin.command(meta_database,
                      BsonDocument(BCON_NEW("delete", BCON_UTF8("tenants"), "deletes", "[", "{",
                                            "q", "{", "_id", BCON_UTF8(std::string(tenant).c_str()),
                                            "}", "limit", BCON_INT32(0), "}", "]")),
                      "forgetting " + user);
    }

    sdk::Host host_;
    std::string uri_;
    std::string strategy_;
    std::string installation_;
    std::filesystem::path cache_dir_;
    DatabaseCopier copier_;
    DriverLogRoute log_route_;
    std::unique_ptr<MongoClient> admin_;
    std::optional<ServerFeatures> features_;
    std::map<std::string, GoldenDatabase> goldens_;  // prepared by ensure_golden
};

}  // namespace dbclone::mongodb

DBC_DECLARE_BACKEND(dbclone::mongodb::MongodbBackend, "mongodb", "0.1.0")
