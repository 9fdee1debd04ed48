// The postgresql plugin's settings (config section "plugins.postgresql").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dbclone::postgresql {

struct BackendSettings {
    // libpq URI or key=value string of an admin login with CREATEDB and CREATEROLE.
    std::string url;
    // "auto" picks by template size; "wal_log" or "file_copy" force one.
    std::string strategy = "auto";
    // With "auto", templates larger than this are copied with FILE_COPY
    // (see docs/postgresql.md for the measured crossover).
    uint64_t file_copy_above_bytes = 0;
    // How long a golden build waits for another dbclone's build of the same
    // template before it gives up with an error naming the lock.
    std::chrono::milliseconds lock_timeout{600000};

    static constexpr const char* schema = R"({
        "type": "object",
        "properties": {
            "url": {"type": "string"},
            "strategy": {"type": "string", "enum": ["auto", "wal_log", "file_copy"]},
            "file_copy_above_mb": {"type": "integer"},
            "lock_timeout_ms": {"type": "integer"}
        },
        "additionalProperties": false
    })";

    // Parses the (already schema-validated) config section.
    static BackendSettings parse(const char* config_json);
};

}  // namespace dbclone::postgresql
