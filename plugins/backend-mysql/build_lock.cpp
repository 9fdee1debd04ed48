#include "build_lock.hpp"

#include <dbclone/sdk.hpp>

namespace dbclone::mysql {

BuildLock::BuildLock(const ServerUrl& server, const std::string& name, std::chrono::seconds timeout)
    : session_(server) {
    std::string q_name = session_.quote_string(name);
    // innodb_lock_wait_timeout counts whole seconds, at least 1.
    session_.query("SET SESSION innodb_lock_wait_timeout = " +
                       std::to_string(std::max<int64_t>(1, timeout.count())) +
                       "; INSERT IGNORE INTO dbclone_meta.locks (name) VALUES (" + q_name +
                       "); START TRANSACTION",
                   "preparing the build lock of " + name);
    auto error = session_.try_exec("SELECT name FROM dbclone_meta.locks WHERE name = " + q_name +
                                   " FOR UPDATE");
    if (!error) return;
    if (error->code == 1205)  // ER_LOCK_WAIT_TIMEOUT
        throw sdk::Failure(
            DBC_TIMEOUT, "waited " + std::to_string(timeout.count()) + " s for the build lock of " +
                             name +
                             " in dbclone_meta.locks (another dbclone is building it); try "
                             "again later");
    throw sdk::Failure(DBC_ERROR, "taking the build lock of " + name +
                                      " failed: " + error->message + " (error " +
                                      std::to_string(error->code) + ")");
}

bool BuildLock::is_free(const ServerUrl& server, const std::string& name) {
    MysqlConnection session(server);
    std::string q_name = session.quote_string(name);
    session.query(
        "INSERT IGNORE INTO dbclone_meta.locks (name) VALUES (" + q_name + "); START TRANSACTION",
        "preparing the build lock of " + name);
    return !session.try_exec("SELECT name FROM dbclone_meta.locks WHERE name = " + q_name +
                             " FOR UPDATE NOWAIT");  // released with the session
}

}  // namespace dbclone::mysql
