// PostgreSQL clone benchmark: dbclone against the native ways, in one run on
// one server, for root v1.0 and for a pgbench root (scale 20, about 300 MB).
//
//   export DBCLONE_PG_URL=postgresql://admin:pw@127.0.0.1:15432/postgres
//   build/bin/postgresql_bench [--iterations N] [--large-iterations M] [--scale S] [--skip-large]
//
// Compared, each as a median over the iterations:
//   core     Cloner::create in this process (database, role, grants, ownership, probe)
//   cli      `dbclone create` as a new process
//   floor    one psql process: CREATE DATABASE ... TEMPLATE, CREATE ROLE, REVOKE, GRANT
//            (same strategy as dbclone chose)
//   dump     createdb + `pg_dump root | psql tenant`
//
// And, once, verify's data_integrity check of a fresh clone (row counts and
// checksums per table, sampled above 100 000 rows; amcheck where the tenant
// may run it) against the native way of reading every row and hashing it
// (`pg_dump --data-only root | sha256sum`).
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/sha256.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "bench_support.hpp"
#include "command_line.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace dbclone::bench;

struct Options {
    int iterations = 10;
    int large_iterations = 3;
    int scale = 20;
    bool skip_large = false;
};

// The admin URL with another database name.
std::string url_for(const std::string& url, const std::string& database) {
    return url.substr(0, url.rfind('/') + 1) + database;
}

struct Figures {
    Stats core, cli, floor, dump;
    double golden_ms = 0;
    double template_mb = 0;
    double integrity_ms = 0, native_hash_ms = 0;
    std::string integrity;
    std::string strategy;
};

class Bench {
  public:
    Bench(const std::string& url, const fs::path& work) : url_(url), work_(work) {}

    Figures measure(const std::string& version, const fs::path& roots, int iterations) {
        auto config =
            bench_config(work_, version, roots, "postgresql", R"({"url": ")" + url_ + "\"}");
        dbclone::Engine engine(config);
        dbclone::Cloner cloner(engine);
        Figures f;

        auto t = Clock::now();
        cloner.create({"bench_warm", "postgresql", version, ""});
        f.golden_ms = since_ms(t);  // includes building the template, if it was missing
        std::string native_root = "bench_native_" + std::to_string(::getpid());
        build_native_root(native_root, roots / version / "postgresql.sql");
        f.template_mb =
            std::stod(psql_scalar("SELECT pg_database_size('" + native_root + "')")) / 1048576.0;
        f.strategy = f.template_mb > 32 ? "FILE_COPY" : "WAL_LOG";
        t = Clock::now();
        auto checked = dbclone::Verifier(engine).verify("bench_warm", {"data_integrity"});
        f.integrity_ms = since_ms(t);
        f.integrity = checked.checks.at(0).outcome + ": " + checked.checks.at(0).details;
        t = Clock::now();
        if (run_pipeline({"pg_dump", "--data-only", url_for(url_, native_root)}, {"sha256sum"}) !=
            0)
            throw std::runtime_error("pg_dump --data-only | sha256sum failed");
        f.native_hash_ms = since_ms(t);

