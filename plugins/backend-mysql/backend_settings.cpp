#include "backend_settings.hpp"

#include <dbclone/plugin_helpers.hpp>

namespace dbclone::mysql {

BackendSettings BackendSettings::parse(const char* config_json) {
    BackendSettings s;
    s.url = sdk::option_string(config_json, "url");
    if (auto strategy = sdk::option_string(config_json, "strategy"); !strategy.empty())
        s.strategy = strategy;
    s.datadir = sdk::option_string(config_json, "datadir");
    s.lock_timeout = std::chrono::seconds(
        sdk::option_int(config_json, "lock_timeout_s", s.lock_timeout.count()));
    return s;
}

}  // namespace dbclone::mysql
