// create, verify, list, status, remove: the commands about tenants.
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/self_test.hpp>
#include <dbclone/core/tenant_id.hpp>
#include <dbclone/core/verifier.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_context.hpp"
#include "comma_list.hpp"
#include "limits_text.hpp"
#include "step_printer.hpp"
#include "table.hpp"

namespace dbclone::cli {

namespace {

void print_connection(const CloneRecord& r) {
    std::cout << "tenant " << r.tenant_id << " is ready (" << r.db_type << ", root "
              << r.root_version << ", " << r.placement << ")\n"
              << "  database: " << r.database_name << '\n'
              << "  user:     " << r.user_name << '\n'
              << "  password: " << r.password << '\n';
    if (!r.query_user.empty())
        std::cout << "  query user:     " << r.query_user << " (reads only)\n"
                  << "  query password: " << r.query_password << '\n';
    if (!r.host.empty())
        std::cout << "  host:     " << r.host << "\n  port:     " << r.port << '\n';
    std::cout << "  location: " << r.location << "\n  limits:\n";
    print_limits(std::cout, r, "    ");
}

}  // namespace

int create_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("create options");
    options.add_options()("tenant", po::value<std::string>()->required(), "tenant id")(
        "type", po::value<std::string>()->required(), "database type (a backend plugin's name)")(
        "version", po::value<std::string>()->default_value(""),
        "root image version (default: config's default_version)")(
        "placement", po::value<std::string>()->default_value(""),
        "embedded, shared, process or docker (default: the type's natural one)")(
        "strategy", po::value<std::string>()->default_value(""),
        "how the backend copies (mysql: logical or tablespace; postgresql: wal_log or "
        "file_copy; default: chosen automatically)")(
        "limit", po::value<std::vector<std::string>>()->default_value({}, ""),
        "NAME=VALUE over the configured default limits, repeatable: connections=20, "
        "statement_timeout=5s, idle_in_transaction_timeout, lock_timeout, work_mem=16MB, "
        "temp_file_limit=1GB, queries_per_hour (off: no limit)");
    po::positional_options_description positional;
    positional.add("tenant", 1).add("type", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm,
                       "create TENANT_ID DB_TYPE [--version V] [--placement P] [--strategy S] "
                       "[--limit NAME=VALUE ...]",
                       options))
        return exit_code::ok;
    // Checked before the engine (and so the state directory) exists: a bad id
    // has no side effect at all.
    validate_tenant_id(vm["tenant"].as<std::string>());
    bool progress = ctx.stdout_is_tty() && !ctx.json();
    StepPrinter printer(progress);
    if (progress) std::cout << "creating " << vm["tenant"].as<std::string>() << '\n';
    CreateRequest request{
        vm["tenant"].as<std::string>(),   vm["type"].as<std::string>(),
        vm["version"].as<std::string>(),  vm["placement"].as<std::string>(),
        vm["strategy"].as<std::string>(), vm["limit"].as<std::vector<std::string>>()};
    auto record = Cloner(ctx.engine()).create(request, [&](const std::string& step, auto took) {
        printer.step(step, took);
    });
    if (ctx.json()) {
        std::cout << json::clone_json(record, true) << '\n';
        return exit_code::ok;
    }
    if (progress) std::printf("  %-14s %9.2f ms\n", "total", printer.total_ms());
    print_connection(record);
    return exit_code::ok;
}

int credentials_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("credentials options");
    options.add_options()("action", po::value<std::string>()->required(), "rotate")(
        "tenant", po::value<std::string>()->required(), "tenant id")(
        "login", po::value<std::string>()->default_value("owner"),
        "owner (the tenant's own login) or query (its read-only query login)");
    po::positional_options_description positional;
    positional.add("action", 1).add("tenant", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm, "credentials rotate TENANT_ID [--login owner|query]", options))
        return exit_code::ok;
    std::string action = vm["action"].as<std::string>();
    if (action != "rotate")
        throw Error(ErrorKind::InvalidInput,
                    "unknown credentials action \"" + action + "\"; allowed: rotate");
    std::string login = vm["login"].as<std::string>();
    auto record = Cloner(ctx.engine()).rotate_password(vm["tenant"].as<std::string>(), login);
    if (ctx.json()) {
        std::cout << json::clone_json(record, true) << '\n';
        return exit_code::ok;
    }
    bool query = login == "query";
    std::cout << "new password for " << (query ? record.query_user : record.user_name) << " ("
              << login << " login of " << record.tenant_id
              << ")\n  password: " << (query ? record.query_password : record.password)
              << "\nSessions already open keep going; new ones need this password.\n";
    return exit_code::ok;
}

