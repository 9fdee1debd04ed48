#include "sabotage.hpp"

#include <gtest/gtest.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/verifier.hpp>

namespace dbclone::testing {

void expect_sabotage_caught(Engine& engine,
                            const std::function<CloneRecord(const std::string&)>& create,
                            const std::vector<Sabotage>& cases) {
    for (const auto& c : cases) {
        CloneRecord tenant = create(c.id);
        auto fresh = Verifier(engine).verify(c.id, {"data_integrity"});
        EXPECT_EQ(fresh.checks.at(0).outcome, "passed")
            << c.id << " before: " << fresh.checks.at(0).details;
        c.damage(tenant);
        auto report = Verifier(engine).verify(c.id, {c.check});
        EXPECT_EQ(report.checks.at(0).outcome, "failed")
            << c.id << ": " << report.checks.at(0).details;
        EXPECT_NE(report.checks.at(0).details.find(c.says), std::string::npos)
            << c.id << ": " << report.checks.at(0).details;
        EXPECT_FALSE(report.ok()) << c.id;
        Cloner(engine).remove(c.id);
    }
}

}  // namespace dbclone::testing
