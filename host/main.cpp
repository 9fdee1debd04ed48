// The `dbclone` command line: global options, then a command and its arguments.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <dbclone/core/error.hpp>

#include <iostream>
#include <map>

#include "cli_context.hpp"

namespace {

using namespace dbclone;
using namespace dbclone::cli;

const std::map<std::string, std::pair<Command, const char*>>& commands() {
    static const std::map<std::string, std::pair<Command, const char*>> all = {
        {"create",
         {create_command,
          "create TENANT_ID DB_TYPE [--version V] [--placement P] [--strategy S] [--limit N=V "
          "...]"}},
        {"credentials",
         {credentials_command, "credentials rotate TENANT_ID [--login owner|query]"}},
        {"verify",
         {verify_command, "verify TENANT_ID [--checks a,b] [--skip a,b] [--against OTHER]"}},
        {"list", {list_command, "list"}},
        {"status", {status_command, "status [TENANT_ID] [--show-password]"}},
        {"remove", {remove_command, "remove TENANT_ID [--force]"}},
        {"start", {start_command, "start TENANT_ID      (dedicated placements)"}},
        {"stop", {stop_command, "stop TENANT_ID       (dedicated placements)"}},
        {"ports", {ports_command, "ports"}},
        {"roots",
         {roots_command,
          "roots [list | validate [VERSION] | gc [--dry-run] | remove VERSION [--force] | import "
          "VERSION --from URL [--type T]]"}},
        {"plugins", {plugins_command, "plugins"}},
        {"reconcile", {reconcile_command, "reconcile [--force]"}},
        {"state", {state_command, "state backup FILE | state restore FILE [--force]"}},
        {"serve",
         {serve_command, "serve [--listen 127.0.0.1:8000] [--token-file F] [--threads N]"}},
        {"test", {test_command, "test [--cleanup] [--types a,b] [--placement P] [--report FILE]"}},
    };
    return all;
}

void print_help(const po::options_description& global) {
    std::cout << "dbclone: isolated tenant databases cloned from versioned root images\n\n"
                 "Usage: dbclone [GLOBAL OPTIONS] COMMAND [ARGS]\n\nCommands:\n";
    for (const auto& [name, command] : commands()) std::cout << "  " << command.second << '\n';
    std::cout << '\n'
              << global << '\n'
              << "Exit codes:\n"
                 "  0  success\n"
                 "  1  the operation failed\n"
                 "  2  bad usage or invalid input (nothing was changed)\n"
                 "  3  not found (tenant, type, version or plugin)\n"
                 "  4  conflict (already exists, or busy in another process)\n"
                 "  5  a server or resource is unavailable\n"
                 "  6  verification found a failed or errored check\n"
                 "\nRun 'dbclone COMMAND --help' for a command's options.\n";
}

void setup_logging(bool verbose) {
    auto logger = spdlog::stderr_color_mt("dbclone");
    logger->set_pattern("dbclone: %l: %v");
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
    spdlog::set_default_logger(logger);
}

}  // namespace

int main(int argc, char** argv) {
    po::options_description global("Global options");
    global.add_options()("help,h", "show this help")("verbose,v", po::bool_switch(),
                                                     "log what happens, to standard error")(
        "json", po::bool_switch(), "machine-readable output")(
        "config", po::value<std::string>(),
        "config file (default: $DBCLONE_CONFIG, "
        "~/.config/dbclone/dbclone.json, the shipped one)")(
        "state-dir", po::value<std::string>(),
        "state directory (default: $DBCLONE_STATE_DIR, config, ~/.local/state/dbclone)")(
        "plugin-dir", po::value<std::vector<std::string>>()->composing(),
        "also load plugins from this directory (repeatable; searched first)")(
        "roots-dir", po::value<std::string>(), "root images directory (default: config)")(
        "server", po::value<std::vector<std::string>>()->composing(),
        "a database server's URL, e.g. postgresql://admin:pw@127.0.0.1:5432/postgres; its "
        "scheme picks the backend (repeatable); a password here is visible to every local "
        "user, so prefer --server-file or $DBCLONE_PG_URL, $DBCLONE_MYSQL_URL, "
        "$DBCLONE_MONGODB_URI")("server-file", po::value<std::vector<std::string>>()->composing(),
                                "a file with server URLs, one per line (repeatable)")(
        "init", po::bool_switch(),
        "start an empty registry even where the state directory holds dbclone data (a lost "
        "registry: restore it with 'state restore' instead)");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::string>())(
        "args", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(global).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1).add("args", -1);

    try {
        auto parsed = po::command_line_parser(argc, argv)
                          .options(all)
                          .positional(positional)
                          .allow_unregistered()
                          .run();
        po::variables_map vm;
        po::store(parsed, vm);
        po::notify(vm);
        GlobalOptions options;
        options.verbose = vm["verbose"].as<bool>();
        options.json = vm["json"].as<bool>();
        setup_logging(options.verbose);
        if (vm.count("config")) options.overrides.config_file = vm["config"].as<std::string>();
        if (vm.count("state-dir")) options.overrides.state_dir = vm["state-dir"].as<std::string>();
        options.overrides.init_registry = vm["init"].as<bool>();
        if (vm.count("roots-dir")) options.overrides.roots_dir = vm["roots-dir"].as<std::string>();
        if (vm.count("server"))
            options.overrides.server_urls = vm["server"].as<std::vector<std::string>>();
        for (const auto& url : options.overrides.server_urls)
            if (url_has_password(url))
                std::cerr << "dbclone: warning: the password in --server " << backend_for_url(url)
                          << " URL is visible to every local user (ps); use --server-file or "
                             "the environment instead\n";
        if (vm.count("server-file"))
            for (const auto& f : vm["server-file"].as<std::vector<std::string>>())
                options.overrides.server_files.emplace_back(f);
        if (vm.count("plugin-dir"))
            for (const auto& d : vm["plugin-dir"].as<std::vector<std::string>>())
                options.overrides.plugin_dirs.emplace_back(d);

        if (!vm.count("command")) {
            print_help(global);
            return vm.count("help") ? exit_code::ok : exit_code::usage;
        }
        std::string name = vm["command"].as<std::string>();
        auto command = commands().find(name);
        if (command == commands().end()) {
            std::cerr << "dbclone: unknown command \"" << name << "\"; run 'dbclone --help'\n";
            return exit_code::usage;
        }
        // The command's own arguments: everything the global parser left over.
        auto rest = po::collect_unrecognized(parsed.options, po::include_positional);
        rest.erase(rest.begin());
        if (vm.count("help")) rest.push_back("--help");
        CliContext context(options);
        return command->second.first(context, rest);
    } catch (const po::error& e) {
        std::cerr << "dbclone: " << e.what() << "; run 'dbclone --help'\n";
        return exit_code::usage;
    } catch (const Error& e) {
        std::cerr << "dbclone: " << e.what() << '\n';
        return exit_code_for(e.kind());
    } catch (const std::exception& e) {
        std::cerr << "dbclone: " << e.what() << '\n';
        return exit_code::failed;
    }
}
