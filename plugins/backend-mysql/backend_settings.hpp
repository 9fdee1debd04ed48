// The mysql plugin's settings (config section "plugins.mysql").
#pragma once

#include <chrono>
#include <string>

namespace dbclone::mysql {

struct BackendSettings {
    // mysql://admin:password@host:port/ of a login that may create databases and
    // users and grant (ALL PRIVILEGES ON *.* WITH GRANT OPTION, in practice).
    std::string url;
    // "auto": tablespace when the server's data directory is reachable, else
    // logical; "logical" or "tablespace" force one (--strategy wins over this).
    std::string strategy = "auto";
    // The server's data directory as seen from here, when it differs from what
    // the server reports in @@datadir (a container's bind mount, say).
    std::string datadir;
    // How long a golden build waits for another dbclone's build of the same
    // schema before it gives up with an error naming the lock.
    std::chrono::seconds lock_timeout{600};

    static constexpr const char* schema = R"({
        "type": "object",
        "properties": {
            "url": {"type": "string"},
            "strategy": {"type": "string", "enum": ["auto", "logical", "tablespace"]},
            "datadir": {"type": "string"},
            "lock_timeout_s": {"type": "integer"}
        },
        "additionalProperties": false
    })";

    static BackendSettings parse(const char* config_json);
};

}  // namespace dbclone::mysql
