// The API's background operations kept in the registry, so that a client can
// still read an operation's result after `dbclone serve` restarted, until it
// expires like one kept in memory.
#pragma once

#include <dbclone/core/registry.hpp>

#include <chrono>
#include <filesystem>
#include <mutex>

#include "operation_queue.hpp"

namespace dbclone::api {

class RegistryOperationStore : public OperationQueue::Store {
  public:
    // Opens its own connection to the registry `file`. Operations a previous
    // server left queued or running can never finish: they become failed
    // (503, "interrupted"), and finished ones older than `keep` are forgotten.
    RegistryOperationStore(const std::filesystem::path& file, std::chrono::seconds keep);
    void save(const std::string& id, const OperationQueue::Report& report) override;
    std::optional<OperationQueue::Report> load(const std::string& id) override;

  private:
    std::mutex mutex_;  // one connection, used from the worker and the HTTP threads
    Registry registry_;
    std::chrono::seconds keep_;
};

}  // namespace dbclone::api
