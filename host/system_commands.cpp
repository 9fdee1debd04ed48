// status, ports, roots, plugins, reconcile: the commands about the system.
#include <dbclone/core/config.hpp>
#include <dbclone/core/disk_meter.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/golden_copy_cache.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/root_importer.hpp>
#include <dbclone/core/tenant_id.hpp>

#include <iostream>
#include <map>

#include "cli_context.hpp"
#include "comma_list.hpp"
#include "limits_text.hpp"
#include "table.hpp"

namespace dbclone::cli {

namespace {

void key(json::Writer& w, const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str());
}

std::string capabilities_text(uint64_t caps) {
    static const std::pair<uint64_t, const char*> names[] = {
        {DBC_CAP_EMBEDDED, "embedded"},
        {DBC_CAP_SHARED_SERVER, "shared_server"},
        {DBC_CAP_DATA_DIRECTORY, "data_directory"},
        {DBC_CAP_USERS, "users"},
        {DBC_CAP_ISOLATION_PROBES, "isolation_probes"}};
    std::string out;
    for (const auto& [bit, name] : names)
        if (caps & bit) {
            if (!out.empty()) out += ',';
            out += name;
        }
    return out.empty() ? "-" : out;
}

// A size for people: "1.2 MiB".
std::string human_bytes(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char out[32];
    std::snprintf(out, sizeof out, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return out;
}

int tenant_status(CliContext& ctx, const std::string& tenant, bool show_password) {
    validate_tenant_id(tenant);
    auto& registry = ctx.engine().registry();
    auto row = registry.find_clone(tenant);
    if (!row) {
        auto events = registry.events(tenant, 1);
        std::string last =
            events.empty() ? "" : "; last event: " + events[0].kind + " " + events[0].detail;
        throw Error(ErrorKind::NotFound, "unknown tenant \"" + tenant + "\"" + last);
    }
    // The tenant's own login, for the health probe.
    Target owner = owner_target(*row);
    // A dedicated server's state, as its runtime sees it now.
    std::string server_state, health;
    if (!row->server.empty()) {
        try {
            auto record = ctx.engine().runtime(row->placement).inspect(row->server);
            server_state =
                record ? json::parse(*record, "server record")["state"].GetString() : "missing";
        } catch (const std::exception& e) {
            server_state = std::string("unknown (") + e.what() + ")";
        }
        // Healthy means the tenant can log in and run a query right now.
        try {
            ctx.engine().backend(row->db_type).probe(owner);
            health = "healthy";
        } catch (const std::exception& e) {
            health = std::string("unhealthy: ") + e.what();
        }
    }
    // The disk it takes now, kept for /metrics.
    std::string disk_error;
    if (row->state == "ready") {
        try {
            if (measure_disk(ctx.engine(), *row)) row = registry.find_clone(tenant);
        } catch (const std::exception& e) {
            disk_error = e.what();
        }
    }
    if (ctx.json()) {
        auto doc = json::parse(json::clone_json(*row, show_password), "clone");
        if (!row->server.empty()) {
            auto& a = doc.GetAllocator();
            rapidjson::Value server(rapidjson::kObjectType);
            server.AddMember("name", rapidjson::Value(row->server.c_str(), a), a);
            server.AddMember("state", rapidjson::Value(server_state.c_str(), a), a);
            server.AddMember("health", rapidjson::Value(health.c_str(), a), a);
            server.AddMember("data_dir", rapidjson::Value(row->data_dir.c_str(), a), a);
            server.AddMember(
                "storage",
                rapidjson::Value(storage_strategy_name(ctx.engine().storage().strategy()).c_str(),
                                 a),
                a);
            doc.AddMember("server", server, a);
        }
        std::cout << json::to_string(doc) << '\n';
        return exit_code::ok;
    }
    std::cout << "tenant:    " << row->tenant_id << "\ntype:      " << row->db_type
              << "\nversion:   " << row->root_version << "\nplacement: " << row->placement
              << "\nstate:     " << row->state << "\ndatabase:  " << row->database_name
              << "\nuser:      " << row->user_name << '\n';
    if (show_password) std::cout << "password:  " << row->password << '\n';
    if (!row->query_user.empty())
        std::cout << "query user: " << row->query_user << " (reads only)\n";
    if (show_password && !row->query_user.empty())
        std::cout << "query password: " << row->query_password << '\n';
    std::cout << "location:  " << row->location << '\n';
    if (!row->host.empty()) std::cout << "host:      " << row->host << ':' << row->port << '\n';
    if (!row->server.empty())
        std::cout << "server:    " << row->server << " (" << server_state << ", " << health
                  << ")\ndata dir:  " << row->data_dir << " (storage "
                  << storage_strategy_name(ctx.engine().storage().strategy()) << ")\n";
    if (!disk_error.empty())
        std::cout << "disk:      not measured: " << disk_error << '\n';
    else if (!row->disk_measured_at.empty())
        std::cout << "disk:      " << human_bytes(row->disk_bytes)
                  << (json::disk_limit_bytes(*row) == 0
                          ? std::string(" (no limit)")
                          : std::string(json::over_disk_limit(*row) ? ", OVER its limit of "
                                                                    : " of a limit of ") +
                                human_bytes(json::disk_limit_bytes(*row)))
                  << '\n';
    std::cout << "limits:\n";
    print_limits(std::cout, *row, "  ");
    std::cout << "created:   " << row->created_at << "\nevents:\n";
    for (const auto& e : registry.events(tenant, 10))
        std::cout << "  " << e.at << "  " << e.kind << "  " << e.detail << '\n';
    return exit_code::ok;
}

int system_status(CliContext& ctx) {
    Engine& engine = ctx.engine();
    auto& registry = engine.registry();
    std::map<std::string, int> by_state;
    auto clones = registry.clones();
    for (const auto& c : clones) ++by_state[c.db_type + "/" + c.state];
    auto goldens = registry.goldens();
    auto backends = engine.backend_types();
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartObject();
            key(w, "state_dir", engine.config().state_dir.string());
            key(w, "registry", registry.file().string());
            w.Key("schema_version");
            w.Int(registry.stored_schema_version());
            key(w, "config_file", engine.config().file.string());
            key(w, "roots_dir", engine.roots().directory().string());
            write_string_array(w, "backends", backends);
            write_string_array(w, "runtimes", engine.runtime_names());
            key(w, "data_dir", engine.config().data_dir.string());
            key(w, "storage_strategy", storage_strategy_name(engine.storage().strategy()));
            w.Key("plugins_refused");
            w.Uint(static_cast<unsigned>(engine.plugins().refusals().size()));
            w.Key("clones");
            w.StartObject();
            for (const auto& [k, n] : by_state) {
                w.Key(k.c_str());
                w.Int(n);
            }
            w.EndObject();
            w.Key("golden_copies");
            w.StartArray();
            for (const auto& g : goldens) json::write_golden(w, g);
            w.EndArray();
            w.EndObject();
        });
        return exit_code::ok;
    }
    std::cout << "state directory: " << engine.config().state_dir.string()
              << "\nregistry:        " << registry.file().string() << " (schema "
              << registry.stored_schema_version() << ")\nconfig file:     "
              << (engine.config().file.empty() ? "(built-in defaults)"
                                               : engine.config().file.string())
              << "\nroots:           " << engine.roots().directory().string()
              << "\nbackends:        ";
    for (const auto& b : backends) std::cout << b << ' ';
    std::cout << "\nruntimes:        ";
    for (const auto& r : engine.runtime_names()) std::cout << r << ' ';
    std::cout << "\ndata directory:  " << engine.config().data_dir.string() << " (storage "
              << storage_strategy_name(engine.storage().strategy()) << ")";
    std::cout << "\nplugins refused: " << engine.plugins().refusals().size()
              << "\nclones:          " << clones.size() << '\n';
    for (const auto& [k, n] : by_state) std::cout << "  " << k << ": " << n << '\n';
    std::cout << "golden copies:   " << goldens.size() << '\n';
    for (const auto& g : goldens)
        std::cout << "  " << g.backend << " " << g.root_version << " (" << g.placement
                  << "): " << g.location << ", "
                  << (g.bytes ? human_bytes(g.bytes) : "size unknown") << '\n';
    return exit_code::ok;
}

}  // namespace

