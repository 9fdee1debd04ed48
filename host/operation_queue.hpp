// Background work of the REST API (`"async": true` creates): accepted jobs
// wait in a bounded queue and run one at a time on one worker thread, since
// engine work is serialized anyway and more threads would only wait for the
// engine lock. Finished operations are kept for a while so that a client can
// collect the result, then forgotten, so a long-running server does not grow.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace dbclone::api {

class OperationQueue {
  public:
    // What a job answers: the HTTP status and body the synchronous call would have had.
    struct Outcome {
        unsigned status = 0;
        std::string body;
    };
    using Job = std::function<Outcome()>;  // must not throw

    struct Report {
        std::string state;  // queued, running, succeeded (status < 400), failed
        Outcome outcome;    // once finished
    };

    struct Limits {
        size_t max_waiting = 64;  // queued, not yet running; submit refuses more
        size_t max_finished = 1000;
        std::chrono::seconds keep_finished{15 * 60};
    };

    // Where operations outlive the server (the registry); every change of state
    // is saved there, and find() reads what memory no longer holds.
    class Store {
      public:
        virtual ~Store() = default;
        virtual void save(const std::string& id, const Report& report) = 0;
        virtual std::optional<Report> load(const std::string& id) = 0;
    };

    explicit OperationQueue(Limits limits, std::unique_ptr<Store> store = nullptr);
    // Lets the running job finish; jobs still queued never start (they made
    // nothing), and are logged.
    ~OperationQueue();
    OperationQueue(const OperationQueue&) = delete;
    OperationQueue& operator=(const OperationQueue&) = delete;

    // The new operation's id, or nothing when max_waiting jobs already wait.
    std::optional<std::string> submit(Job job);
    // The operation's state; nothing for an unknown or forgotten id.
    std::optional<Report> find(const std::string& id);

    // How many operations are in each state (finished ones while kept).
    std::map<std::string, size_t> count_by_state();

    const Limits& limits() const { return limits_; }

  private:
    using Clock = std::chrono::steady_clock;
    struct Operation {
        Report report;
        Clock::time_point finished_at;
    };

    void work();
    void forget_old(Clock::time_point now);                  // with mutex_ held
    void save(const std::string& id, const Report& report);  // with mutex_ held

    Limits limits_;
    std::unique_ptr<Store> store_;
    std::mutex mutex_;  // guards everything below
    std::condition_variable wake_;
    bool stopping_ = false;
    std::deque<std::pair<std::string, Job>> waiting_;
    std::map<std::string, Operation> operations_;
    std::deque<std::string> finished_order_;  // oldest first
    std::thread worker_;                      // last: starts once the rest exists
};

}  // namespace dbclone::api
