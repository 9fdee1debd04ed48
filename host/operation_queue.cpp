#include "operation_queue.hpp"

#include <spdlog/spdlog.h>
#include <dbclone/core/password.hpp>

namespace dbclone::api {

OperationQueue::OperationQueue(Limits limits, std::unique_ptr<Store> store)
    : limits_(limits), store_(std::move(store)), worker_([this] { work(); }) {}

void OperationQueue::save(const std::string& id, const Report& report) {
    if (!store_) return;
    try {
        store_->save(id, report);
    } catch (const std::exception& e) {
        // The operation itself goes on; only a restart would lose its report.
        spdlog::error("cannot save operation {}: {}", id, e.what());
    }
}

OperationQueue::~OperationQueue() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (const auto& [id, job] : waiting_)
            spdlog::warn("operation {} dropped at shutdown before it started", id);
        waiting_.clear();
    }
    wake_.notify_all();
    worker_.join();
}

std::optional<std::string> OperationQueue::submit(Job job) {
    std::string id = generate_password().substr(0, 16);
    {
        std::lock_guard lock(mutex_);
        if (waiting_.size() >= limits_.max_waiting) return std::nullopt;
        forget_old(Clock::now());
        operations_[id].report.state = "queued";
        save(id, operations_[id].report);
        waiting_.emplace_back(id, std::move(job));
    }
    wake_.notify_one();
    return id;
}

std::optional<OperationQueue::Report> OperationQueue::find(const std::string& id) {
    std::lock_guard lock(mutex_);
    forget_old(Clock::now());
    auto it = operations_.find(id);
    if (it != operations_.end()) return it->second.report;
    if (!store_) return std::nullopt;
    try {
        return store_->load(id);
    } catch (const std::exception& e) {
        spdlog::error("cannot read operation {}: {}", id, e.what());
        return std::nullopt;
    }
}

std::map<std::string, size_t> OperationQueue::count_by_state() {
    std::lock_guard lock(mutex_);
    forget_old(Clock::now());
    std::map<std::string, size_t> counts{
        {"queued", 0}, {"running", 0}, {"succeeded", 0}, {"failed", 0}};
    for (const auto& [id, op] : operations_) ++counts[op.report.state];
    return counts;
}

void OperationQueue::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
        if (waiting_.empty()) return;  // stopping
        auto [id, job] = std::move(waiting_.front());
        waiting_.pop_front();
        operations_[id].report.state = "running";
        save(id, operations_[id].report);
        lock.unlock();
        Outcome outcome = job();
        lock.lock();
        auto& op = operations_[id];
        op.report = {outcome.status < 400 ? "succeeded" : "failed", std::move(outcome)};
        op.finished_at = Clock::now();
        save(id, op.report);
        finished_order_.push_back(id);
        forget_old(op.finished_at);
    }
}

void OperationQueue::forget_old(Clock::time_point now) {
    while (!finished_order_.empty()) {
        auto it = operations_.find(finished_order_.front());
        bool too_many = finished_order_.size() > limits_.max_finished;
        if (!too_many && now - it->second.finished_at < limits_.keep_finished) break;
        operations_.erase(it);
        finished_order_.pop_front();
    }
}

}  // namespace dbclone::api
