// Dedicated placement benchmark: time from `create` to a tenant answering
// queries, with placement `process`, for each storage strategy this machine
// offers (copy on the state directory's own filesystem; btrfs snapshot and
// reflink on a btrfs made on a loop device), for root v1.0 and a pgbench root.
//
//   build/bin/placement_bench [--iterations N] [--scale S] [--image-gb G] [--docker-image IMAGE]
//
// With --docker-image, placement `docker` is measured too (on ext4 copy and the
// btrfs snapshot), with that image for PostgreSQL.
//
// Needs root (servers run as user postgres; the loop device). Each strategy
// gets its own state directory, so each builds its own golden data directory
// first (reported separately).
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include <cstdio>
#include <cstdlib>

#include "bench_support.hpp"
#include "command_line.hpp"
#include "test_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace dbclone::bench;

// Creates and removes tenants with each placement ("process", and "docker" when
// an image is given), in one state directory per storage strategy.
void measure(const std::string& label, const fs::path& state, const fs::path& roots,
             const std::string& version, const std::string& strategy,
             const std::string& docker_image, int iterations) {
    auto config = bench_config(state.parent_path(), state.filename().string(), roots, "", "");
    config.storage_strategy = strategy;
    if (!docker_image.empty())
        config.plugin_settings["docker"] = R"({"images": {"postgresql": ")" + docker_image + "\"}}";
    dbclone::Engine engine(config);
    dbclone::Cloner cloner(engine);
    auto t = Clock::now();
    cloner.create({"warm", "postgresql", version, "process"});
    double first = since_ms(t);
    cloner.remove("warm");
    std::vector<std::string> placements{"process"};
    if (!docker_image.empty()) placements.emplace_back("docker");
    for (const auto& placement : placements) {
        std::vector<double> ms;
        for (int i = 0; i < iterations; ++i) {
            std::string id = "t" + std::to_string(i);
            t = Clock::now();
            cloner.create({id, "postgresql", version, placement});  // returns once it answers
            ms.push_back(since_ms(t));
            cloner.remove(id);
        }
        auto s = stats(ms);
        std::printf("| %s | %s | %s | %s | %.0f | %.0f | %.0f |\n", version.c_str(),
                    placement.c_str(), label.c_str(),
                    dbclone::storage_strategy_name(engine.storage().strategy()).c_str(), s.median,
                    s.p95, first);
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line(
        "placement_bench", argc, argv,
        {{"iterations", "5"}, {"scale", "20"}, {"image-gb", "8"}, {"docker-image", ""}});
    int iterations = command_line.number("iterations");
    int scale = command_line.number("scale");
    int image_gb = command_line.number("image-gb");
    std::string docker_image = command_line.text("docker-image");
    if (::geteuid() != 0) {
        std::fprintf(stderr,
                     "placement_bench: needs root (servers run as postgres; a loop device)\n");
        return 2;
    }
    spdlog::set_level(spdlog::level::err);
    fs::path work = "/tmp/dbclone-placement-bench";
    fs::remove_all(work);
    fs::create_directories(work);
    ::chmod(work.c_str(), 0711);
    std::string big = "pgbench_s" + std::to_string(scale);
    write_root(work / "roots", big, "postgresql", "postgresql.sql", pgbench_root_sql(scale));
    fs::path shipped = fs::path(DBCLONE_SOURCE_DIR) / "config/roots";
    std::printf(
        "| root | placement | filesystem | strategy | median ms | p95 ms | first create incl. "
        "golden ms |\n"
        "|---|---|---|---|---|---|---|\n");
    int status = 0;
    try {
        dbclone::testing::LoopBtrfs btrfs(static_cast<uint64_t>(image_gb) * 1024);
        if (btrfs.ready()) btrfs.let_servers_in();
        for (const auto& [version, roots] : std::vector<std::pair<std::string, fs::path>>{
                 {"v1.0", shipped}, {big, work / "roots"}}) {
            measure("ext4 (state dir)", work / ("ext4-" + version), roots, version, "copy",
                    docker_image, iterations);
            if (btrfs.ready()) {
                measure("btrfs (loop)", btrfs.mount_point() / ("snap-" + version), roots, version,
                        "btrfs_snapshot", docker_image, iterations);
                measure("btrfs (loop)", btrfs.mount_point() / ("reflink-" + version), roots,
                        version, "reflink", "", iterations);
                measure("btrfs (loop)", btrfs.mount_point() / ("copy-" + version), roots, version,
                        "copy", "", iterations);
            }
        }
        if (!btrfs.ready()) std::printf("\n(no btrfs here: %s)\n", btrfs.why_not().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "placement_bench: %s\n", e.what());
        status = 1;
    }
    fs::remove_all(work);
    return status;
}