        // The three ways take turns, and in a rotating order, so background work
        // (WAL writing, the checkpoint each FILE_COPY forces) falls on all of them
        // alike. pg_dump | psql dirties the whole root's worth of buffers, so it
        // runs after them. Every database is dropped only at the end, since DROP
        // DATABASE forces a checkpoint too.
        std::vector<double> core, cli, floor, dump;
        int dumps = std::max(1, std::min(iterations, 3));
        for (int i = 0; i < iterations; ++i) {
            std::string n = std::to_string(i);
            for (int turn = 0; turn < 3; ++turn) {
                switch ((i + turn) % 3) {
                    case 0:
                        t = Clock::now();
                        cloner.create({"core" + n, "postgresql", version, ""});
                        core.push_back(since_ms(t));
                        break;
                    case 1:
                        cli.push_back(
                            timed_run({DBCLONE_BINARY, "--state-dir", config.state_dir.string(),
                                       "--roots-dir", roots.string(), "--server", url_, "create",
                                       "cli" + n, "postgresql", "--version", version}));
                        break;
                    default:
                        floor.push_back(timed_run(
                            {"psql", "-q", "-v", "ON_ERROR_STOP=1", url_, "-c",
                             "CREATE DATABASE bench_floor" + n + " TEMPLATE " + native_root +
                                 " STRATEGY " + f.strategy,
                             "-c",
                             "CREATE ROLE bench_floor" + n + " LOGIN PASSWORD 'bench-password'",
                             "-c", "REVOKE ALL ON DATABASE bench_floor" + n + " FROM PUBLIC", "-c",
                             "GRANT CONNECT, TEMPORARY ON DATABASE bench_floor" + n +
                                 " TO bench_floor" + n}));
                }
            }
        }
        for (int i = 0; i < dumps; ++i) {
            std::string n = std::to_string(i);
            t = Clock::now();
            psql({"-c", "CREATE DATABASE bench_dump" + n});
            if (run_pipeline(
                    {"pg_dump", url_for(url_, native_root)},
                    {"psql", "-q", "-v", "ON_ERROR_STOP=1", url_for(url_, "bench_dump" + n)}) != 0)
                throw std::runtime_error("pg_dump | psql failed");
            dump.push_back(since_ms(t));
        }
        for (int i = 0; i < iterations; ++i) {
            std::string n = std::to_string(i);
            cloner.remove("core" + n);
            cloner.remove("cli" + n);
            psql({"-c", "DROP DATABASE bench_floor" + n, "-c", "DROP ROLE bench_floor" + n});
            if (i < dumps) psql({"-c", "DROP DATABASE bench_dump" + n});
        }
        cloner.remove("bench_warm");
        psql({"-c", "DROP DATABASE " + native_root});
        f.core = stats(core);
        f.cli = stats(cli);
        f.floor = stats(floor);
        f.dump = stats(dump);
        return f;
    }

  private:
    void psql(std::vector<std::string> args) {
        args.insert(args.begin(), {"psql", "-q", "-v", "ON_ERROR_STOP=1", url_});
        if (run(args) != 0) throw std::runtime_error("psql failed: " + args.back());
    }

    std::string psql_scalar(const std::string& sql) {
        fs::path out = work_ / "scalar.txt";
        std::string quoted_out = out.string();
        if (run({"psql", "-At", "-v", "ON_ERROR_STOP=1", url_, "-c", sql, "-o", quoted_out}) != 0)
            throw std::runtime_error("psql failed: " + sql);
        std::ifstream in(out);
        std::string value;
        std::getline(in, value);
        return value;
    }

    // The same root, as an ordinary database the native tools can read.
    void build_native_root(const std::string& name, const fs::path& sql) {
        psql({"-c", "DROP DATABASE IF EXISTS " + name, "-c", "CREATE DATABASE " + name});
        if (run({"psql", "-q", "-v", "ON_ERROR_STOP=1", "-1", url_for(url_, name), "-f",
                 sql.string()}) != 0)
            throw std::runtime_error("loading " + sql.string() + " failed");
    }

    std::string url_;
    fs::path work_;
};

void print(const std::string& title, const Figures& f) {
    std::printf(
        "\n### %s (template %.1f MB, strategy %s; first create incl. golden copy: %.0f ms)\n\n",
        title.c_str(), f.template_mb, f.strategy.c_str(), f.golden_ms);
    std::printf("| what | median ms | p95 ms |\n|---|---|---|\n");
    std::printf("| core `Cloner::create` | %.1f | %.1f |\n", f.core.median, f.core.p95);
    std::printf("| CLI `dbclone create` | %.1f | %.1f |\n", f.cli.median, f.cli.p95);
    std::printf(
        "| native floor (psql: CREATE DATABASE TEMPLATE, CREATE ROLE, GRANT) | %.1f | %.1f |\n",
        f.floor.median, f.floor.p95);
    std::printf("| createdb + pg_dump \\| psql | %.1f | %.1f |\n", f.dump.median, f.dump.p95);
    double budget = 1.1 * f.floor.median + 15;
    std::printf("\ncore / floor = %.2fx; target core <= 1.1 x floor + 15 ms = %.1f ms: %s\n",
                f.core.median / f.floor.median, budget, f.core.median <= budget ? "met" : "MISSED");
    std::printf("pg_dump|psql / core = %.1fx faster\n", f.dump.median / f.core.median);
    std::printf(
        "\nverify data_integrity: %.0f ms; pg_dump --data-only | sha256sum: %.0f ms (%.2fx)\n"
        "  %s\n",
        f.integrity_ms, f.native_hash_ms, f.integrity_ms / f.native_hash_ms, f.integrity.c_str());
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line(
        "postgresql_bench", argc, argv,
        {{"iterations", "10"}, {"large-iterations", "3"}, {"scale", "20"}}, {"skip-large"});
    Options o{command_line.number("iterations"), command_line.number("large-iterations"),
              command_line.number("scale"), command_line.flag("skip-large")};
    std::string url = command_line.required_env("DBCLONE_PG_URL", "an admin URL");
    spdlog::set_level(spdlog::level::warn);
    return dbclone::bench::run_in_work_dir(
        command_line, "dbclone-pgbench-", [&](const fs::path& work) {
            Bench bench(url, work);
            print("root v1.0", bench.measure("v1.0", fs::path(DBCLONE_SOURCE_DIR) / "config/roots",
                                             o.iterations));
            if (!o.skip_large) {
                std::string version = "pgbench_s" + std::to_string(o.scale);
                write_root(work / "roots", version, "postgresql", "postgresql.sql",
                           pgbench_root_sql(o.scale));
                print("root " + version,
                      bench.measure(version, work / "roots", o.large_iterations));
            }
        });
}
