// A noisy tenant A next to a quiet tenant B, engine-independent: A opens
// sessions up to and past its connection limit and runs long statements in
// each, in a loop, while B runs short queries and the test does what a
// neighbour must still be able to do (create a tenant, verify B).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace dbclone::testing {

// Runs one statement in a session; false when the server refused or cancelled it.
using StatementRunner = std::function<bool(const std::string& sql)>;

struct NoisyNeighbourPlan {
    // A new session of A's, or an empty runner when the server refused it.
    std::function<StatementRunner()> open_noisy;
    int noisy_sessions = 0;  // how many A tries to open (more than its limit)
    std::string noisy_sql;   // a statement longer than A's statement timeout
    StatementRunner quiet;   // B's session
    std::string quiet_sql;   // a short query
    int quiet_queries = 200;
    std::chrono::milliseconds noise_for{4000};
    std::function<void()> meanwhile;  // run once, in the noise
};

struct LatencyFigures {
    double p50_ms = 0, p99_ms = 0;
    int failed = 0;  // B's queries that did not succeed
};

struct NoisyNeighbourOutcome {
    int opened = 0, refused = 0;     // A's sessions
    int statements = 0, cut = 0;     // A's long statements, and those the server ended
    double longest_ms = 0;           // the longest of A's statements while B measured
    LatencyFigures alone, in_noise;  // B's query latency without and with A
};

NoisyNeighbourOutcome run_noisy_neighbour(const NoisyNeighbourPlan& plan);

}  // namespace dbclone::testing
