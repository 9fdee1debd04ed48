// Brings the world back in line with the registry after crashes: rows stuck in
// `creating`/`removing` whose process is gone, servers and data directories of
// dedicated placements that no row knows, tenant artifacts (files, databases)
// that no row knows, what golden builds that died half-way left (a build
// server, directory, database or login), and port allocations whose clone is
// gone.
//
// What no row knows is deleted only when the registry can be trusted to know
// everything: never while the registry has no history at all (a new one), and
// never more orphans at once than a quarter of the tenants the registry knows
// (at least one) unless forced. A registry that lost its rows (restored from an
// old backup, started anew with --init beside old data) thus loses nothing.
// Leftovers of dead golden builds hold no tenant's data and do not count.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dbclone/core/engine.hpp"

namespace dbclone {

struct ReconcileReport {
    std::vector<std::string> actions;   // what was cleaned, one line each
    std::vector<std::string> problems;  // what could not be cleaned, or was left
};

class Reconciler {
  public:
    // `force`: delete orphans beyond the share above (reconcile --force).
    explicit Reconciler(Engine& engine, bool force = false) : engine_(engine), force_(force) {}
    ReconcileReport run();

  private:
    // Something no row knows, and how to delete it.
    struct Orphan {
        std::string what;                     // e.g. "sqlite artifact /x/tenant_a_db.sqlite"
        std::function<std::string()> remove;  // deletes it; returns the action line
        bool tenant_data = true;              // false: a dead golden build's leftover
    };
    void finish_stuck_rows(ReconcileReport& report);
    void find_orphan_artifacts(std::vector<Orphan>& orphans, ReconcileReport& report);
    void find_orphan_servers(std::vector<Orphan>& orphans, ReconcileReport& report);
    void find_orphan_data(std::vector<Orphan>& orphans);
    // Whether this many orphans may go; says why not in `report` otherwise.
    bool may_remove(const std::vector<Orphan>& orphans, ReconcileReport& report);
    Engine& engine_;
    bool force_;
};

}  // namespace dbclone
