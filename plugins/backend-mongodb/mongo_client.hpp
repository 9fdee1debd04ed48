// One MongoDB client (libmongoc), destroyed with this object, and the command
// helpers the backend uses. Not thread-safe: a thread makes its own.
#pragma once

#include <mongoc/mongoc.h>
#include <dbclone/sdk.hpp>

#include <optional>
#include <string>
#include <vector>

#include "bson_document.hpp"

namespace dbclone::mongodb {

// A server's answer to a failed command.
struct CommandError {
    uint32_t domain = 0;  // MONGOC_ERROR_SERVER for the server's own errors
    uint32_t code = 0;    // the server's error code (13 Unauthorized, 59 CommandNotFound, ...)
    std::string message;
};

// While it lives, sends the driver's own log lines (such as a server lacking
// endSessions) to `host` at debug level instead of stderr. The driver's log
// handler is process-wide: it forwards to the newest live route, or drops.
class DriverLogRoute {
  public:
    explicit DriverLogRoute(const sdk::Host* host);
    ~DriverLogRoute();
    DriverLogRoute(const DriverLogRoute&) = delete;
    DriverLogRoute& operator=(const DriverLogRoute&) = delete;

  private:
    const sdk::Host* host_;
};

// Codes that mean "the server cannot do this": CommandNotFound, and the
// not-implemented and unsupported-option codes MongoDB-compatible servers use.
bool is_unsupported(const CommandError& e);
// Unauthorized (13), AuthenticationFailed (18), or the driver failing to log in.
bool is_denied(const CommandError& e);

// Who a client logs in as, instead of the URI's own credentials. An empty user
// logs in as nobody (an anonymous client).
struct Credentials {
    std::string user;
    std::string password;  // secret: never logged
    std::string auth_db;
};

class MongoClient {
  public:
    // Connects lazily (libmongoc connects on first use), as the URI says or as
    // `login`; throws sdk::Failure for a malformed URI.
    explicit MongoClient(const std::string& uri,
                         const std::optional<Credentials>& login = std::nullopt);
    ~MongoClient();
    MongoClient(const MongoClient&) = delete;
    MongoClient& operator=(const MongoClient&) = delete;

    // Runs a command on `db`; returns the reply or throws sdk::Failure naming `what`.
    BsonDocument command(const std::string& db, const BsonDocument& command,
                         const std::string& what);
    // Like command, but returns the server's error instead of throwing.
    std::optional<CommandError> try_command(const std::string& db, const BsonDocument& command,
                                            BsonDocument* reply = nullptr);

    // Every document a cursor-returning command yields (find, listCollections,
    // listIndexes, aggregate), following getMore.
    std::vector<BsonDocument> cursor_command(const std::string& db, const BsonDocument& command,
                                             const std::string& what);

    // The names of the server's databases (an empty one too, which
    // listCollections cannot tell from a missing one).
    std::vector<std::string> database_names(const std::string& what);

    mongoc_client_t* get() { return client_; }
    // Whether the server answers a ping (with an error of its own, too).
    bool answers();
    // The first host of the URI, for tenants' connection parameters.
    std::string host() const;
    uint32_t port() const;

  private:
    mongoc_uri_t* uri_ = nullptr;
    mongoc_client_t* client_ = nullptr;
};

// Inserts `batch` into `collection` as one unordered bulk write; throws
// sdk::Failure naming `what` on failure.
void insert_batch(mongoc_collection_t* collection, const std::vector<BsonDocument>& batch,
                  const std::string& what);

// Throws sdk::Failure for a command error: DBC_DENIED, DBC_UNAVAILABLE, ...
[[noreturn]] void throw_command_error(const std::string& what, const CommandError& e);

}  // namespace dbclone::mongodb
