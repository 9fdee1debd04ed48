#include "backend_settings.hpp"

#include <rapidjson/document.h>

namespace dbclone::postgresql {

namespace {
// Measured on 2 cores (docs/postgresql.md): WAL_LOG wins below, FILE_COPY above.
constexpr uint64_t default_file_copy_above_mb = 32;
}  // namespace

BackendSettings BackendSettings::parse(const char* config_json) {
    BackendSettings s;
    s.file_copy_above_bytes = default_file_copy_above_mb << 20;
    rapidjson::Document doc;
    doc.Parse(config_json != nullptr ? config_json : "{}");
    if (!doc.IsObject()) return s;
    if (doc.HasMember("url")) s.url = doc["url"].GetString();
    if (doc.HasMember("strategy")) s.strategy = doc["strategy"].GetString();
    if (doc.HasMember("file_copy_above_mb"))
        s.file_copy_above_bytes = doc["file_copy_above_mb"].GetUint64() << 20;
    return s;
}

}  // namespace dbclone::postgresql
