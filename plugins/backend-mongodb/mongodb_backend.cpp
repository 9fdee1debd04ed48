// The MongoDB backend: a tenant is a database on a shared MongoDB-compatible
// server, copied from a golden database, with a user that may read and write
// that database only, where the server has users and enforces them.
#include <dbclone/content_record.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "collection_content.hpp"
#include "database_copier.hpp"
#include "golden_database.hpp"
#include "isolation_probes.hpp"
#include "mongo_client.hpp"
#include "root_export.hpp"
#include "schema_fingerprint.hpp"
#include "server_features.hpp"
#include "tenant_guardrails.hpp"

namespace dbclone::mongodb {

class MongodbBackend {
  public:
    static constexpr const char* description =
        "MongoDB: a database per tenant on a shared MongoDB-compatible server (MongoDB, FerretDB)";
    static constexpr uint64_t capabilities =
        DBC_CAP_SHARED_SERVER | DBC_CAP_USERS | DBC_CAP_ISOLATION_PROBES | DBC_CAP_ROOT_FILES;
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
        std::string name = sdk::golden_name(req.root_version, installation_);
        BuildLock lock(admin, name);
        auto golden = find_golden(admin, name);
        // One whose content record is missing or of another format is rebuilt.
        if (!golden || golden->sha256 != req.root_sha256 ||
            !sdk::ContentRecord::is_current(golden->content)) {
            BuildNotes notes;
            golden = build_golden(admin, name, sdk::root_parts(req), req.root_sha256, notes);
            host_.info("built golden database " + name + " on " + features().server);
            for (const auto& s : notes.skipped) host_.warn(features().server + " cannot keep " + s);
        }
        cache_of(*golden).ensure(admin);
        goldens_[name] = *golden;
        return {name, golden->fingerprint, golden->content};
    }

