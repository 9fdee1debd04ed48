#include "schema_fingerprint.hpp"

#include <dbclone/sha256.hpp>

#include <algorithm>
#include <map>

#include "mongo_client.hpp"

namespace dbclone::mongodb {

std::string schema_fingerprint(MongoClient& client, const std::string& db) {
    std::map<std::string, std::string> lines;  // sorted by name
    auto collections =
        client.cursor_command(db, BsonDocument(BCON_NEW("listCollections", BCON_INT32(1))),
                              "listing the collections of " + db);
    for (const auto& c : collections) {
        std::string name = utf8_field(c.get(), "name");
        if (name.rfind("system.", 0) == 0) continue;
        std::string type = utf8_field(c.get(), "type");
        std::string line = "collection|" + name + "|" + type + "|" +
                           without(c.get(), {"name", "type", "info", "idIndex"}).canonical_json() +
                           "\n";
        if (type != "view") {
            std::map<std::string, std::string> indexes;
            for (const auto& index : client.cursor_command(
                     db, BsonDocument(BCON_NEW("listIndexes", BCON_UTF8(name.c_str()))),
                     "listing the indexes of " + name))
                indexes[utf8_field(index.get(), "name")] =
                    without(index.get(), {"ns", "v"}).canonical_json();
            for (const auto& [index, spec] : indexes) line += "index|" + name + "|" + spec + "\n";
        }
        lines[name] = line;
    }
    sdk::Sha256 hash;
    for (const auto& [name, line] : lines) hash.update(line);
    return hash.hex();
}

}  // namespace dbclone::mongodb
