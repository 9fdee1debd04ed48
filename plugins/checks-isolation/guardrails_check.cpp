// The guardrails check: the backend really attempts, with the tenant's own
// logins, what a runaway or hostile statement would do, and the server must
// stop each. The attempts are the backend's (they are engine SQL); the verdict
// over them is here.
#include "check_support.hpp"

namespace dbclone::checks {

Result check_guardrails(const dbc_check_context& ctx, const Services& services) {
    bool has_fields = ctx.struct_size >= offsetof(dbc_check_context, limits_json) + sizeof(char*);
    const dbc_target* query = has_fields ? ctx.query : nullptr;
    std::string limits = has_fields && ctx.limits_json != nullptr ? ctx.limits_json : "";
    Result result{"passed", "", {}};
    int counts[4] = {0, 0, 0, 0};  // passed, not_enforced, failed, other
    for (const auto& record : services.attempt_guardrails(*ctx.tenant, query, limits)) {
        rapidjson::Document doc;
        doc.Parse(record.c_str());
        auto text = [&](const char* key) {
            return doc.IsObject() && doc.HasMember(key) && doc[key].IsString()
                       ? std::string(doc[key].GetString())
                       : std::string();
        };
        Probe p{text("name"), text("login"), text("outcome"), text("detail")};
        if (p.outcome == "passed") ++counts[0];
        if (p.outcome == "not_enforced") ++counts[1];
        if (p.outcome == "failed") ++counts[2];
        if (p.outcome == "error") ++counts[3];
        result.probes.push_back(std::move(p));
    }
    if (result.probes.empty()) return {"not_applicable", "the backend attempted nothing", {}};
    // The worst outcome wins: an attempt that got through, then one that could
    // not run, then a limit nothing holds.
    result.outcome = counts[2]   ? "failed"
                     : counts[3] ? "error"
                     : counts[1] ? "not_enforced"
                                 : "passed";
    result.details = std::to_string(counts[0]) + " of " + std::to_string(result.probes.size()) +
                     " attempts stopped by the server";
    if (counts[1]) result.details += "; " + std::to_string(counts[1]) + " not enforced";
    if (counts[2]) result.details += "; " + std::to_string(counts[2]) + " got through";
    return result;
}

}  // namespace dbclone::checks
