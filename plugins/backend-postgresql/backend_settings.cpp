#include "backend_settings.hpp"

#include <dbclone/plugin_helpers.hpp>

namespace dbclone::postgresql {

namespace {
// Measured on 2 cores (docs/postgresql.md): WAL_LOG wins below, FILE_COPY above.
constexpr int64_t default_file_copy_above_mb = 32;
}  // namespace

BackendSettings BackendSettings::parse(const char* config_json) {
    BackendSettings s;
    s.url = sdk::option_string(config_json, "url");
    if (auto strategy = sdk::option_string(config_json, "strategy"); !strategy.empty())
        s.strategy = strategy;
    s.file_copy_above_bytes = static_cast<uint64_t>(sdk::option_int(
                                  config_json, "file_copy_above_mb", default_file_copy_above_mb))
                              << 20;
    s.lock_timeout = std::chrono::milliseconds(
        sdk::option_int(config_json, "lock_timeout_ms", s.lock_timeout.count()));
    return s;
}

}  // namespace dbclone::postgresql
