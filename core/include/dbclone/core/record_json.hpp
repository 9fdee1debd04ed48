// The JSON shapes of registry rows and reports, shared by `--json` output and the
// API, so both speak the same language.
#pragma once

#include <string>
#include <vector>

#include "dbclone/core/json.hpp"
#include "dbclone/core/registry.hpp"
#include "dbclone/core/verifier.hpp"

namespace dbclone::json {

// One limit of a tenant as `status` shows it: its value ("30s", "off") and
// how the backend holds it: "enforced", "overridable", "not_enforced" (with
// why), or "off" when no limit was asked.
struct LimitState {
    std::string name;
    std::string value;
    std::string state;
    std::string detail;
};
std::vector<LimitState> limit_states(const CloneRecord& r);

// The tenant's disk limit in bytes (0: none), and whether its last measure
// was over it.
uint64_t disk_limit_bytes(const CloneRecord& r);
bool over_disk_limit(const CloneRecord& r);

// A clone row. The password is written only when `with_password` (create's answer,
// `status --show-password`); lists never carry it.
void write_clone(Writer& w, const CloneRecord& r, bool with_password);
std::string clone_json(const CloneRecord& r, bool with_password);

// A golden copy row, without its content record (which only checks read).
void write_golden(Writer& w, const GoldenRecord& g);

void write_report(Writer& w, const VerificationReport& report);
std::string report_json(const VerificationReport& report);

}  // namespace dbclone::json