int verify_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("verify options");
    options.add_options()("tenant", po::value<std::string>()->required(), "tenant id")(
        "checks", po::value<std::string>()->default_value(""),
        "comma-separated checks to run (default: all)")(
        "against", po::value<std::string>()->default_value(""),
        "the tenant to attack in cross-tenant checks (default: another of the same type)")(
        "skip", po::value<std::string>()->default_value(""),
        "comma-separated checks to leave out (data_integrity for a tenant in use)");
    po::positional_options_description positional;
    positional.add("tenant", 1);
    auto vm = parse_command(args, options, positional);
    const char* usage = "verify TENANT_ID [--checks a,b] [--skip a,b] [--against OTHER]";
    if (help_requested(vm, usage, options)) return exit_code::ok;
    Verifier verifier(ctx.engine());
    std::vector<std::string> checks = split_commas(vm["checks"].as<std::string>());
    if (auto skipped = split_commas(vm["skip"].as<std::string>()); !skipped.empty()) {
        auto names = verifier.check_names();
        for (const auto& s : skipped)
            if (std::find(names.begin(), names.end(), s) == names.end())
                throw Error(
                    ErrorKind::InvalidInput,
                    "unknown check \"" + s + "\" in --skip; available: " + join_commas(names));
        if (checks.empty()) checks = names;
        std::erase_if(checks, [&](const std::string& c) {
            return std::find(skipped.begin(), skipped.end(), c) != skipped.end();
        });
        if (checks.empty()) throw Error(ErrorKind::InvalidInput, "--skip leaves no check to run");
    }
    auto report =
        verifier.verify(vm["tenant"].as<std::string>(), checks, vm["against"].as<std::string>());
    if (ctx.json()) {
        std::cout << json::report_json(report) << '\n';
    } else {
        Table table({"CHECK", "OUTCOME", "MS", "DETAILS"});
        for (const auto& c : report.checks) {
            char ms[32];
            std::snprintf(ms, sizeof ms, "%.2f", c.duration_ms);
            table.add({c.name, c.outcome, ms, c.details});
            for (const auto& p : c.probes)
                table.add({"  " + p.name, p.outcome, "", p.direction + ": " + p.detail});
        }
        table.print(std::cout);
        // The same verdict as the JSON's "isolated": a barrier that is not
        // enforced is never reported as verified.
        if (!report.ok())
            std::cout << "NOT verified: " << report.tenant_id << '\n';
        else if (!report.isolated())
            std::cout << "NOT isolated: " << report.tenant_id
                      << " (no check failed, but a barrier is not enforced; see not_enforced)\n";
        else
            std::cout << "verified and isolated: " << report.tenant_id << '\n';
        for (const auto& c : report.checks)
            if (c.guardrail && c.outcome != "passed") {
                std::cout << "NOT guarded: " << c.name << " is " << c.outcome
                          << " (a limit is missing or the tenant can lift it)\n";
                break;
            }
    }
    return report.ok() ? exit_code::ok : exit_code::verification_failed;
}

int list_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("list options");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm, "list", options)) return exit_code::ok;
    auto rows = ctx.engine().registry().clones();
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartArray();
            for (const auto& r : rows) json::write_clone(w, r, false);
            w.EndArray();
        });
        return exit_code::ok;
    }
    Table table({"TENANT", "TYPE", "VERSION", "PLACEMENT", "STATE", "CREATED", "LOCATION"});
    for (const auto& r : rows)
        table.add({r.tenant_id, r.db_type, r.root_version, r.placement, r.state, r.created_at,
                   r.location});
    table.print(std::cout);
    std::cout << rows.size() << " tenant" << (rows.size() == 1 ? "" : "s") << '\n';
    return exit_code::ok;
}

