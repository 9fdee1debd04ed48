#include "backend_settings.hpp"

#include <rapidjson/document.h>

namespace dbclone::mysql {

BackendSettings BackendSettings::parse(const char* config_json) {
    BackendSettings s;
    rapidjson::Document doc;
    doc.Parse(config_json != nullptr ? config_json : "{}");
    if (!doc.IsObject()) return s;
    if (doc.HasMember("url")) s.url = doc["url"].GetString();
    if (doc.HasMember("strategy")) s.strategy = doc["strategy"].GetString();
    if (doc.HasMember("datadir")) s.datadir = doc["datadir"].GetString();
    return s;
}

}  // namespace dbclone::mysql
