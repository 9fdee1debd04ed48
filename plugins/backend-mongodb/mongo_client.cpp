#include "mongo_client.hpp"

#include <dbclone/sdk.hpp>

#include <algorithm>
#include <mutex>

namespace dbclone::mongodb {

namespace {

void init_driver() {
    static std::once_flag once;
    std::call_once(once, [] { mongoc_init(); });
}

CommandError error_of(const bson_error_t& e) {
    return {e.domain, e.code, e.message};
}

bool from_server(const CommandError& e) {
    return e.domain == MONGOC_ERROR_SERVER || e.domain == MONGOC_ERROR_QUERY ||
           e.domain == MONGOC_ERROR_WRITE_CONCERN;
}

std::mutex log_mutex;
std::vector<const sdk::Host*> log_hosts;  // live routes, newest last

void forward_log(mongoc_log_level_t, const char* domain, const char* message, void*) {
    std::lock_guard lock(log_mutex);
    if (!log_hosts.empty())
        log_hosts.back()->debug(std::string("mongo-c-driver ") + domain + ": " + message);
}

}  // namespace

DriverLogRoute::DriverLogRoute(const sdk::Host* host) : host_(host) {
    init_driver();
    std::lock_guard lock(log_mutex);
    if (log_hosts.empty()) mongoc_log_set_handler(forward_log, nullptr);
    log_hosts.push_back(host_);
}

DriverLogRoute::~DriverLogRoute() {
    std::lock_guard lock(log_mutex);
    log_hosts.erase(std::find(log_hosts.begin(), log_hosts.end(), host_));
}

bool is_unsupported(const CommandError& e) {
    if (!from_server(e)) return false;
    // 59 CommandNotFound, 115 CommandNotSupported, 238 NotImplemented, 9 FailedToParse
    // (an option the server does not know), 2 BadValue (likewise, on some servers).
    return e.code == 59 || e.code == 115 || e.code == 238 || e.code == 9 || e.code == 2 ||
           e.code == 40324 /* unrecognized pipeline stage */;
}

bool is_denied(const CommandError& e) {
    return (from_server(e) && (e.code == 13 || e.code == 18)) ||
           (e.domain == MONGOC_ERROR_CLIENT && e.code == MONGOC_ERROR_CLIENT_AUTHENTICATE);
}

void throw_command_error(const std::string& what, const CommandError& e) {
    dbc_rc rc = DBC_ERROR;
    if (is_denied(e))
        rc = DBC_DENIED;
    else if (e.domain == MONGOC_ERROR_SERVER_SELECTION || e.domain == MONGOC_ERROR_STREAM)
        rc = DBC_UNAVAILABLE;
    else if (from_server(e) && (e.code == 48 || e.code == 11000))  // NamespaceExists, DuplicateKey
        rc = DBC_CONFLICT;
    throw sdk::Failure(rc,
                       what + " failed: " + e.message + " (code " + std::to_string(e.code) + ")");
}

void insert_batch(mongoc_collection_t* collection, const std::vector<BsonDocument>& batch,
                  const std::string& what) {
    if (batch.empty()) return;
    // A plain array: bson_t carries an alignment attribute that a std::vector of
    // its pointers would drop.
    auto docs = static_cast<const bson_t**>(bson_malloc(batch.size() * sizeof(bson_t*)));
    for (size_t i = 0; i < batch.size(); ++i) docs[i] = batch[i].get();
    BsonDocument opts(BCON_NEW("ordered", BCON_BOOL(false)));
    bson_error_t error;
    bool ok =
        mongoc_collection_insert_many(collection, docs, batch.size(), opts.get(), nullptr, &error);
    bson_free(docs);
    if (!ok) throw_command_error(what, error_of(error));
}

MongoClient::MongoClient(const std::string& uri, const std::optional<Credentials>& login) {
    init_driver();
    bson_error_t error;
    // Without its user information, the URI logs in as nobody.
    std::string text = uri;
    if (login) {
        auto start = text.find("://");
        auto at = text.find('@', start == std::string::npos ? 0 : start);
        auto slash = text.find('/', start == std::string::npos ? 0 : start + 3);
        if (start != std::string::npos && at != std::string::npos &&
            (slash == std::string::npos || at < slash))
            text.erase(start + 3, at - start - 2);
    }
    uri_ = mongoc_uri_new_with_error(text.c_str(), &error);
    if (uri_ == nullptr)
        throw sdk::Failure(DBC_INVALID_ARGUMENT, std::string("bad MongoDB URI: ") + error.message);
    if (login && !login->user.empty()) {
        mongoc_uri_set_username(uri_, login->user.c_str());
        mongoc_uri_set_password(uri_, login->password.c_str());
        mongoc_uri_set_auth_source(uri_, login->auth_db.c_str());
    }
    // Fail fast on an unreachable server rather than after the 30 s default.
    mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000);
    mongoc_uri_set_option_as_int32(uri_, MONGOC_URI_CONNECTTIMEOUTMS, 5000);
    client_ = mongoc_client_new_from_uri(uri_);
    if (client_ == nullptr) throw sdk::Failure(DBC_INVALID_ARGUMENT, "bad MongoDB URI");
    mongoc_client_set_error_api(client_, MONGOC_ERROR_API_VERSION_2);
    mongoc_client_set_appname(client_, "dbclone");
}

