// `dbclone serve`: the REST API on the same core and state store as the CLI.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/password.hpp>
#include <dbclone/core/reconciler.hpp>

#include <condition_variable>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "api_server.hpp"
#include "cli_context.hpp"

namespace dbclone::cli {

namespace {

// The bearer token: read from `file`, or made (from the OS's random source)
// and written there with mode 0600 on first start.
std::string load_or_make_token(const std::filesystem::path& file) {
    if (std::filesystem::exists(file)) {
        std::ifstream in(file);
        std::string token;
        std::getline(in, token);
        if (token.size() < 16)
            throw Error(ErrorKind::InvalidInput,
                        "the token in " + file.string() + " is shorter than 16 characters");
        return token;
    }
    std::string token = generate_password();
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw Error(ErrorKind::Failed, "cannot create the token file " + file.string());
    std::string line = token + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) throw Error(ErrorKind::Failed, "cannot write the token file " + file.string());
    std::cout << "a new API token is in " << file.string() << " (mode 0600)" << std::endl;
    return token;
}

}  // namespace

int serve_command(CliContext& ctx, const std::vector<std::string>& args) {
    auto options = options_with_help("serve options");
    options.add_options()("listen", po::value<std::string>()->default_value("127.0.0.1:8000"),
                          "address:port to listen on (port 0: any free port)")(
        "token-file", po::value<std::string>()->default_value(""),
        "file with the bearer token (default: <state>/api_token, made on first start)")(
        "threads", po::value<int>()->default_value(2), "worker threads")(
        "max-queued", po::value<int>()->default_value(64),
        "background (async) creates that may wait at once; more get 429")(
        "disk-measure-every", po::value<int>()->default_value(300),
        "seconds between measures of every tenant's disk for /metrics (0: never)");
    auto vm = parse_command(args, options, {});
    if (help_requested(vm,
                       "serve [--listen ADDRESS:PORT] [--token-file F] [--threads N] "
                       "[--max-queued N] [--disk-measure-every SECONDS]",
                       options))
        return exit_code::ok;
    std::string listen = vm["listen"].as<std::string>();
    auto colon = listen.rfind(':');
    std::string port_text = colon == std::string::npos ? "" : listen.substr(colon + 1);
    if (colon == std::string::npos || port_text.empty() ||
        port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5 ||
        std::stoul(port_text) > 65535)
        throw Error(ErrorKind::InvalidInput,
                    "--listen \"" + listen + "\" is not ADDRESS:PORT (e.g. 127.0.0.1:8000)");
    int threads = vm["threads"].as<int>();
    if (threads < 1 || threads > 64)
        throw Error(ErrorKind::InvalidInput,
                    "--threads " + std::to_string(threads) + " is not from 1 to 64");
    int max_queued = vm["max-queued"].as<int>();
    if (max_queued < 1 || max_queued > 10000)
        throw Error(ErrorKind::InvalidInput,
                    "--max-queued " + std::to_string(max_queued) + " is not from 1 to 10000");
    int measure_every = vm["disk-measure-every"].as<int>();
    if (measure_every < 0 || measure_every > 86400)
        throw Error(ErrorKind::InvalidInput, "--disk-measure-every " +
                                                 std::to_string(measure_every) +
                                                 " is not from 0 (never) to 86400 seconds");
    Engine& engine = ctx.engine();
    std::filesystem::path token_file =
        vm["token-file"].as<std::string>().empty()
            ? engine.config().state_dir / "api_token"
            : std::filesystem::path(vm["token-file"].as<std::string>());
    std::string token = load_or_make_token(token_file);
    // What a crash left behind is cleaned before serving.
    auto report = Reconciler(engine).run();
    for (const auto& a : report.actions) spdlog::warn("reconcile: {}", a);
    spdlog::set_level(ctx.verbose() ? spdlog::level::debug : spdlog::level::info);
    api::Routes routes(engine, token, {.max_waiting = static_cast<size_t>(max_queued)});
    // /metrics reports each tenant's disk at its last measure; without this a
    // tenant that nobody runs status or verify on would keep its figure of
    // long ago. Stopped (and joined) when serving ends, before the routes go.
    std::jthread disk_meter;
    if (measure_every > 0)
        disk_meter = std::jthread([&routes, measure_every](const std::stop_token& stop) {
            std::mutex mutex;
            std::condition_variable_any wake;
            while (!stop.stop_requested()) {
                routes.measure_disks(stop);
                std::unique_lock lock(mutex);
                wake.wait_for(lock, stop, std::chrono::seconds(measure_every),
                              [] { return false; });
            }
        });
    api::serve(routes,
               {listen.substr(0, colon), static_cast<uint16_t>(std::stoul(port_text)), threads});
    return exit_code::ok;
}

}  // namespace dbclone::cli