int status_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("status options");
    options.add_options()("tenant", po::value<std::string>(), "tenant id (default: the system)")(
        "show-password", po::bool_switch(), "include the tenant's password");
    po::positional_options_description positional;
    positional.add("tenant", 1);
    auto vm = parse_command(args, options, positional);
    if (help_requested(vm, "status [TENANT_ID] [--show-password]", options)) return exit_code::ok;
    if (vm.count("tenant"))
        return tenant_status(ctx, vm["tenant"].as<std::string>(), vm["show-password"].as<bool>());
    return system_status(ctx);
}

int ports_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("ports options");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm, "ports", options)) return exit_code::ok;
    auto& ports = ctx.engine().ports();
    auto usage = ports.utilization();
    auto allocations = ctx.engine().registry().ports();
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartObject();
            w.Key("allocations");
            w.StartArray();
            for (const auto& a : allocations) {
                w.StartObject();
                w.Key("port");
                w.Uint(a.port);
                key(w, "database_type", a.db_type);
                key(w, "tenant_id", a.tenant_id);
                key(w, "allocated_at", a.allocated_at);
                w.EndObject();
            }
            w.EndArray();
            w.Key("ranges");
            w.StartArray();
            for (const auto& u : usage) {
                w.StartObject();
                key(w, "database_type", u.db_type);
                w.Key("first");
                w.Uint(u.first);
                w.Key("last");
                w.Uint(u.last);
                w.Key("capacity");
                w.Uint(static_cast<unsigned>(u.capacity));
                w.Key("allocated");
                w.Uint(static_cast<unsigned>(u.allocated));
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        });
        return exit_code::ok;
    }
    Table ranges({"TYPE", "RANGE", "ALLOCATED", "CAPACITY", "UTILIZATION"});
    for (const auto& u : usage) {
        char pct[16];
        std::snprintf(pct, sizeof pct, "%.1f%%",
                      u.capacity ? 100.0 * u.allocated / u.capacity : 0.0);
        ranges.add({u.db_type, std::to_string(u.first) + "-" + std::to_string(u.last),
                    std::to_string(u.allocated), std::to_string(u.capacity), pct});
    }
    ranges.print(std::cout);
    std::cout << '\n';
    Table table({"PORT", "TYPE", "TENANT", "ALLOCATED"});
    for (const auto& a : allocations)
        table.add({std::to_string(a.port), a.db_type, a.tenant_id, a.allocated_at});
    table.print(std::cout);
    return exit_code::ok;
}

