// Shows each step of a long command with its time as it finishes, on a terminal.
#pragma once

#include <chrono>
#include <string>

namespace dbclone::cli {

class StepPrinter {
  public:
    explicit StepPrinter(bool enabled) : enabled_(enabled) {}
    void step(const std::string& name, std::chrono::steady_clock::duration took);
    double total_ms() const { return total_ms_; }

  private:
    bool enabled_;
    double total_ms_ = 0;
};

}  // namespace dbclone::cli
