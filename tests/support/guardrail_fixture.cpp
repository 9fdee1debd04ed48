#include "guardrail_fixture.hpp"

namespace dbclone::testing {

void GuardrailFixture::TearDown() {
    for (const auto& id : made_) try {
            Cloner(eng()).remove(id);
        } catch (const std::exception&) {
            // removed by the test already
        }
}

Engine& GuardrailFixture::eng() {
    if (!engine_)
        engine_ = std::make_unique<Engine>(admin_url_.empty()
                                               ? test_config(state_dir_)
                                               : server_test_config(state_dir_, type_, admin_url_));
    return *engine_;
}

CloneRecord GuardrailFixture::create(const std::string& id, std::vector<std::string> limits) {
    auto row = Cloner(eng()).create({id, type_, "v1.0", placement_, "", std::move(limits)});
    made_.push_back(id);
    return row;
}

void GuardrailFixture::remove(const std::string& id) {
    Cloner(eng()).remove(id);
    std::erase(made_, id);
}

std::string GuardrailFixture::unique(const std::string& base) {
    return base + "_" + std::to_string(::getpid());
}

std::string limit_state(const CloneRecord& r, const std::string& limit) {
    for (const auto& s : json::limit_states(r))
        if (s.name == limit) return s.state;
    return "(no " + limit + ")";
}

const CheckResult& guardrails_of(const VerificationReport& report) {
    for (const auto& c : report.checks)
        if (c.name == "guardrails") return c;
    throw std::runtime_error("no guardrails check in the report");
}

const ProbeResult* attempt(const CheckResult& guardrails, const std::string& name) {
    for (const auto& p : guardrails.probes)
        if (p.name == name) return &p;
    return nullptr;
}

void expect_attempts(const CheckResult& guardrails, const std::vector<std::string>& names,
                     const std::string& outcome) {
    for (const auto& name : names) {
        const auto* p = attempt(guardrails, name);
        if (p == nullptr) {
            ADD_FAILURE() << name << " was not attempted: " << guardrails.details;
            continue;
        }
        EXPECT_EQ(p->outcome, outcome) << name << ": " << p->detail;
    }
}

}  // namespace dbclone::testing