namespace {

// One root version as `roots list` shows it.
struct RootSummary {
    std::string version, description, backends;
    uint64_t bytes = 0;  // its files
    std::vector<std::string> tenants;
    size_t golden_copies = 0;
};

std::vector<RootSummary> summarize_roots(CliContext& ctx) {
    auto& registry = ctx.engine().registry();
    auto clones = registry.clones();
    auto goldens = registry.goldens();
    std::vector<RootSummary> out;
    for (const auto& v : ctx.engine().roots().versions()) {
        auto image = ctx.engine().roots().load(v);
        RootSummary r{v, image.description, "", 0, {}, 0};
        for (const auto& [backend, f] : image.files) {
            r.backends += (r.backends.empty() ? "" : ",") + backend;
            for (const auto& part : f.parts) r.bytes += root_part_bytes(part.path);
        }
        for (const auto& c : clones)
            if (c.root_version == v) r.tenants.push_back(c.tenant_id);
        for (const auto& g : goldens) r.golden_copies += g.root_version == v ? 1 : 0;
        out.push_back(r);
    }
    return out;
}

void print_goldens(CliContext& ctx, const std::vector<GoldenRecord>& goldens, const char* verb) {
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartArray();
            for (const auto& g : goldens) json::write_golden(w, g);
            w.EndArray();
        });
        return;
    }
    uint64_t bytes = 0;
    for (const auto& g : goldens) {
        std::cout << verb << " " << g.backend << " " << g.root_version << " (" << g.placement
                  << "): " << g.location << (g.bytes ? " " + human_bytes(g.bytes) : "") << '\n';
        bytes += g.bytes;
    }
    std::cout << goldens.size() << " golden copies" << (bytes ? ", " + human_bytes(bytes) : "")
              << '\n';
}

