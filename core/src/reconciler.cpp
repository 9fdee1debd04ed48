#include "dbclone/core/reconciler.hpp"

#include "dbclone/core/cloner.hpp"
#include "dbclone/core/error.hpp"
#include "dbclone/core/json.hpp"

#include <set>

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

// Servers a runtime runs for tenants this registry does not know (or golden
// builds of dead processes) are stopped and removed; known ones are adopted as
// they are.
void Reconciler::remove_orphan_servers(ReconcileReport& report) {
    auto& registry = engine_.registry();
    std::set<std::string> known;
    for (const auto& row : registry.clones())
        if (!row.server.empty()) known.insert(row.server);
    for (const auto& name : engine_.runtime_names()) {
        try {
            Runtime& runtime = engine_.runtime(name);
            auto servers = runtime.list();
            if (!servers) continue;
            for (const auto& text : *servers) {
                std::string server =
                    json::optional_string(json::parse(text, "server record"), "name", name)
                        .value_or("");
                if (server.empty() || known.count(server)) continue;
                // A golden build belongs to the process in its name while that lives.
                const std::string golden_prefix = "dbclone_golden_";
                if (server.rfind(golden_prefix, 0) == 0) {
                    auto pid = std::stoll(server.substr(server.rfind('_') + 1));
                    if (process_alive(pid)) continue;
                }
                runtime.remove(server);
                std::filesystem::remove_all(engine_.run_dir(server));
                report.actions.push_back("stopped and removed " + name + " server " + server +
                                         " that no tenant owns");
            }
        } catch (const std::exception& e) {
            report.problems.push_back(name + ": " + e.what());
        }
    }
}

// Data directories of tenants the registry does not know.
void Reconciler::remove_orphan_data(ReconcileReport& report) {
    auto tenants = engine_.config().data_dir / "tenants";
    std::error_code ec;
    if (!std::filesystem::is_directory(tenants, ec)) return;
    for (const auto& entry : std::filesystem::directory_iterator(tenants, ec)) {
        std::string tenant = entry.path().filename().string();
        auto row = engine_.registry().find_clone(tenant);
        if (row && row->data_dir == entry.path().string()) continue;
        try {
            engine_.storage().remove(entry.path());
            report.actions.push_back("removed orphan data directory " + entry.path().string());
        } catch (const std::exception& e) {
            report.problems.push_back(e.what());
        }
    }
}

ReconcileReport Reconciler::run() {
    ReconcileReport report;
    finish_stuck_rows(report);
    remove_orphan_servers(report);
    remove_orphan_data(report);
    drop_orphan_artifacts(report);
    for (uint32_t port : engine_.ports().release_orphans())
        report.actions.push_back("released port " + std::to_string(port) + " of a missing clone");
    return report;
}

}  // namespace dbclone
