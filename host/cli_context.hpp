// What every CLI command gets: the global options, a lazily built Engine, and
// the conventions for output (human text on a terminal, JSON with --json).
#pragma once

#include <dbclone/core/engine.hpp>
#include <dbclone/core/json.hpp>

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dbclone::cli {

struct GlobalOptions {
    bool verbose = false;
    bool json = false;
    ConfigOverrides overrides;
};

class CliContext {
  public:
    explicit CliContext(GlobalOptions options) : options_(std::move(options)) {}

    bool json() const { return options_.json; }
    bool verbose() const { return options_.verbose; }
    bool stdout_is_tty() const;
    bool stdin_is_tty() const;
    // The engine, built on first use (so `--help` needs no state directory).
    Engine& engine();
    // The resolved configuration, without building an engine.
    const Config& config();

  private:
    GlobalOptions options_;
    std::unique_ptr<Engine> engine_;
    std::unique_ptr<Config> config_;
};

namespace po = boost::program_options;

// Parses a command's own arguments; throws po::error on bad usage.
po::variables_map parse_command(const std::vector<std::string>& args,
                                const po::options_description& options,
                                const po::positional_options_description& positional);

// A command's options, starting with --help.
po::options_description options_with_help(const char* title);

// Prints a command's usage and options; true when --help was asked for.
bool help_requested(const po::variables_map& vm, const char* usage,
                    const po::options_description& options);

// Prints one JSON document, written by `write`, and a newline.
void print_json(const std::function<void(json::Writer&)>& write);

// Writes `key: [strings]` into the open object.
void write_string_array(json::Writer& w, const char* key, const std::vector<std::string>& items);

// A command: gets its arguments (without its own name), returns an exit code.
using Command = int (*)(CliContext&, const std::vector<std::string>&);

int create_command(CliContext&, const std::vector<std::string>&);
int verify_command(CliContext&, const std::vector<std::string>&);
int list_command(CliContext&, const std::vector<std::string>&);
int status_command(CliContext&, const std::vector<std::string>&);
int remove_command(CliContext&, const std::vector<std::string>&);
int start_command(CliContext&, const std::vector<std::string>&);
int stop_command(CliContext&, const std::vector<std::string>&);
int ports_command(CliContext&, const std::vector<std::string>&);
int roots_command(CliContext&, const std::vector<std::string>&);
int plugins_command(CliContext&, const std::vector<std::string>&);
int reconcile_command(CliContext&, const std::vector<std::string>&);
int test_command(CliContext&, const std::vector<std::string>&);
int serve_command(CliContext&, const std::vector<std::string>&);
int state_command(CliContext&, const std::vector<std::string>&);
int credentials_command(CliContext&, const std::vector<std::string>&);

}  // namespace dbclone::cli
