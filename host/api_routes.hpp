// The REST API's routes: each request (method, target, body) becomes a status
// and a JSON (or text) body. Engine work (create, verify, start, stop, remove)
// is serialized by one mutex: the registry's transactions and the plugins'
// handles are not shared across threads. Reads (status, list, ports, system
// status, metrics) go through a registry connection of each worker thread's
// own and never wait for that mutex.
#pragma once

#include <dbclone/core/engine.hpp>
#include <dbclone/core/port_allocator.hpp>

#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "operation_queue.hpp"

namespace dbclone::api {

struct Response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    // Extra headers: a 405's Allow, a 429's Retry-After.
    std::vector<std::pair<std::string, std::string>> headers;
};

class Routes {
  public:
    Routes(Engine& engine, std::string token, OperationQueue::Limits limits = {});

    Response handle(const std::string& method, const std::string& target,
                    const std::string& authorization, const std::string& body);

    // Measures the disk of every ready tenant, for /metrics. Each measure
    // holds the engine mutex alone, so a create waits for one at most. A
    // tenant that cannot be measured (removed meanwhile, its server stopped)
    // is logged and skipped: the next round tries again.
    void measure_disks(const std::stop_token& stop);

  private:
    Registry& registry_reader();
    std::vector<RangeUsage> port_utilization();
    Response create(const std::string& body);
    Response operation(const std::string& id);
    Response metrics();
    Response ports();
    Response system_status();
    void record_create_seconds(double seconds);

    Engine& engine_;
    std::string token_;
    std::mutex engine_mutex_;

    // Create latency histogram (seconds) for /metrics.
    std::mutex metrics_mutex_;
    std::vector<double> bucket_bounds_{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    std::vector<uint64_t> bucket_counts_ = std::vector<uint64_t>(11, 0);
    uint64_t create_count_ = 0;
    double create_sum_ = 0;

    // Last: destroyed first, so a create still running finishes while the
    // rest of the routes exist.
    OperationQueue operations_;
};

// JSON body of an error: {"error": "...", "detail": "..."}.
Response error_response(unsigned status, const std::string& error, const std::string& detail);

}  // namespace dbclone::api