// `roots remove VERSION [--force]`: its golden copies go, and its folder is
// moved to backups/roots/ (a user's dump is never deleted).
int remove_root(CliContext& ctx, const std::string& version, bool force) {
    auto& registry = ctx.engine().registry();
    std::vector<std::string> users;
    for (const auto& c : registry.clones())
        if (c.root_version == version) users.push_back(c.tenant_id);
    bool known = std::filesystem::exists(ctx.engine().roots().directory() / version);
    bool has_goldens = false;
    for (const auto& g : registry.goldens()) has_goldens = has_goldens || g.root_version == version;
    // Validates the name of a version that is there, and names the versions
    // there are when neither it nor golden copies of it exist. One whose folder
    // has gone but whose golden copies remain may still be removed.
    if (known || !has_goldens) ctx.engine().roots().load(version);
    if (!users.empty() && !force)
        throw Error(ErrorKind::Conflict, "root \"" + version + "\" is used by " +
                                             std::to_string(users.size()) + " tenants (" +
                                             join_commas(users) +
                                             "); --force removes its golden copies " +
                                             "and folder and leaves those tenants as they are");
    auto removed = GoldenCopyCache(ctx.engine()).remove_version(version);
    print_goldens(ctx, removed, "removed");
    if (known) {
        auto target = ctx.engine().config().state_dir / "backups" / "roots" /
                      (version + "-" + std::to_string(::time(nullptr)));
        std::filesystem::create_directories(target.parent_path());
        std::error_code ec;
        std::filesystem::rename(ctx.engine().roots().directory() / version, target, ec);
        if (ec)
            throw Error(ErrorKind::Failed, "removed the golden copies of " + version +
                                               " but could not move its folder to " +
                                               target.string() + ": " + ec.message());
        if (!ctx.json()) std::cout << "moved its folder to " << target.string() << '\n';
    }
    if (!users.empty() && !ctx.json())
        std::cout << "left " << users.size()
                  << " tenants made from it (independent copies): " << join_commas(users) << '\n';
    return exit_code::ok;
}

}  // namespace

int roots_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("roots options");
    options.add_options()("action", po::value<std::string>()->default_value("list"),
                          "list, validate, gc or remove")(
        "version", po::value<std::string>(), "the version to validate or remove (default: all)")(
        "dry-run", po::bool_switch(), "gc: only list what it would remove")(
        "force", po::bool_switch(), "remove: even while tenants use it")(
        "from", po::value<std::string>(),
        "import: the live database (a server URL, or a SQLite file's path)")(
        "type", po::value<std::string>(), "import: its backend (default: from the URL)")(
        "description", po::value<std::string>()->default_value(""),
        "import: the new version's description");
    po::positional_options_description positional;
    positional.add("action", 1).add("version", 1);
    auto vm = parse_command(args, options, positional);
    const char* usage =
        "roots [list | validate [VERSION] | gc [--dry-run] | remove VERSION [--force] | "
        "import VERSION --from URL [--type T]]";
    if (help_requested(vm, usage, options)) return exit_code::ok;
    const auto& roots = ctx.engine().roots();
    std::string action = vm["action"].as<std::string>();
    if (action == "list") {
        auto summaries = summarize_roots(ctx);
        if (ctx.json()) {
            print_json([&](json::Writer& w) {
                w.StartArray();
                for (const auto& r : summaries) {
                    auto image = roots.load(r.version);
                    w.StartObject();
                    key(w, "version", r.version);
                    key(w, "description", r.description);
                    w.Key("files");
                    w.StartObject();
                    for (const auto& [backend, f] : image.files) {
                        // One file's name, or the names of several in order.
                        w.Key(backend.c_str());
                        if (f.parts.size() > 1) w.StartArray();
                        for (const auto& part : f.parts) w.String(part.path.filename().c_str());
                        if (f.parts.size() > 1) w.EndArray();
                    }
                    w.EndObject();
                    w.Key("bytes");
                    w.Uint64(r.bytes);
                    w.Key("tenants");
                    w.Uint64(r.tenants.size());
                    w.Key("golden_copies");
                    w.Uint64(r.golden_copies);
                    w.EndObject();
                }
                w.EndArray();
            });
            return exit_code::ok;
        }
        Table table({"VERSION", "BACKENDS", "SIZE", "TENANTS", "GOLDEN", "DESCRIPTION"});
        for (const auto& r : summaries)
            table.add({r.version, r.backends, human_bytes(r.bytes),
                       std::to_string(r.tenants.size()), std::to_string(r.golden_copies),
                       r.description});
        table.print(std::cout);
        return exit_code::ok;
    }
    if (action == "gc") {
        bool dry_run = vm["dry-run"].as<bool>();
        print_goldens(ctx, GoldenCopyCache(ctx.engine()).collect_garbage(dry_run),
                      dry_run ? "would remove" : "removed");
        return exit_code::ok;
    }
    if (action == "import") {
        if (!vm.count("version") || !vm.count("from"))
            throw Error(ErrorKind::InvalidInput,
                        "roots import needs a VERSION and --from; " + std::string(usage));
        std::string from = vm["from"].as<std::string>();
        // A URL names its server's backend; anything else is a file (SQLite's).
        std::string type =
            vm.count("type") ? vm["type"].as<std::string>()
            : from.find("://") == std::string::npos || from.rfind("sqlite://", 0) == 0
                ? "sqlite"
                : backend_for_url(from);
        auto root = RootImporter(ctx.engine())
                        .import(vm["version"].as<std::string>(), type, from,
                                vm["description"].as<std::string>());
        if (ctx.json()) {
            print_json([&](json::Writer& w) {
                w.StartObject();
                key(w, "version", vm["version"].as<std::string>());
                key(w, "backend", type);
                w.Key("files");
                w.StartArray();
                for (const auto& p : root.parts) {
                    w.StartObject();
                    key(w, "file", p.path.filename().string());
                    key(w, "sha256", p.sha256);
                    w.EndObject();
                }
                w.EndArray();
                w.EndObject();
            });
            return exit_code::ok;
        }
        for (const auto& p : root.parts)
            std::cout << "imported " << type << " from " << without_password(from) << " into "
                      << p.path.string() << " (sha256 " << p.sha256 << ")\n";
        return exit_code::ok;
    }
    if (action == "remove") {
        if (!vm.count("version"))
            throw Error(ErrorKind::InvalidInput,
                        "roots remove needs a VERSION; " + std::string(usage));
        return remove_root(ctx, vm["version"].as<std::string>(), vm["force"].as<bool>());
    }
    if (action != "validate")
        throw Error(ErrorKind::InvalidInput, "unknown roots action \"" + action +
                                                 "\"; allowed: list, validate, gc, remove, import");
    std::vector<std::string> versions =
        vm.count("version") ? std::vector<std::string>{vm["version"].as<std::string>()}
                            : roots.versions();
    bool ok = !versions.empty();
    for (const auto& v : versions) {
        auto result = roots.validate(v);
        ok = ok && result.ok();
        std::cout << v << ": " << (result.ok() ? "ok" : "INVALID") << '\n';
        for (const auto& p : result.problems) std::cout << "  " << p << '\n';
    }
    if (versions.empty()) std::cout << "no root images in " << roots.directory().string() << '\n';
    return ok ? exit_code::ok : exit_code::failed;
}

