#include "dbclone/core/record_json.hpp"

#include "dbclone/core/limit_set.hpp"

namespace dbclone::json {

namespace {

void field(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

template <class F>
std::string render(F&& write) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write(w);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::vector<LimitState> limit_states(const CloneRecord& r) {
    std::vector<LimitState> out;
    rapidjson::Document report;
    report.Parse(r.limits_report.empty() ? "{}" : r.limits_report.c_str());
    for (auto& d : LimitSet::from_json(r.limits).described()) {
        LimitState s{d.name, d.text, "off", ""};
        if (d.text != "off") {
            s.state = "not_enforced";
            s.detail = r.db_type + " did not say it enforces this limit";
        }
        if (report.IsObject() && report.HasMember(d.key.c_str()) &&
            report[d.key.c_str()].IsObject()) {
            const auto& entry = report[d.key.c_str()];
            if (auto state = optional_string(entry, "state", "limits report")) s.state = *state;
            if (auto detail = optional_string(entry, "detail", "limits report")) s.detail = *detail;
        }
        out.push_back(std::move(s));
    }
    return out;
}

uint64_t disk_limit_bytes(const CloneRecord& r) {
    return LimitSet::from_json(r.limits).value("disk") * 1024;
}

bool over_disk_limit(const CloneRecord& r) {
    uint64_t limit = disk_limit_bytes(r);
    return limit != 0 && !r.disk_measured_at.empty() && r.disk_bytes > limit;
}

void write_golden(Writer& w, const GoldenRecord& g) {
    w.StartObject();
    field(w, "backend", g.backend);
    field(w, "version", g.root_version);
    field(w, "placement", g.placement);
    field(w, "location", g.location);
    field(w, "built_at", g.built_at);
    w.Key("bytes");
    w.Uint64(g.bytes);
    w.EndObject();
}

void write_clone(Writer& w, const CloneRecord& r, bool with_password) {
    w.StartObject();
    field(w, "tenant_id", r.tenant_id);
    field(w, "database_type", r.db_type);
    field(w, "root_version", r.root_version);
    field(w, "placement", r.placement);
    field(w, "state", r.state);
    w.Key("connection");
    w.StartObject();
    field(w, "database", r.database_name);
    field(w, "user", r.user_name);
    if (with_password) field(w, "password", r.password);
    w.Key("query_user");
    string_or_null(w, r.query_user);
    if (with_password && !r.query_user.empty()) field(w, "query_password", r.query_password);
    field(w, "location", r.location);
    w.Key("host");
    string_or_null(w, r.host);
    w.Key("port");
    if (r.port != 0)
        w.Uint(r.port);
    else
        w.Null();
    w.EndObject();
    w.Key("limits");
    w.StartObject();
    for (const auto& s : limit_states(r)) {
        w.Key(s.name.c_str());
        w.StartObject();
        field(w, "value", s.value);
        field(w, "state", s.state);
        field(w, "detail", s.detail);
        w.EndObject();
    }
    w.EndObject();
    w.Key("disk");
    w.StartObject();
    w.Key("bytes");
    if (r.disk_measured_at.empty())
        w.Null();
    else
        w.Uint64(r.disk_bytes);
    w.Key("measured_at");
    string_or_null(w, r.disk_measured_at);
    w.Key("limit_bytes");
    if (uint64_t limit = disk_limit_bytes(r); limit != 0)
        w.Uint64(limit);
    else
        w.Null();
    w.Key("over_limit");
    w.Bool(over_disk_limit(r));
    w.EndObject();
    field(w, "created_at", r.created_at);
    field(w, "updated_at", r.updated_at);
    w.EndObject();
}

std::string clone_json(const CloneRecord& r, bool with_password) {
    return render([&](Writer& w) { write_clone(w, r, with_password); });
}

void write_report(Writer& w, const VerificationReport& report) {
    w.StartObject();
    field(w, "tenant_id", report.tenant_id);
    field(w, "database_type", report.db_type);
    w.Key("isolated");
    w.Bool(report.isolated());
    w.Key("guarded");
    w.Bool(report.guarded());
    w.Key("duration_ms");
    w.Double(report.duration_ms);
    w.Key("checks");
    w.StartArray();
    for (const auto& c : report.checks) {
        w.StartObject();
        field(w, "name", c.name);
        field(w, "outcome", c.outcome);
        field(w, "details", c.details);
        w.Key("duration_ms");
        w.Double(c.duration_ms);
        if (!c.probes.empty()) {
            w.Key("probes");
            w.StartArray();
            for (const auto& p : c.probes) {
                w.StartObject();
                field(w, "name", p.name);
                field(w, "direction", p.direction);
                field(w, "outcome", p.outcome);
                field(w, "detail", p.detail);
                w.EndObject();
            }
            w.EndArray();
        }
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

std::string report_json(const VerificationReport& report) {
    return render([&](Writer& w) { write_report(w, report); });
}

}  // namespace dbclone::json
