#include "dbclone/core/reconciler.hpp"

#include "dbclone/core/cloner.hpp"
#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"

namespace dbclone {

void Reconciler::finish_stuck_rows(ReconcileReport& report) {
    for (const auto& row : engine_.registry().clones()) {
        if (row.state == "ready" || process_alive(row.owner_pid)) continue;
        try {
            Cloner(engine_).remove(row.tenant_id);
            report.actions.push_back("removed tenant " + row.tenant_id + " stuck in " + row.state +
                                     " (process " + std::to_string(row.owner_pid) + " is gone)");
        } catch (const std::exception& e) {
            report.problems.push_back("tenant " + row.tenant_id + ": " + e.what());
        }
    }
}

void Reconciler::drop_orphan_artifacts(ReconcileReport& report) {
    auto& registry = engine_.registry();
    for (const auto& type : engine_.backend_types()) {
        try {
            Backend& backend = engine_.backend(type);
            auto artifacts = backend.list_artifacts();
            if (!artifacts) continue;
            for (const auto& text : *artifacts) {
                auto doc = json::parse(text, type + " artifact record");
                std::string tenant = json::optional_string(doc, "tenant_id", type).value_or("");
                std::string location = json::optional_string(doc, "location", type).value_or("");
                std::string user = json::optional_string(doc, "user", type).value_or("");
                auto row = registry.find_clone(tenant);
                if (row && row->db_type == type) continue;
                backend.drop(tenant, location, user);
                registry.add_event(tenant, "orphan_removed", type + " " + location);
                report.actions.push_back("dropped orphan " + type + " artifact " + location);
            }
        } catch (const std::exception& e) {
            report.problems.push_back(type + ": " + e.what());
        }
    }
}

ReconcileReport Reconciler::run() {
    ReconcileReport report;
    finish_stuck_rows(report);
    drop_orphan_artifacts(report);
    for (uint32_t port : engine_.ports().release_orphans())
        report.actions.push_back("released port " + std::to_string(port) + " of a missing clone");
    return report;
}

}  // namespace dbclone