int plugins_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("plugins options");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm, "plugins", options)) return exit_code::ok;
    const auto& host = ctx.engine().plugins();
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartObject();
            w.Key("plugins");
            w.StartArray();
            for (const auto& p : host.plugins()) {
                const auto& i = p->info;
                w.StartObject();
                key(w, "name", i.name);
                key(w, "kind", kind_name(i.kind));
                key(w, "version", i.version);
                key(w, "abi", std::to_string(i.abi_major) + "." + std::to_string(i.abi_minor));
                key(w, "path", i.path.string());
                key(w, "description", i.description);
                key(w, "capabilities", capabilities_text(i.capabilities));
                w.EndObject();
            }
            w.EndArray();
            write_string_array(w, "refused", host.refusals());
            w.EndObject();
        });
        return exit_code::ok;
    }
    Table table({"NAME", "KIND", "VERSION", "ABI", "CAPABILITIES", "PATH"});
    for (const auto& p : host.plugins()) {
        const auto& i = p->info;
        table.add({i.name, kind_name(i.kind), i.version,
                   std::to_string(i.abi_major) + "." + std::to_string(i.abi_minor),
                   capabilities_text(i.capabilities), i.path.string()});
    }
    table.print(std::cout);
    for (const auto& r : host.refusals()) std::cout << "refused: " << r << '\n';
    return exit_code::ok;
}

int reconcile_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("reconcile options");
    options.add_options()("force", po::bool_switch(),
                          "remove orphans even when they are more than a quarter of the tenants "
                          "the registry knows");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm, "reconcile [--force]", options)) return exit_code::ok;
    auto report = Reconciler(ctx.engine(), vm["force"].as<bool>()).run();
    if (ctx.json()) {
        print_json([&](json::Writer& w) {
            w.StartObject();
            write_string_array(w, "actions", report.actions);
            write_string_array(w, "problems", report.problems);
            w.EndObject();
        });
    } else {
        for (const auto& a : report.actions) std::cout << a << '\n';
        for (const auto& p : report.problems) std::cout << "problem: " << p << '\n';
        if (report.actions.empty() && report.problems.empty())
            std::cout << "nothing to reconcile\n";
    }
    return report.problems.empty() ? exit_code::ok : exit_code::failed;
}

}  // namespace dbclone::cli
