#include "isolation_probes.hpp"

#include <dbclone/plugin_helpers.hpp>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

namespace {

const char* const probe_names[] = {"list_other_collections", "read_other_documents",
                                   "write_into_other_database", "list_databases"};

void probe(const sdk::Sink& sink, MongoClient& attacker, const std::string& name,
           const std::string& db, const BsonDocument& command) {
    auto error = attacker.try_command(db, command);
    if (!error)
        sdk::write_probe(sink, name, "allowed", "the server ran it");
    else if (is_denied(*error))
        sdk::write_probe(sink, name, "denied", error->message);
    else
        sdk::write_probe(sink, name, "error",
                         error->message + " (code " + std::to_string(error->code) + ")");
}

}  // namespace

void run_isolation_probes(const std::string& uri, const ServerFeatures& features,
                          const dbc_target& a, const dbc_target& b, const sdk::Sink& sink) {
    if (!features.authorization_enforced) {
        for (const char* name : probe_names)
            sdk::write_probe(
                sink, name, "not_enforced",
                features.server +
                    " does not enforce authorization (it serves a client that has not "
                    "logged in), so no login can be kept out of another database; place "
                    "tenants on servers of their own to isolate them here");
        return;
    }
    std::string victim = b.location;
    MongoClient attacker(uri, Credentials{a.user != nullptr ? a.user : "",
                                          a.password != nullptr ? a.password : "", a.location});
    probe(sink, attacker, "list_other_collections", victim,
          BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))));
    probe(sink, attacker, "read_other_documents", victim,
          BsonDocument(BCON_NEW("find", BCON_UTF8("customers"), "limit", BCON_INT32(1))));
    probe(sink, attacker, "write_into_other_database", victim,
          BsonDocument(BCON_NEW("insert", BCON_UTF8("dbclone_isolation_probe"), "documents", "[",
                                "{", "probe", BCON_INT32(1), "}", "]")));
    // listDatabases succeeds for everyone, showing what one may use: isolation
    // means nothing but the tenant's own database.
    BsonDocument reply;
    auto error = attacker.try_command(
        "admin",
        BsonDocument(BCON_NEW("listDatabases", BCON_INT32(1), "nameOnly", BCON_BOOL(true))),
        &reply);
    if (error) {
        sdk::write_probe(sink, "list_databases", is_denied(*error) ? "denied" : "error",
                         error->message);
        return;
    }
    std::string others;
    bson_iter_t it, list;
    if (bson_iter_init_find(&it, reply.get(), "databases") && bson_iter_recurse(&it, &list))
        while (bson_iter_next(&list)) {
            bson_iter_t entry;
            if (bson_iter_recurse(&list, &entry) && bson_iter_find(&entry, "name") &&
                BSON_ITER_HOLDS_UTF8(&entry)) {
                std::string name = bson_iter_utf8(&entry, nullptr);
                if (name != a.location) others += (others.empty() ? "" : ", ") + name;
            }
        }
    sdk::write_probe(
        sink, "list_databases", others.empty() ? "denied" : "allowed",
        others.empty() ? "lists only " + std::string(a.location) : "also lists: " + others);
}

}  // namespace dbclone::mongodb