MongoClient::~MongoClient() {
    mongoc_client_destroy(client_);
    mongoc_uri_destroy(uri_);
}

std::optional<CommandError> MongoClient::try_command(const std::string& db,
                                                     const BsonDocument& command,
                                                     BsonDocument* reply) {
    bson_t out;
    bson_error_t error;
    bool ok =
        mongoc_client_command_simple(client_, db.c_str(), command.get(), nullptr, &out, &error);
    if (reply != nullptr) *reply = BsonDocument(bson_copy(&out));
    bson_destroy(&out);
    if (ok) return std::nullopt;
    return error_of(error);
}

BsonDocument MongoClient::command(const std::string& db, const BsonDocument& command,
                                  const std::string& what) {
    BsonDocument reply;
    if (auto e = try_command(db, command, &reply)) throw_command_error(what, *e);
    return reply;
}

std::vector<BsonDocument> MongoClient::cursor_command(const std::string& db,
                                                      const BsonDocument& command,
                                                      const std::string& what) {
    BsonDocument reply = this->command(db, command, what);
    mongoc_cursor_t* cursor =
        mongoc_cursor_new_from_command_reply_with_opts(client_, bson_copy(reply.get()), nullptr);
    std::vector<BsonDocument> out;
    const bson_t* doc = nullptr;
    while (mongoc_cursor_next(cursor, &doc)) out.push_back(BsonDocument::copy_of(doc));
    bson_error_t error;
    bool failed = mongoc_cursor_error(cursor, &error);
    mongoc_cursor_destroy(cursor);
    if (failed) throw_command_error(what, error_of(error));
    return out;
}

std::vector<std::string> MongoClient::database_names(const std::string& what) {
    bson_error_t error;
    char** names = mongoc_client_get_database_names_with_opts(client_, nullptr, &error);
    if (names == nullptr) throw_command_error(what, error_of(error));
    std::vector<std::string> out;
    for (char** n = names; *n != nullptr; ++n) out.emplace_back(*n);
    bson_strfreev(names);
    return out;
}

bool MongoClient::answers() {
    auto e = try_command("admin", BsonDocument(BCON_NEW("ping", BCON_INT32(1))));
    return !e || from_server(*e);
}

std::string MongoClient::host() const {
    const mongoc_host_list_t* hosts = mongoc_uri_get_hosts(uri_);
    return hosts != nullptr ? hosts->host : "127.0.0.1";
}

uint32_t MongoClient::port() const {
    const mongoc_host_list_t* hosts = mongoc_uri_get_hosts(uri_);
    return hosts != nullptr ? hosts->port : 27017;
}

}  // namespace dbclone::mongodb
