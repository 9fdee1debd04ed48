// What the guardrail tests of every server engine share: a fixture that makes
// tenants with limits (and removes them), reading a limit's state and a
// guardrail attempt out of a report, and the noisy-neighbour test itself,
// over the engine's own client session.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <memory>
#include <string>
#include <vector>

#include "noisy_neighbour.hpp"
#include "test_support.hpp"

namespace dbclone::testing {

class GuardrailFixture : public ::testing::Test {
  public:
    // `type` on the shared server at `admin_url`, or in `placement`.
    GuardrailFixture(std::string type, std::string admin_url, std::string placement = "")
        : type_(std::move(type)),
          admin_url_(std::move(admin_url)),
          placement_(std::move(placement)) {}
    void TearDown() override;

    Engine& eng();
    // Tenant `id` with `limits` over the defaults; removed at the end.
    CloneRecord create(const std::string& id, std::vector<std::string> limits = {});
    // Removes tenant `id` now.
    void remove(const std::string& id);
    // A tenant id unique to this process (ctest runs test processes in parallel).
    static std::string unique(const std::string& base);

  protected:
    // Keeps the state directory (and so the data directories) in `dir`
    // instead of a temp directory; before the first eng().
    void keep_state_in(std::filesystem::path dir) { state_dir_ = std::move(dir); }

  private:
    std::string type_, admin_url_, placement_;
    TempDir state_;
    std::filesystem::path state_dir_ = state_.path();
    std::unique_ptr<Engine> engine_;
    std::vector<std::string> made_;
};

// "enforced", "overridable", "not_enforced" or "off" for `limit` of `r`.
std::string limit_state(const CloneRecord& r, const std::string& limit);
// The guardrails check of `report` (throws if it did not run).
const CheckResult& guardrails_of(const VerificationReport& report);
// The attempt `name` of the guardrails check; nullptr if it was not made.
const ProbeResult* attempt(const CheckResult& guardrails, const std::string& name);
// Each of `names` was attempted and came out `outcome`.
void expect_attempts(const CheckResult& guardrails, const std::vector<std::string>& names,
                     const std::string& outcome);

// Tenant A (limit 5 sessions, 1 s statements) opens 15 sessions and runs
// `sleep_sql` (longer than 1 s) in each for 4 s, while B queries, a third
// tenant is created and B is verified. `open(record)` is the engine's client
// session (a std::unique_ptr to one with error_of) as the record's login.
template <class Open>
void expect_a_noisy_tenant_harms_no_neighbour(GuardrailFixture& t, const std::string& prefix,
                                              Open open, const std::string& sleep_sql) {
    constexpr int limit = 5;
    auto a = t.create(GuardrailFixture::unique(prefix + "_noisy"),
                      {"connections=5", "statement_timeout=1s"});
    auto b = t.create(GuardrailFixture::unique(prefix + "_quiet"));
    auto quiet = std::shared_ptr(open(as_query_login(b)));
    NoisyNeighbourPlan plan;
    plan.open_noisy = [&]() -> StatementRunner {
        try {
            auto s = std::shared_ptr(open(as_query_login(a)));
            return [s](const std::string& sql) { return !s->error_of(sql); };
        } catch (const std::exception&) {
            return {};
        }
    };
    plan.noisy_sessions = limit + 10;
    plan.noisy_sql = sleep_sql;
    plan.quiet = [quiet](const std::string& sql) { return !quiet->error_of(sql); };
    plan.quiet_sql = "SELECT COUNT(*) FROM customers";
    plan.meanwhile = [&] {
        EXPECT_NO_THROW(t.create(GuardrailFixture::unique(prefix + "_third")))
            << "a create next to the noisy tenant";
        auto report = Verifier(t.eng()).verify(b.tenant_id);
        EXPECT_TRUE(report.ok() && report.isolated()) << json::report_json(report);
    };
    auto out = run_noisy_neighbour(plan);
    EXPECT_EQ(out.opened, limit) << "A's sessions let in";
    EXPECT_EQ(out.refused, 10) << "A's sessions past its limit";
    EXPECT_GT(out.statements, limit);
    // Ended by the server within twice the limit. (MariaDB may end a SLEEP
    // at its max_statement_time without an error: the time is the proof.)
    EXPECT_LT(out.longest_ms, 2000.0) << "A's longest statement, of a 1 s limit";
    EXPECT_GT(out.cut, 0) << "A's long statements ended with the server's error";
    EXPECT_EQ(out.in_noise.failed, 0) << "B's queries next to A";
    EXPECT_LT(out.in_noise.p99_ms, 1000.0);
    for (const auto& [key, value] :
         {std::pair<const char*, double>{"alone_p50_ms", out.alone.p50_ms},
          {"alone_p99_ms", out.alone.p99_ms},
          {"noisy_p50_ms", out.in_noise.p50_ms},
          {"noisy_p99_ms", out.in_noise.p99_ms}})
        ::testing::Test::RecordProperty(key, std::to_string(value));
}

}  // namespace dbclone::testing
