// Brings the world back in line with the registry after crashes: rows stuck in
// `creating`/`removing` whose process is gone, servers and data directories of
// dedicated placements that no row knows, tenant artifacts (files, databases)
// that no row knows, and port allocations whose clone is gone.
#pragma once

#include <string>
#include <vector>

#include "dbclone/core/engine.hpp"

namespace dbclone {

struct ReconcileReport {
    std::vector<std::string> actions;   // what was cleaned, one line each
    std::vector<std::string> problems;  // what could not be cleaned
};

class Reconciler {
  public:
    explicit Reconciler(Engine& engine) : engine_(engine) {}
    ReconcileReport run();

  private:
    void finish_stuck_rows(ReconcileReport& report);
    void drop_orphan_artifacts(ReconcileReport& report);
    void remove_orphan_servers(ReconcileReport& report);
    void remove_orphan_data(ReconcileReport& report);
    Engine& engine_;
};

}  // namespace dbclone