int remove_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("remove options");
    options.add_options()("tenant", po::value<std::string>()->required(), "tenant id")(
        "force,f", po::bool_switch(), "delete without asking");
    po::positional_options_description positional;
    positional.add("tenant", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm, "remove TENANT_ID [--force]", options)) return exit_code::ok;
    std::string tenant = vm["tenant"].as<std::string>();
    validate_tenant_id(tenant);
    if (!ctx.engine().registry().find_clone(tenant))
        throw Error(ErrorKind::NotFound, "unknown tenant \"" + tenant + "\"");
    if (!vm["force"].as<bool>()) {
        if (!ctx.stdin_is_tty()) {
            std::cerr << "dbclone: refusing to delete tenant " << tenant
                      << "'s data without --force (no terminal to confirm on)\n";
            return exit_code::usage;
        }
        std::cout << "This deletes tenant " << tenant << " and all its data.\n"
                  << "Type the tenant id to confirm: " << std::flush;
        std::string answer;
        std::getline(std::cin, answer);
        if (answer != tenant) {
            std::cerr << "dbclone: not confirmed; nothing was removed\n";
            return exit_code::usage;
        }
    }
    Cloner(ctx.engine()).remove(tenant);
    if (ctx.json())
        std::cout << R"({"tenant_id":")" << tenant << R"(","removed":true})" << '\n';
    else
        std::cout << "removed " << tenant << '\n';
    return exit_code::ok;
}

int test_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("test options");
    options.add_options()("cleanup", po::bool_switch(),
                          "remove everything created, even when a test fails")(
        "types", po::value<std::string>()->default_value(""),
        "comma-separated database types (default: all)")(
        "placement", po::value<std::string>()->default_value(""),
        "placement for every type (default: natural)")("report",
                                                       po::value<std::string>()->default_value(""),
                                                       "write the JSON report to this file");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm, "test [--cleanup] [--types a,b] [--placement P] [--report FILE]",
                       options))
        return exit_code::ok;
    bool tty = ctx.stdout_is_tty() && !ctx.json();
    SelfTestOptions o{split_commas(vm["types"].as<std::string>()),
                      vm["placement"].as<std::string>(), vm["cleanup"].as<bool>()};
    auto report = SelfTest(ctx.engine()).run(o, [&](const SelfTestCase& t) {
        if (!tty) return;
        std::printf("  %-14s %-22s %-50s %8.1f ms\n", t.outcome.c_str(), t.category.c_str(),
                    t.name.c_str(), t.duration_ms);
        std::fflush(stdout);
    });
    std::string json = report.json();
    if (auto file = vm["report"].as<std::string>(); !file.empty()) {
        std::ofstream out(file);
        out << json << '\n';
        if (!out) throw Error(ErrorKind::Failed, "cannot write the report to " + file);
    }
    if (ctx.json())
        std::cout << json << '\n';
    else
        std::cout << report.passed() << " passed, " << report.failed() << " failed, "
                  << report.tests.size() - report.passed() - report.failed()
                  << " not applicable or not enforced; "
                  << "isolation " << (report.isolation_verified ? "verified" : "NOT verified")
                  << '\n';
    return report.failed() == 0 ? exit_code::ok : exit_code::verification_failed;
}

namespace {

// start and stop: one tenant id, a dedicated server to act on.
int server_command(CliContext& ctx, const std::vector<std::string>& args, const char* usage,
                   bool start) {
    auto options = options_with_help(start ? "start options" : "stop options");
    options.add_options()("tenant", po::value<std::string>()->required(), "tenant id");
    po::positional_options_description positional;
    positional.add("tenant", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm, usage, options)) return exit_code::ok;
    std::string tenant = vm["tenant"].as<std::string>();
    Cloner cloner(ctx.engine());
    if (start)
        cloner.start(tenant);
    else
        cloner.stop(tenant);
    if (ctx.json())
        std::cout << R"({"tenant_id":")" << tenant << R"(","state":")"
                  << (start ? "running" : "stopped") << "\"}\n";
    else
        std::cout << (start ? "started " : "stopped ") << tenant << '\n';
    return exit_code::ok;
}

}  // namespace

int start_command(CliContext& ctx, const std::vector<std::string>& args) {
    return server_command(ctx, args, "start TENANT_ID", true);
}

int stop_command(CliContext& ctx, const std::vector<std::string>& args) {
    return server_command(ctx, args, "stop TENANT_ID", false);
}

}  // namespace dbclone::cli
