// A MongoDB client outside dbclone, for inspecting what it made (tests only).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

struct _mongoc_client_t;

namespace dbclone::testing {

class Inspector {
  public:
    explicit Inspector(const std::string& uri);
    ~Inspector();
    Inspector(const Inspector&) = delete;
    Inspector& operator=(const Inspector&) = delete;

    // collection -> {count, sha256 of every document in _id order}
    std::map<std::string, std::pair<long, std::string>> contents(const std::string& db);
    std::vector<std::string> collections(const std::string& db);
    std::vector<std::string> index_names(const std::string& db, const std::string& collection);
    bool database_exists(const std::string& db) { return !collections(db).empty(); }
    // Runs `command_json` (extended JSON) on `db`; throws with the server's
    // message when it fails.
    void command(const std::string& db, const std::string& command_json);
    // How many documents of db.collection match `filter_json`.
    long count(const std::string& db, const std::string& collection,
               const std::string& filter_json);
    // Every database of the server whose name starts with `prefix`, sorted.
    std::vector<std::string> databases(const std::string& prefix);

  private:
    _mongoc_client_t* client_ = nullptr;
};

}  // namespace dbclone::testing
