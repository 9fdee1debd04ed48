#include "check_support.hpp"

namespace dbclone::checks {

namespace {

void collect(void* ctx, const char* data, size_t len) {
    static_cast<std::vector<std::string>*>(ctx)->emplace_back(data, len);
}

struct Collector {
    std::vector<std::string> records;
    dbc_sink sink{sizeof(dbc_sink), &records, &collect};
};

void expect_ok(dbc_rc rc, const dbc_error& err) {
    if (rc != DBC_OK)
        throw sdk::Failure(rc, err.message[0] != '\0' ? err.message : "the host's service failed");
}

dbc_error fresh_error() {
    dbc_error e{};
    e.struct_size = sizeof e;
    return e;
}

}  // namespace

std::string Result::json() const {
    std::string out =
        "{\"outcome\":" + sdk::json_quote(outcome) + ",\"details\":" + sdk::json_quote(details);
    if (!probes.empty()) {
        out += ",\"probes\":[";
        for (size_t i = 0; i < probes.size(); ++i)
            out += std::string(i ? "," : "") + "{\"name\":" + sdk::json_quote(probes[i].name) +
                   ",\"direction\":" + sdk::json_quote(probes[i].direction) +
                   ",\"outcome\":" + sdk::json_quote(probes[i].outcome) +
                   ",\"detail\":" + sdk::json_quote(probes[i].detail) + "}";
        out += "]";
    }
    return out + "}";
}

void Services::probe(const dbc_target& target) const {
    auto err = fresh_error();
    expect_ok(t_->probe(t_->ctx, &target, &err), err);
}

std::string Services::fingerprint(const dbc_target& target) const {
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->fingerprint(t_->ctx, &target, &c.sink, &err), err);
    return c.records.empty() ? "" : c.records.front();
}

std::vector<std::string> Services::attempt_access(const dbc_target& attacker,
                                                  const dbc_target& victim) const {
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->attempt_access(t_->ctx, &attacker, &victim, &c.sink, &err), err);
    return c.records;
}

std::optional<bool> Services::canary(const dbc_target& target, dbc_canary_op op,
                                     const std::string& token) const {
    int32_t found = 0;
    auto err = fresh_error();
    dbc_rc rc = t_->canary(t_->ctx, &target, op, token.c_str(), &found, &err);
    if (rc == DBC_NOT_SUPPORTED) return std::nullopt;
    expect_ok(rc, err);
    return found != 0;
}

std::string Services::content(const dbc_target& target) const {
    if (t_->struct_size < offsetof(dbc_check_services, content) + sizeof(void*) ||
        t_->content == nullptr)
        throw sdk::Failure(DBC_NOT_SUPPORTED, "the host offers no content service");
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->content(t_->ctx, &target, &c.sink, &err), err);
    return c.records.empty() ? "" : c.records.front();
}

std::vector<std::string> Services::attempt_guardrails(const dbc_target& owner,
                                                      const dbc_target* query,
                                                      const std::string& limits_json) const {
    if (t_->struct_size < offsetof(dbc_check_services, attempt_guardrails) + sizeof(void*) ||
        t_->attempt_guardrails == nullptr)
        throw sdk::Failure(DBC_NOT_SUPPORTED, "the host offers no guardrail service");
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->attempt_guardrails(t_->ctx, &owner, query, limits_json.c_str(), &c.sink, &err),
              err);
    return c.records;
}

std::string Services::run_queries(const dbc_target& target, uint32_t count) const {
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->run_queries(t_->ctx, &target, count, &c.sink, &err), err);
    return c.records.empty() ? "{}" : c.records.front();
}

std::vector<std::string> Services::tenants() const {
    Collector c;
    auto err = fresh_error();
    expect_ok(t_->tenants(t_->ctx, &c.sink, &err), err);
    return c.records;
}

std::optional<std::string> Services::server(const std::string& tenant) const {
    Collector c;
    auto err = fresh_error();
    dbc_rc rc = t_->server(t_->ctx, tenant.c_str(), &c.sink, &err);
    if (rc == DBC_NOT_FOUND) return std::nullopt;
    expect_ok(rc, err);
    return c.records.empty() ? std::nullopt : std::optional<std::string>(c.records.front());
}

}  // namespace dbclone::checks
