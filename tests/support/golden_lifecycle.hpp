// The golden-copy lifecycle on a server engine: a version of the test's own
// (so that no other test's golden copy is touched), built by a create, kept by
// `roots gc` while a tenant uses it, removed from the server once none does,
// and rebuilt by the next create; a second installation on the same server
// builds one of its own, which the first one's gc leaves alone.
#pragma once

#include <dbclone/core/config.hpp>

#include <functional>
#include <string>

#include "root_images.hpp"

namespace dbclone::testing {

// `file` is the shipped v1.0's file for `type`; `exists(location)` looks on
// the server behind dbclone's back.
void expect_gc_removes_unused_golden(Config config, RootImages& roots, const std::string& type,
                                     const std::string& file,
                                     const std::function<bool(const std::string&)>& exists);

}  // namespace dbclone::testing
