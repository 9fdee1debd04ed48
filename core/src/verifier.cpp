#include "dbclone/core/verifier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "check_services.hpp"
#include "dbclone/core/disk_meter.hpp"
#include "dbclone/core/error.hpp"
#include "dbclone/core/golden_copy_cache.hpp"
#include "dbclone/core/json.hpp"
#include "dbclone/core/record_json.hpp"
#include "dbclone/core/tenant_id.hpp"
#include "target_view.hpp"
#include "text.hpp"

namespace dbclone {

namespace {

double ms_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

Target query_target_of(const CloneRecord& r) {
    return {r.tenant_id, r.location, r.host, r.port, r.query_user, r.query_password};
}

// The tenant to attack: `against` if given (same type, ready), else the first
// other ready tenant of the same type.
std::optional<CloneRecord> choose_other(Registry& registry, const CloneRecord& tenant,
                                        const std::string& against) {
    if (!against.empty()) {
        validate_tenant_id(against);
        auto other = registry.find_clone(against);
        if (!other) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(against));
        if (against == tenant.tenant_id || other->db_type != tenant.db_type ||
            other->state != "ready")
            throw Error(ErrorKind::InvalidInput, "--against must name another ready " +
                                                     tenant.db_type + " tenant, not " +
                                                     in_quotes(against));
        return other;
    }
    for (const auto& r : registry.clones())
        if (r.tenant_id != tenant.tenant_id && r.db_type == tenant.db_type && r.state == "ready")
            return r;
    return std::nullopt;
}

CheckResult result_of(const std::string& name, bool guardrail, const std::string& record,
                      double ms) {
    auto doc = json::parse(record, name + " result");
    CheckResult r{name,
                  guardrail,
                  json::optional_string(doc, "outcome", name).value_or("error"),
                  json::optional_string(doc, "details", name).value_or(""),
                  ms,
                  {}};
    if (doc.HasMember("probes") && doc["probes"].IsArray())
        for (const auto& p : doc["probes"].GetArray())
            r.probes.push_back({json::optional_string(p, "name", name).value_or(""),
                                json::optional_string(p, "direction", name).value_or(""),
                                json::optional_string(p, "outcome", name).value_or(""),
                                json::optional_string(p, "detail", name).value_or("")});
    return r;
}

}  // namespace

bool VerificationReport::ok() const {
    return std::none_of(checks.begin(), checks.end(), [](const CheckResult& c) {
        return c.outcome == "failed" || c.outcome == "error";
    });
}

bool VerificationReport::isolated() const {
    return ok() && std::none_of(checks.begin(), checks.end(), [](const CheckResult& c) {
               return !c.guardrail && c.outcome == "not_enforced";
           });
}

bool VerificationReport::guarded() const {
    bool any = false;
    for (const auto& c : checks) {
        if (!c.guardrail) continue;
        if (c.outcome != "passed") return false;
        any = true;
    }
    return any;
}

std::vector<Verifier::Available> Verifier::available_checks() {
    std::vector<Available> out;
    for (const auto& plugin : engine_.check_plugins())
        for (const auto& check : plugin->checks())
            if (std::none_of(out.begin(), out.end(),
                             [&](const auto& e) { return e.name == check.name; }))
                out.push_back({check.name, plugin.get(), check.guardrail});
    return out;
}

std::vector<std::string> Verifier::check_names() {
    std::vector<std::string> names;
    for (const auto& a : available_checks()) names.push_back(a.name);
    return names;
}

VerificationReport Verifier::verify(const std::string& tenant_id,
                                    const std::vector<std::string>& selected,
                                    const std::string& against) {
    validate_tenant_id(tenant_id);
    auto available = available_checks();
    if (available.empty()) throw Error(ErrorKind::NotFound, "no check plugin is loaded");
    for (const auto& name : selected)
        if (std::none_of(available.begin(), available.end(),
                         [&](const auto& e) { return e.name == name; }))
            throw Error(ErrorKind::InvalidInput,
                        "unknown check " + in_quotes(name) + "; available: " + join(check_names()));
    auto start = std::chrono::steady_clock::now();
    auto& registry = engine_.registry();
    auto record = registry.find_clone(tenant_id);
    if (!record) throw Error(ErrorKind::NotFound, "unknown tenant " + in_quotes(tenant_id));
    if (record->state != "ready")
        throw Error(ErrorKind::Conflict, "tenant " + in_quotes(tenant_id) + " is " + record->state);
    auto other = choose_other(registry, *record, against);
    Backend& backend = engine_.backend(record->db_type);
    CheckServices services(engine_, backend);

    Target tenant_target = owner_target(*record);
    dbc_target tenant = target_view(tenant_target);
    Target query_target = query_target_of(*record);
    dbc_target query = target_view(query_target);
    std::optional<Target> other_target;
    std::optional<dbc_target> other_view;
    if (other) {
        other_target = owner_target(*other);
        other_view = target_view(*other_target);
    }
    // The golden copy it was made from, where the registry still knows it.
    auto golden = registry.find_golden(
        record->db_type, record->root_version,
        is_dedicated(record->placement) ? "data_directory" : record->placement);
    Target golden_target{"", golden ? golden->location : "", "", 0, "", ""};
    std::optional<dbc_target> golden_view;
    if (golden && golden->fingerprint == record->golden_fingerprint &&
        !is_dedicated(record->placement))
        golden_view = target_view(golden_target);
    std::string tenant_json = json::clone_json(*record, false);
    // The golden copy's content, if it is the one this tenant was made from.
    std::string options =
        R"({"golden_fingerprint":)" + json_quoted(record->golden_fingerprint) +
        (golden && golden->fingerprint == record->golden_fingerprint && !golden->content.empty()
             ? R"(,"golden_content":)" + golden->content
             : std::string()) +
        "}";

    VerificationReport report{tenant_id, record->db_type, {}, 0};
    for (const auto& [name, plugin, guardrail] : available) {
        if (!selected.empty() &&
            std::find(selected.begin(), selected.end(), name) == selected.end())
            continue;
        dbc_check_context context{};
        context.struct_size = sizeof context;
        context.check_name = name.c_str();
        context.tenant_json = tenant_json.c_str();
        context.tenant = &tenant;
        context.other = other_view ? &*other_view : nullptr;
        context.golden = golden_view ? &*golden_view : nullptr;
        context.services = services.get();
        context.options_json = options.c_str();
        context.query = record->query_user.empty() ? nullptr : &query;
        context.limits_json = record->limits.c_str();
        auto check_start = std::chrono::steady_clock::now();
        try {
            std::string result = plugin->run(context);
            report.checks.push_back(result_of(name, guardrail, result, ms_since(check_start)));
        } catch (const std::exception& e) {
            report.checks.push_back(
                {name, guardrail, "error", e.what(), ms_since(check_start), {}});
        }
    }
    // The disk it takes now, kept for /metrics. A failure to measure is the
    // guardrails check's to report (its disk_usage attempt); it is no reason
    // to lose the report.
    try {
        measure_disk(engine_, *record);
    } catch (const std::exception& e) {
        spdlog::debug("could not measure the disk of {}: {}", tenant_id, e.what());
    }
    report.duration_ms = ms_since(start);
    return report;
}

}  // namespace dbclone
