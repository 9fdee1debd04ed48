#include "dbclone/core/reconciler.hpp"

#include <algorithm>
#include <set>

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

void Reconciler::find_orphan_artifacts(std::vector<Orphan>& orphans, ReconcileReport& report) {
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
                if (tenant.empty()) {  // a golden build that died half-way
                    orphans.push_back({type + " golden build leftover " + location,
                                       [&, type, location] {
                                           engine_.backend(type).drop("", location, "");
                                           return "removed " + type + " golden build leftover " +
                                                  location;
                                       },
                                       false});
                    continue;
                }
                auto row = registry.find_clone(tenant);
                if (row && row->db_type == type) continue;
                orphans.push_back(
                    {type + " artifact " + location, [&, type, tenant, location, user] {
                         engine_.backend(type).drop(tenant, location, user);
                         engine_.registry().add_event(tenant, "orphan_removed",
                                                      type + " " + location);
                         return "dropped orphan " + type + " artifact " + location;
                     }});
            }
        } catch (const std::exception& e) {
            report.problems.push_back(type + ": " + e.what());
        }
    }
}

// Servers a runtime runs for tenants this registry does not know (or golden
// builds of dead processes); known ones are adopted as they are.
void Reconciler::find_orphan_servers(std::vector<Orphan>& orphans, ReconcileReport& report) {
    std::set<std::string> known;
    for (const auto& row : engine_.registry().clones())
        if (!row.server.empty()) known.insert(row.server);
    for (const auto& name : engine_.runtime_names()) {
        try {
            auto servers = engine_.runtime(name).list();
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
                orphans.push_back({name + " server " + server,
                                   [&, name, server] {
                                       engine_.runtime(name).remove(server);
                                       std::filesystem::remove_all(engine_.run_dir(server));
                                       return "stopped and removed " + name + " server " + server +
                                              " that no tenant owns";
                                   },
                                   server.rfind(golden_prefix, 0) != 0});
            }
        } catch (const std::exception& e) {
            report.problems.push_back(name + ": " + e.what());
        }
    }
}

// Data directories of tenants the registry does not know, and golden data
// directories whose builder died (named "<golden>.build-<pid>").
void Reconciler::find_orphan_data(std::vector<Orphan>& orphans) {
    std::error_code ec;
    for (const auto& entry :
         std::filesystem::directory_iterator(engine_.config().data_dir / "golden", ec)) {
        std::string name = entry.path().filename().string();
        auto dash = name.rfind(".build-");
        if (dash == std::string::npos) continue;
        auto pid = std::strtoll(name.c_str() + dash + 7, nullptr, 10);
        if (pid <= 0 || process_alive(pid)) continue;
        orphans.push_back({"golden build directory " + entry.path().string(),
                           [&, path = entry.path()] {
                               engine_.storage().remove(path);
                               return "removed golden build directory " + path.string() +
                                      " (its builder is gone)";
                           },
                           false});
    }
    auto tenants = engine_.config().data_dir / "tenants";
    if (!std::filesystem::is_directory(tenants, ec)) return;
    for (const auto& entry : std::filesystem::directory_iterator(tenants, ec)) {
        auto row = engine_.registry().find_clone(entry.path().filename().string());
        if (row && row->data_dir == entry.path().string()) continue;
        orphans.push_back({"data directory " + entry.path().string(), [&, path = entry.path()] {
                               engine_.storage().remove(path);
                               return "removed orphan data directory " + path.string();
                           }});
    }
}

bool Reconciler::may_remove(const std::vector<Orphan>& orphans, ReconcileReport& report) {
    if (orphans.empty()) return true;
    std::string why;
    size_t known = engine_.registry().clones().size();
    size_t allowed = std::max<size_t>(1, known / 4);
    auto tenant_data = std::count_if(orphans.begin(), orphans.end(),
                                     [](const Orphan& o) { return o.tenant_data; });
    if (engine_.registry().events("", 1).empty())
        why = "the registry has no history at all (it is new), so it cannot know them";
    else if (!force_ && static_cast<size_t>(tenant_data) > allowed)
        why = "more than a quarter of the " + std::to_string(known) +
              " tenants the registry knows (at most " + std::to_string(allowed) +
              " at once): if the registry is right, run 'dbclone reconcile --force'";
    if (why.empty()) return true;
    std::string list;
    for (size_t i = 0; i < orphans.size() && i < 5; ++i)
        list += (i == 0 ? "" : ", ") + orphans[i].what;
    if (orphans.size() > 5) list += ", ...";
    report.problems.push_back(std::to_string(orphans.size()) + " objects no row knows (" + list +
                              ") were left: " + why);
    return false;
}

ReconcileReport Reconciler::run() {
    ReconcileReport report;
    finish_stuck_rows(report);
    std::vector<Orphan> orphans;
    find_orphan_servers(orphans, report);
    find_orphan_data(orphans);
    find_orphan_artifacts(orphans, report);
    if (may_remove(orphans, report)) {
        for (const auto& orphan : orphans) {
            try {
                report.actions.push_back(orphan.remove());
            } catch (const std::exception& e) {
                report.problems.push_back(orphan.what + ": " + e.what());
            }
        }
    }
    for (uint32_t port : engine_.ports().release_orphans())
        report.actions.push_back("released port " + std::to_string(port) + " of a missing clone");
    return report;
}

}  // namespace dbclone
