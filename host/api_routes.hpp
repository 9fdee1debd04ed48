// The REST API's routes: each request (method, target, body) becomes a status
// and a JSON (or text) body. Engine work is serialized by one mutex: the
// registry's transactions and the plugins' handles are not shared across threads.
#pragma once

#include <dbclone/core/engine.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dbclone::api {

struct Response {
    unsigned status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::string allow;  // a 405's Allow header; empty otherwise
};

class Routes {
  public:
    Routes(Engine& engine, std::string token);
    ~Routes();

    Response handle(const std::string& method, const std::string& target,
                    const std::string& authorization, const std::string& body);

  private:
    Registry& registry_reader();
    Response create(const std::string& body);
    Response operation(const std::string& id);
    Response metrics();
    void record_create_seconds(double seconds);

    Engine& engine_;
    std::string token_;
    std::mutex engine_mutex_;

    // Asynchronous creates: id -> state and result.
    struct Operation {
        std::string state = "running";  // running, succeeded, failed
        unsigned status = 0;
        std::string result;
    };
    // One thread per running async create; finished ones are joined when the
    // next one starts, the rest when the server stops.
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> finished;
    };
    std::mutex operations_mutex_;  // guards operations_ and workers_
    std::map<std::string, Operation> operations_;
    std::vector<Worker> workers_;

    // Create latency histogram (seconds) for /metrics.
    std::mutex metrics_mutex_;
    std::vector<double> bucket_bounds_{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    std::vector<uint64_t> bucket_counts_ = std::vector<uint64_t>(11, 0);
    uint64_t create_count_ = 0;
    double create_sum_ = 0;
};

// JSON body of an error: {"error": "...", "detail": "..."}.
Response error_response(unsigned status, const std::string& error, const std::string& detail);

}  // namespace dbclone::api
