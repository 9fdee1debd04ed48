// The engine-independent half of a backend's guardrail attempts
// (dbc_backend_attempt_guardrails_fn): how an attempt is bounded, judged and
// reported. A backend supplies the engine's half, the sessions and statements.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dbclone/plugin_helpers.hpp"

namespace dbclone::sdk {

// The longest statement an attempt waits out; a longer timeout is checked as
// the setting a session starts with.
inline constexpr uint64_t guardrail_wait_ms = 5000;
// The most sessions an attempt opens.
inline constexpr uint64_t guardrail_max_sessions = 100;

inline void write_guardrail(const Sink& sink, std::string_view name, std::string_view login,
                            std::string_view outcome, std::string_view detail) {
    sink.write("{\"name\":" + json_quote(name) + ",\"login\":" + json_quote(login) +
               ",\"outcome\":" + json_quote(outcome) + ",\"detail\":" + json_quote(detail) + "}");
}

// Something the server must refuse (a write by the query login, LOAD DATA
// LOCAL): `error` is the server's answer, nullopt when it let it through.
inline void judge_refusal(const Sink& sink, std::string_view name, std::string_view login,
                          std::string_view what, const std::optional<std::string>& error) {
    if (error)
        write_guardrail(sink, name, login, "passed", std::string(what) + " refused: " + *error);
    else
        write_guardrail(sink, name, login, "failed", std::string(what) + " succeeded");
}

// Opens sessions with `open` until the server refuses one or limit+1 are
// open. `open` keeps each session it opens and returns "" for one let in, or
// the server's refusal.
inline void attempt_connection_limit(const Sink& sink, std::string_view login, uint64_t limit,
                                     const std::function<std::string()>& open) {
    const char* name = "connection_limit";
    if (limit == 0)
        return write_guardrail(sink, name, login, "not_enforced", "no connection limit asked");
    if (limit + 1 > guardrail_max_sessions)
        return write_guardrail(sink, name, login, "not_applicable",
                               "the limit of " + std::to_string(limit) + " sessions is above the " +
                                   std::to_string(guardrail_max_sessions) +
                                   " an attempt opens; not attempted");
    for (uint64_t i = 1; i <= limit + 1; ++i) {
        std::string refusal = open();
        if (!refusal.empty())
            return write_guardrail(sink, name, login, "passed",
                                   "session " + std::to_string(i) + " of a login limited to " +
                                       std::to_string(limit) + " refused: " + refusal);
    }
    write_guardrail(sink, name, login, "failed",
                    std::to_string(limit + 1) + " sessions of a login limited to " +
                        std::to_string(limit) + " were let in");
}

// A statement past the timeout: `run_sleep(ms)` runs one that takes `ms` and
// returns the server's error (nullopt if it ran to its end); `setting()` is
// the timeout the session starts with, as the server shows it.
inline void attempt_statement_timeout(
    const Sink& sink, std::string_view login, uint64_t limit_ms,
    const std::function<std::optional<std::string>(uint64_t)>& run_sleep,
    const std::function<std::string()>& setting) {
    const char* name = "statement_timeout";
    if (limit_ms == 0)
        return write_guardrail(sink, name, login, "not_enforced", "no statement_timeout asked");
    if (limit_ms > guardrail_wait_ms)
        return write_guardrail(sink, name, login, "passed",
                               "the session starts with a timeout of " + setting() + " (" +
                                   std::to_string(limit_ms) + " ms asked; above the " +
                                   std::to_string(guardrail_wait_ms) +
                                   " ms an attempt waits, so not waited out)");
    uint64_t sleep_ms = limit_ms * 3;
    auto started = std::chrono::steady_clock::now();
    auto error = run_sleep(sleep_ms);
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
    std::string figures = std::to_string(took) + " ms (limit " + std::to_string(limit_ms) + " ms)";
    if (!error)
        write_guardrail(
            sink, name, login, "failed",
            "a statement of " + std::to_string(sleep_ms) + " ms ran to its end in " + figures);
    else if (static_cast<uint64_t>(took) > 2 * limit_ms)
        write_guardrail(sink, name, login, "failed",
                        "cancelled only after " + figures + ", more than twice the limit");
    else
        write_guardrail(sink, name, login, "passed", "cancelled after " + figures + ": " + *error);
}

// Whether the tenant can lift the timeout itself: `error` is the server's
// answer to the tenant's own "SET <parameter> = 0".
inline void judge_override(const Sink& sink, std::string_view login, std::string_view statement,
                           const std::optional<std::string>& error) {
    if (error)
        write_guardrail(sink, "timeout_override", login, "passed",
                        std::string(statement) + " refused: " + *error);
    else
        write_guardrail(sink, "timeout_override", login, "not_enforced",
                        "overridable: the tenant's " + std::string(statement) +
                            " succeeds, and its session then has no timeout");
}

// The disk the tenant takes (`bytes`, measured as measure_size does) against
// its disk limit: a limit dbclone measures, which the server does not hold.
inline void judge_disk(const Sink& sink, std::string_view login, uint64_t limit_kb,
                       uint64_t bytes) {
    std::string used = std::to_string(bytes) + " bytes";
    if (limit_kb == 0)
        return write_guardrail(sink, "disk_usage", login, "not_enforced",
                               used + "; no disk limit asked");
    std::string limit = std::to_string(limit_kb * 1024) + " bytes";
    if (bytes <= limit_kb * 1024)
        write_guardrail(sink, "disk_usage", login, "passed", used + " of a limit of " + limit);
    else
        write_guardrail(sink, "disk_usage", login, "failed", used + ", over the limit of " + limit);
}

}  // namespace dbclone::sdk
