#include "step_printer.hpp"

#include <cstdio>

namespace dbclone::cli {

void StepPrinter::step(const std::string& name, std::chrono::steady_clock::duration took) {
    double ms = std::chrono::duration<double, std::milli>(took).count();
    total_ms_ += ms;
    if (!enabled_) return;
    std::printf("  %-14s %9.2f ms\n", name.c_str(), ms);
    std::fflush(stdout);
}

}  // namespace dbclone::cli
