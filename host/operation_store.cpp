#include "operation_store.hpp"

#include <ctime>

namespace dbclone::api {

RegistryOperationStore::RegistryOperationStore(const std::filesystem::path& file,
                                               std::chrono::seconds keep)
    : registry_(file, Registry::Open::existing), keep_(keep) {
    int64_t now = ::time(nullptr);
    registry_.interrupt_operations(
        503,
        R"({"error":"interrupted","detail":"dbclone serve stopped before this operation )"
        R"(finished; reconcile removes what it left, and the create may be tried again"})",
        now);
    registry_.forget_operations_before(now - keep_.count());
}

void RegistryOperationStore::save(const std::string& id, const OperationQueue::Report& report) {
    std::lock_guard lock(mutex_);
    registry_.save_operation(
        {id, report.state, report.outcome.status, report.outcome.body, ::time(nullptr)});
}

std::optional<OperationQueue::Report> RegistryOperationStore::load(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto op = registry_.find_operation(id);
    if (!op || op->updated_at < ::time(nullptr) - keep_.count()) return std::nullopt;
    return OperationQueue::Report{op->state, {op->status, op->body}};
}

}  // namespace dbclone::api
