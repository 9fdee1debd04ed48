// Sabotaged clones, for the tests that verify must fail them: each case makes
// a fresh tenant, sees data_integrity pass, breaks the clone behind dbclone's
// back and expects the named check to fail saying what broke.
#pragma once

#include <dbclone/core/engine.hpp>
#include <dbclone/core/registry.hpp>

#include <functional>
#include <string>
#include <vector>

namespace dbclone::testing {

struct Sabotage {
    std::string id;                                  // the tenant it is done to
    std::function<void(const CloneRecord&)> damage;  // done as the tenant or a superuser
    std::string check;                               // the check that must fail
    std::string says;                                // a part of that check's details
};

// `create(id)` makes the tenant (of whichever engine); each is removed after.
void expect_sabotage_caught(Engine& engine,
                            const std::function<CloneRecord(const std::string&)>& create,
                            const std::vector<Sabotage>& cases);

}  // namespace dbclone::testing
