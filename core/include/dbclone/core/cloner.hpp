// Creates and removes tenant clones, following ARCHITECTURE's data flow. Every
// step of `create` registers how to undo itself; a failure undoes them in reverse,
// so a failed create leaves no file, row or port behind.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "dbclone/core/engine.hpp"

namespace dbclone {

struct CreateRequest {
    std::string tenant_id;
    std::string db_type;
    std::string version;        // empty: the configured default
    std::string placement;      // empty: the backend's natural placement
    std::string strategy = {};  // empty: the backend chooses (e.g. mysql: logical, tablespace)
    // "NAME=VALUE" items over the configured default limits (--limit).
    std::vector<std::string> limits = {};
};

// Told when each step of a create finishes. It may throw to abort the create
// (tests use that to inject a failure at a given step).
using StepObserver =
    std::function<void(const std::string& step, std::chrono::steady_clock::duration took)>;

class Cloner {
  public:
    explicit Cloner(Engine& engine) : engine_(engine) {}

    // Makes tenant `request.tenant_id` and returns its ready registry row.
    CloneRecord create(const CreateRequest& request, const StepObserver& observer = {});

    // Removes the tenant's database, login and port, then its row. Throws
    // Error(NotFound) for an unknown tenant, Error(Conflict) while another live
    // process is still creating it. A failed drop leaves the row in `removing`.
    void remove(const std::string& tenant_id);

    // A new password for the tenant's `login` ("owner" or "query"), set on its
    // server and then in the registry; the tenant's ready row, with it. Should
    // the registry refuse it, the old password is set back on the server.
    // Error(InvalidInput) for another login, or an engine without logins.
    CloneRecord rotate_password(const std::string& tenant_id, const std::string& login);

    // Placements `db_type` supports now, natural one first.
    std::vector<std::string> placements_for(const std::string& db_type);

    // Start or stop a dedicated tenant's server (placements process, docker).
    // Error(InvalidInput) for a tenant on a shared server.
    void start(const std::string& tenant_id);
    void stop(const std::string& tenant_id);

  private:
    CloneRecord dedicated_tenant(const std::string& tenant_id);

    Engine& engine_;
};

// True when `pid` is a live process on this machine.
bool process_alive(int64_t pid);

}  // namespace dbclone
