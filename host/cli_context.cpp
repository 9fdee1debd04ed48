#include "cli_context.hpp"

#include <unistd.h>

#include <iostream>

namespace dbclone::cli {

bool CliContext::stdout_is_tty() const {
    return ::isatty(STDOUT_FILENO) != 0;
}
bool CliContext::stdin_is_tty() const {
    return ::isatty(STDIN_FILENO) != 0;
}

Engine& CliContext::engine() {
    if (!engine_) engine_ = std::make_unique<Engine>(config());
    return *engine_;
}

const Config& CliContext::config() {
    if (!config_) config_ = std::make_unique<Config>(load_config(options_.overrides));
    return *config_;
}

po::variables_map parse_command(const std::vector<std::string>& args,
                                const po::options_description& options,
                                const po::positional_options_description& positional) {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    // --help needs none of the required arguments.
    if (!vm.count("help")) po::notify(vm);
    return vm;
}

po::options_description options_with_help(const char* title) {
    po::options_description options(title);
    options.add_options()("help,h", "show this help");
    return options;
}

bool help_requested(const po::variables_map& vm, const char* usage,
                    const po::options_description& options) {
    if (!vm.count("help")) return false;
    std::cout << "Usage: dbclone " << usage << "\n\n" << options << '\n';
    return true;
}

void print_json(const std::function<void(json::Writer&)>& write) {
    rapidjson::StringBuffer buffer;
    json::Writer w(buffer);
    write(w);
    std::cout << buffer.GetString() << '\n';
}

void write_string_array(json::Writer& w, const char* key, const std::vector<std::string>& items) {
    w.Key(key);
    w.StartArray();
    for (const auto& item : items) w.String(item.c_str());
    w.EndArray();
}

}  // namespace dbclone::cli
