// Copies a golden database into a tenant's new database: collections with
// their options, documents, indexes (from listIndexes) and views. Documents go
// server-side with $out where the server can write to another database, else
// by streaming (cursor batches into unordered bulk inserts); collections are
// copied in parallel, each worker with its own client.
#pragma once

#include <string>
#include <vector>

#include "document_cache.hpp"
#include "golden_database.hpp"

namespace dbclone::mongodb {

enum class CopyMethod { Auto, ServerSide, Streaming };

CopyMethod parse_copy_method(const std::string& text);  // throws sdk::Failure

struct CopyReport {
    std::string method;  // "server_side" or "streaming"
    long long documents = 0;
    std::vector<std::string> skipped;  // what the server could not take (options, views)
};

class DatabaseCopier {
  public:
    DatabaseCopier(std::string uri, int parallelism)
        : uri_(std::move(uri)), parallelism_(parallelism) {}

    // Copies `golden` into `tenant` (which must not exist). `method` Auto tries
    // server-side first and remembers whether the server could do it. A
    // streaming copy reads from `cache` where it holds the collection.
    CopyReport copy(MongoClient& admin, const std::string& golden, const std::string& tenant,
                    CopyMethod method, const DocumentCache& cache);

  private:
    std::string uri_;
    int parallelism_;
    // Whether $out into another database worked here: unknown until tried.
    std::optional<bool> server_side_works_;
};

}  // namespace dbclone::mongodb