    sdk::CloneResult clone(const dbc_clone_request& req) {
        MongoClient& admin = admin_client();
        std::string database = req.database_name, user = req.user_name;
        CopyMethod method = parse_copy_method(requested(req.options_json));
        // A killed create of ours left its tombstone (see drop_objects): a
        // late write of it that made the database again made it ours to drop.
        if (auto record = tenant_record(req.tenant_id);
            record && flag(*record, "tombstone") && owned(*record)) {
            drop_database(database, false);
            forget(admin, req.tenant_id);
        }
        if (!admin
                 .cursor_command(database, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))),
                                 "checking " + database)
                 .empty())
            throw sdk::Failure(DBC_CONFLICT, "database " + database + " exists already");
        // Recorded first, so that reconcile finds whatever a crash leaves behind;
        // "creating" until the copy is complete (see drop_objects).
        admin.command(meta_database,
                      BsonDocument(BCON_NEW("insert", BCON_UTF8("tenants"), "documents", "[", "{",
                                            "_id", BCON_UTF8(req.tenant_id), "installation",
                                            BCON_UTF8(installation_.c_str()), "creating",
                                            BCON_BOOL(true), "}", "]")),
                      "registering " + user);
        sdk::QueryLogin reader = sdk::QueryLogin::of(req);
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
                user_created = true;  // the undo drops both users, whichever were made
                create_user(admin, database, user, req.password, "readWrite");
                // The query login: the server's built-in read role on the
                // tenant's database, which covers collections made later.
                if (!reader.user.empty())
                    create_user(admin, database, reader.user, reader.password, "read");
            }
            admin.command(
                meta_database,
                BsonDocument(BCON_NEW("update", BCON_UTF8("tenants"), "updates", "[", "{", "q", "{",
                                      "_id", BCON_UTF8(req.tenant_id), "}", "u", "{", "$set", "{",
                                      "creating", BCON_BOOL(false), "}", "}", "}", "]")),
                "registering " + user + " as complete");
        } catch (...) {
            drop_objects(req.tenant_id, user_created, false);  // the copy's writers have ended
            throw;
        }
        return {database,
                admin.host(),
                admin.port(),
                user,
                R"({"strategy":")" + copied.method + R"(","users":)" +
                    (features().authorization_enforced ? "true" : "false") + "}",
                features().authorization_enforced ? reader.user : "",
                limits_report(sdk::TenantLimits::of(req))};
    }

    void drop(const dbc_drop_request& req) {
        if (req.tenant_id == nullptr)
            return sdk::option_bool(req.options_json, "golden")
                       ? drop_golden(sdk::view(req.location))
                       : drop_build_leftover(sdk::view(req.location));
        drop_objects(req.tenant_id, true, create_was_cut_short(req.tenant_id));
    }

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

    std::string content(const dbc_target& target) {
        if (target.tenant_id == nullptr)
            throw sdk::Failure(DBC_NOT_SUPPORTED,
                               "the golden database's record is read at its build");
        MongoClient tenant(uri_, login_of(target));
        return collection_content(tenant, target.location);
    }

    std::vector<std::string> export_root(std::string_view uri, std::string_view dir) {
        return mongodb::export_root(std::string(uri), std::string(dir));
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
        std::optional<std::vector<std::string>> databases;  // listed once, if a tombstone asks
        for (const auto& row : admin.cursor_command(
                 meta_database,
                 BsonDocument(BCON_NEW("find", BCON_UTF8("tenants"), "filter", "{", "installation",
                                       BCON_UTF8(installation_.c_str()), "}")),
                 "reading dbclone_meta.tenants")) {
            bson_iter_t it;
            if (!bson_iter_init_find(&it, row.get(), "_id") || !BSON_ITER_HOLDS_UTF8(&it)) continue;
            std::string tenant = bson_iter_utf8(&it, nullptr);
            // A tombstone is a leftover only once a late write made its database.
            if (flag(row, "tombstone")) {
                if (!databases) databases = admin.database_names("listing databases");
                if (std::find(databases->begin(), databases->end(), sdk::tenant_database(tenant)) ==
                    databases->end())
                    continue;
            }
            sdk::write_artifact(sink, tenant);
        }
        // Golden databases a killed build left: half-made (no record, and no
        // build holding their lock), or with the lock of a dead local builder.
        auto owners = BuildLock::owners(admin);
        std::set<std::string> leftovers;
        for (const auto& name : unrecorded_goldens(admin))
            if (auto it = owners.find(name);
                it == owners.end() || BuildLock::dead_local(it->second))
                leftovers.insert(name);
        for (const auto& [name, owner] : owners)
            if (BuildLock::dead_local(owner)) leftovers.insert(name);
        for (const auto& name : leftovers)
            sink.write("{\"tenant_id\":null,\"location\":" + sdk::json_quote(name) +
                       ",\"user\":null}");
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        admin_client();
        run_isolation_probes(uri_, features(), attacker, victim, sink);
    }

    uint64_t measure_size(const dbc_target& target) {
        MongoClient tenant(uri_, login_of(target));
        return database_bytes(tenant, target.location);
    }

    void attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                            std::string_view limits, const sdk::Sink& sink) {
        MongoClient owner_client(uri_, login_of(owner));
        std::unique_ptr<MongoClient> query_client;
        if (query != nullptr) query_client = std::make_unique<MongoClient>(uri_, login_of(*query));
        run_guardrail_attempts(owner_client, query_client.get(), owner.location, features(),
                               sdk::TenantLimits::parse(limits), sink);
    }

    // Where the server enforces no authorization it holds no user, and so no
    // password: the new one is only the registry's.
    void set_password(std::string_view tenant, std::string_view user, std::string_view password,
                      std::string_view) {
        std::string name(user), database = sdk::tenant_database(tenant);
        if (name != sdk::tenant_user(tenant) && name != sdk::tenant_query_user(tenant))
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               name + " is not a login of tenant " + std::string(tenant));
        if (!features().authorization_enforced) return;
        auto error = admin_client().try_command(
            database, BsonDocument(BCON_NEW("updateUser", BCON_UTF8(name.c_str()), "pwd",
                                            BCON_UTF8(std::string(password).c_str()))));
        if (error && error->code == 11 /* UserNotFound */)
            throw sdk::Failure(DBC_NOT_FOUND, "user " + name + " does not exist");
        if (error) throw_command_error("setting the password of " + name, *error);
    }

  private:
    // Builders of one golden database on one server take turns, whichever host
    // they run on: MongoDB has no named locks, so the lock is a document with a
    // unique _id in dbclone_meta.locks, taken over from a builder that died:
    // at once when it ran on this host (its pid is gone), else after ten minutes.
    struct BuildLock {
        MongoClient& admin;
        std::string id;
        BuildLock(MongoClient& a, const std::string& golden) : admin(a), id(id_of(golden)) {
            // Whose the lock is: a document this process wrote, told apart by a nonce.
            std::string owner = host_name() + " " + std::to_string(::getpid()) + " " +
                                std::to_string(std::random_device{}());
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
                if (auto holder = owner_of(admin, id); holder && dead_local(*holder)) {
                    admin.try_command(
                        meta_database,
                        BsonDocument(BCON_NEW("delete", BCON_UTF8("locks"), "deletes", "[", "{",
                                              "q", "{", "_id", BCON_UTF8(id.c_str()), "owner",
                                              BCON_UTF8(holder->c_str()), "}", "limit",
                                              BCON_INT32(1), "}", "]")));
                    continue;
                }
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
        static std::string id_of(const std::string& golden) { return "build " + golden; }
        static std::string host_name() {
            char name[256] = {};
            ::gethostname(name, sizeof name - 1);
            return name;
        }
        // Whether `owner` (a lock document's) is a process of this host that is gone.
        static bool dead_local(const std::string& owner) {
            std::string prefix = host_name() + " ";
            return owner.rfind(prefix, 0) == 0 &&
                   !sdk::process_alive(std::atoll(owner.c_str() + prefix.size()));
        }
        // Who holds lock `id`, or nullopt when nobody does.
        static std::optional<std::string> owner_of(MongoClient& admin, const std::string& id) {
            auto rows =
                admin.cursor_command(meta_database,
                                     BsonDocument(BCON_NEW("find", BCON_UTF8("locks"), "filter",
                                                           "{", "_id", BCON_UTF8(id.c_str()), "}")),
                                     "reading dbclone_meta.locks");
            if (rows.empty()) return std::nullopt;
            return utf8_field(rows[0].get(), "owner");
        }
        // Every golden database's build lock and its owner, read at once.
        static std::map<std::string, std::string> owners(MongoClient& admin) {
            std::map<std::string, std::string> out;
            const std::string prefix = id_of("");
            for (const auto& row : admin.cursor_command(
                     meta_database, BsonDocument(BCON_NEW("find", BCON_UTF8("locks"))),
                     "reading dbclone_meta.locks")) {
                std::string id = utf8_field(row.get(), "_id");
                if (id.rfind(prefix, 0) == 0)
                    out[id.substr(prefix.size())] = utf8_field(row.get(), "owner");
            }
            return out;
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
        // A client idle for a while may hold a connection to a server that has
        // restarted since, and its next command would fail ("socket error"). It
        // is pinged first and replaced when the server does not answer, so that a
        // long-lived process (`serve`, a reconcile after a restart) carries on.
        auto now = std::chrono::steady_clock::now();
        if (admin_ && now - admin_used_ > std::chrono::milliseconds(50) && !admin_->answers())
            admin_.reset();
        admin_used_ = now;
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

    static void create_user(MongoClient& admin, const std::string& database,
                            const std::string& name, const std::string& password,
                            const char* role) {
        admin.command(
            database,
            BsonDocument(BCON_NEW("createUser", BCON_UTF8(name.c_str()), "pwd",
                                  BCON_UTF8(password.c_str()), "roles", "[", "{", "role",
                                  BCON_UTF8(role), "db", BCON_UTF8(database.c_str()), "}", "]")),
            "creating user " + name);
    }

    // A tenant logs in with its own user where the server enforces users; where
    // it does not, as nobody (the server would not check a password anyway).
    std::optional<Credentials> login_of(const dbc_target& t) {
        if (!features().authorization_enforced) return Credentials{};
        return Credentials{t.user != nullptr ? t.user : "", t.password != nullptr ? t.password : "",
                           t.location};
    }

    // Drops `database`; when `writers_may_run`, again each time it reappears,
    // until it has stayed away for settle_time (see drop_objects).
    void drop_database(const std::string& database, bool writers_may_run) {
        MongoClient& admin = admin_client();
        auto drop = [&] {
            admin.command(database, BsonDocument(BCON_NEW("dropDatabase", BCON_INT32(1))),
                          "dropping " + database);
        };
        drop();
        using clock = std::chrono::steady_clock;
        // 2 s was too short once on the 2-core CI machine with a test on the
        // other core: a killed create's last write came later.
        const auto settle_time = std::chrono::seconds(5);
        auto give_up = clock::now() + std::chrono::seconds(60), quiet_since = clock::now();
        while (writers_may_run && clock::now() - quiet_since < settle_time) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            // By name, not by listCollections: a late write that the server
            // cut short can leave the database made but empty.
            auto names = admin.database_names("checking for " + database);
            if (std::find(names.begin(), names.end(), database) == names.end()) continue;
            if (clock::now() > give_up)
                throw sdk::Failure(DBC_TIMEOUT, "a killed writer is still writing into " +
                                                    database + " after 60 s; try again later");
            drop();
            quiet_since = clock::now();
        }
    }

    // Golden databases ("dbclone_root_<version>") without a golden_copies record.
    std::vector<std::string> unrecorded_goldens(MongoClient& admin) {
        std::vector<std::string> out;
        for (auto& name : admin.database_names("listing golden databases"))
            if (name.rfind("dbclone_root_", 0) == 0 && !find_golden(admin, name))
                out.push_back(std::move(name));
        return out;
    }

    // A golden database a killed build left: dropped under its build lock (a
    // dead local builder's lock is taken over, and released), if it still has
    // no record.
    // A golden database `roots gc` found unused: only a recorded one, under
    // its build lock; the record goes first (a half-dropped copy is then a
    // leftover reconcile removes) and the local document cache with it.
    void drop_golden(std::string_view location) {
        std::string name(location);
        MongoClient& admin = admin_client();
        BuildLock lock(admin, name);
        auto golden = find_golden(admin, name);
        if (!golden) return;
        admin.command(meta_database,
                      BsonDocument(BCON_NEW("delete", BCON_UTF8("golden_copies"), "deletes", "[",
                                            "{", "q", "{", "_id", BCON_UTF8(name.c_str()), "}",
                                            "limit", BCON_INT32(0), "}", "]")),
                      "forgetting " + name);
        drop_database(name, true);
        cache_of(*golden).remove();
        goldens_.erase(name);
    }

    void drop_build_leftover(std::string_view location) {
        static const std::regex golden("^dbclone_root_[a-z0-9_]+$");
        std::string name(location);
        if (!std::regex_match(name, golden))
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "refusing to drop " + name + ": not a golden build's leftover");
        MongoClient& admin = admin_client();
        BuildLock lock(admin, name);
        if (!find_golden(admin, name)) drop_database(name, true);
    }

    // The tenant's dbclone_meta.tenants record, if it has one.
    std::optional<BsonDocument> tenant_record(std::string_view tenant) {
        auto rows = admin_client().cursor_command(
            meta_database,
            BsonDocument(BCON_NEW("find", BCON_UTF8("tenants"), "filter", "{", "_id",
                                  BCON_UTF8(std::string(tenant).c_str()), "}")),
            "reading dbclone_meta.tenants");
        if (rows.empty()) return std::nullopt;
        return std::move(rows.front());
    }
    static bool flag(const BsonDocument& record, const char* name) {
        bson_iter_t it;
        return bson_iter_init_find(&it, record.get(), name) && BSON_ITER_HOLDS_BOOL(&it) &&
               bson_iter_bool(&it);
    }
    bool owned(const BsonDocument& record) const {
        bson_iter_t it;
        return bson_iter_init_find(&it, record.get(), "installation") &&
               BSON_ITER_HOLDS_UTF8(&it) && bson_iter_utf8(&it, nullptr) == installation_;
    }

    // The tenant's create never completed (its record says "creating"), or
    // was cut short before (a tombstone): the client died, and writes it had
    // sent may still be running on the server.
    bool create_was_cut_short(std::string_view tenant) {
        auto record = tenant_record(tenant);
        return record && (flag(*record, "creating") || flag(*record, "tombstone"));
    }

    static void forget(MongoClient& admin, std::string_view tenant) {
        admin.command(meta_database,
                      BsonDocument(BCON_NEW("delete", BCON_UTF8("tenants"), "deletes", "[", "{",
                                            "q", "{", "_id", BCON_UTF8(std::string(tenant).c_str()),
                                            "}", "limit", BCON_INT32(0), "}", "]")),
                      "forgetting tenant " + std::string(tenant));
    }

    // Drops the tenant's user and database and forgets it; names come from the
    // tenant id alone. Idempotent. When `writers_may_run` (a killed create),
    // the writes its server connections were running finish after the client
    // died and would make the database again, unrecorded, blocking the id for
    // ever; neither FerretDB nor the driver can list or end them (FerretDB's
    // currentOp is always empty), and one in flight is at most a batch of
    // documents or an index build per connection. So the drop is repeated until
    // the database has stayed away for settle_time. Even so, one was seen to
    // land later on a loaded machine. So the record of a killed create stays
    // as a tombstone: a database that appears later is still known as ours,
    // and the next create of the id, or reconcile (list_artifacts), drops it.
    void drop_objects(std::string_view tenant, bool drop_user, bool writers_may_run) {
        MongoClient& admin = admin_client();
        std::string database = sdk::tenant_database(tenant), user = sdk::tenant_user(tenant);
        if (drop_user && features().authorization_enforced)
            for (const auto& name : {user, sdk::tenant_query_user(tenant)}) {
                auto error = admin.try_command(
                    database, BsonDocument(BCON_NEW("dropUser", BCON_UTF8(name.c_str()))));
                if (error && error->code != 11 /* UserNotFound */)
                    throw_command_error("dropping user " + name, *error);
            }
        drop_database(database, writers_may_run);
        if (!writers_may_run) return forget(admin, tenant);
        admin.command(
            meta_database,
            BsonDocument(BCON_NEW("update", BCON_UTF8("tenants"), "updates", "[", "{", "q", "{",
                                  "_id", BCON_UTF8(std::string(tenant).c_str()), "}", "u", "{",
                                  "$set", "{", "creating", BCON_BOOL(false), "tombstone",
                                  BCON_BOOL(true), "}", "}", "}", "]")),
            "leaving the tombstone of " + user);
    }

    sdk::Host host_;
    std::string uri_;
    std::string strategy_;
    std::string installation_;
    std::filesystem::path cache_dir_;
    DatabaseCopier copier_;
    DriverLogRoute log_route_;
    std::unique_ptr<MongoClient> admin_;
    std::chrono::steady_clock::time_point admin_used_;  // the last call of admin_client()
    std::optional<ServerFeatures> features_;
    std::map<std::string, GoldenDatabase> goldens_;  // prepared by ensure_golden
};

}  // namespace dbclone::mongodb

DBC_DECLARE_BACKEND(dbclone::mongodb::MongodbBackend, "mongodb", "0.1.0")
