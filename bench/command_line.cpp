#include "command_line.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace dbclone::bench {

CommandLine::CommandLine(std::string program, int argc, char** argv,
                         std::map<std::string, std::string> defaults, std::set<std::string> flags)
    : program_(std::move(program)), values_(std::move(defaults)) {
    std::string allowed;
    for (const auto& [name, value] : values_)
        allowed += " --" + name + " " + (value.empty() ? "\"\"" : value);
    for (const auto& name : flags) allowed += " [--" + name + "]";
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string name = arg.rfind("--", 0) == 0 ? arg.substr(2) : "";
        if (flags.count(name)) {
            flags_set_.insert(name);
        } else if (values_.count(name)) {
            if (i + 1 == argc) refuse("option " + arg + " needs a value");
            values_[name] = argv[++i];
        } else {
            refuse("unknown option \"" + arg + "\"; allowed (with defaults):" + allowed);
        }
    }
}

int CommandLine::number(const std::string& name, int least) const {
    const std::string& value = values_.at(name);
    size_t end = 0;
    int n = 0;
    try {
        n = std::stoi(value, &end);
    } catch (const std::exception&) {
        end = 0;
    }
    if (end != value.size() || value.empty() || n < least)
        refuse("--" + name + " \"" + value + "\" is not an integer of at least " +
               std::to_string(least));
    return n;
}

const std::string& CommandLine::text(const std::string& name) const {
    return values_.at(name);
}

bool CommandLine::flag(const std::string& name) const {
    return flags_set_.count(name) > 0;
}

std::string CommandLine::required_env(const char* name, const char* what) const {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') refuse(std::string("set ") + name + " to " + what);
    return value;
}

void CommandLine::refuse(const std::string& message) const {
    std::fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
    std::exit(2);
}

int run_in_work_dir(const CommandLine& command_line, const std::string& prefix,
                    const std::function<void(const std::filesystem::path&)>& body) {
    std::string pattern = "/tmp/" + prefix + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        std::fprintf(stderr, "%s: cannot make a directory like %s\n",
                     command_line.program().c_str(), pattern.c_str());
        return 1;
    }
    std::filesystem::path work = pattern;
    int status = 0;
    try {
        body(work);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", command_line.program().c_str(), e.what());
        status = 1;
    }
    std::filesystem::remove_all(work);
    return status;
}

}  // namespace dbclone::bench
