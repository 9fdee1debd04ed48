// A benchmark's command line and the frame around its run, so that every
// benchmark refuses a bad option the same way and cleans up the same way.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace dbclone::bench {

// Options declared with their defaults: `--name VALUE` for numbers and text,
// `--name` alone for a flag. An unknown option, a missing value or a number
// out of its range ends the program with a one-line error
// naming it and what is allowed (exit 2).
class CommandLine {
  public:
    CommandLine(std::string program, int argc, char** argv,
                std::map<std::string, std::string> defaults, std::set<std::string> flags = {});

    // The option's value as an integer of at least `least`.
    int number(const std::string& name, int least = 1) const;
    const std::string& text(const std::string& name) const;
    bool flag(const std::string& name) const;
    const std::string& program() const { return program_; }

    // The environment variable `name`; ends the program with "set NAME to
    // `what`" (exit 2) when it is unset or empty.
    std::string required_env(const char* name, const char* what) const;

  private:
    [[noreturn]] void refuse(const std::string& message) const;

    std::string program_;
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_set_;
};

// Runs `body` with a fresh directory /tmp/`prefix`XXXXXX, removed afterwards
// whatever happens; an exception becomes "<program>: <what>" on stderr. The
// program's exit code: 0, or 1 after an exception.
int run_in_work_dir(const CommandLine& command_line, const std::string& prefix,
                    const std::function<void(const std::filesystem::path&)>& body);

}  // namespace dbclone::bench
