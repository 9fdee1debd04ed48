// `dbclone state backup FILE` and `dbclone state restore FILE`: the registry's
// own backup procedure. They work on the registry file alone, without loading
// plugins or building an engine, so they also serve when the registry is the
// thing that broke.
#include <dbclone/core/config.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/registry.hpp>

#include <iostream>

#include "cli_context.hpp"

namespace dbclone::cli {

int state_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("state options");
    options.add_options()("action", po::value<std::string>()->required(), "backup or restore")(
        "file", po::value<std::string>()->required(), "the backup file")(
        "force", po::bool_switch(), "restore over a registry that holds tenants");
    po::positional_options_description positional;
    positional.add("action", 1).add("file", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm, "state backup FILE | state restore FILE [--force]", options))
        return exit_code::ok;
    std::string action = vm["action"].as<std::string>();
    std::filesystem::path file = std::filesystem::absolute(vm["file"].as<std::string>());
    auto registry_file = ctx.config().state_dir / "dbclone.db";
    if (action == "backup") {
        Registry(registry_file, Registry::Open::existing).backup_to(file);
        std::cout << "backed up " << registry_file.string() << " to " << file.string()
                  << " (key: " << file.string() << ".key)\n";
        return exit_code::ok;
    }
    if (action != "restore")
        throw Error(ErrorKind::InvalidInput,
                    "unknown state action \"" + action + "\"; allowed: backup, restore");
    if (!vm["force"].as<bool>()) {
        // Replacing a registry that knows tenants loses nothing (it is kept), but
        // it makes dbclone forget them: only on purpose.
        std::error_code ec;
        if (std::filesystem::exists(registry_file, ec)) {
            size_t tenants = 0;
            try {
                tenants = Registry(registry_file, Registry::Open::existing).clones().size();
            } catch (const Error&) {
                tenants = 0;  // a damaged registry is what restore is for
            }
            if (tenants > 0)
                throw Error(ErrorKind::InvalidInput,
                            registry_file.string() + " holds " + std::to_string(tenants) +
                                " tenants; restore over it with --force (it is kept in backups/)");
        }
    }
    std::string moved = Registry::restore(file, registry_file);
    std::cout << "restored " << registry_file.string() << " from " << file.string() << '\n';
    if (!moved.empty()) std::cout << moved << '\n';
    return exit_code::ok;
}

}  // namespace dbclone::cli
