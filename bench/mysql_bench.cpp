// MySQL/MariaDB clone benchmark: dbclone's two strategies against
// `mariadb-dump root | mariadb tenant`, in one run on one server, for root v1.0
// and for a generated root of 2.5 M rows (about 250 MB, made with MariaDB's
// SEQUENCE engine).
//
//   export DBCLONE_MYSQL_URL=mysql://admin:pw@127.0.0.1:13306/
//   build/bin/mysql_bench [--iterations N] [--large-iterations M] [--rows R] [--skip-large]
//
// Compared, each as a median:
//   tablespace  Cloner::create --strategy tablespace (InnoDB transportable tablespaces)
//   logical     Cloner::create --strategy logical (CREATE TABLE + INSERT ... SELECT)
//   cli         `dbclone create` as a new process (strategy chosen automatically)
//   dump        CREATE DATABASE + mariadb-dump golden | mariadb tenant
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/sha256.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench_support.hpp"
#include "command_line.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace dbclone::bench;

// The parts of mysql://user:password@host:port/ the client tools need.
struct Server {
    std::string user, password, host, port;
    static Server parse(const std::string& url) {
        Server s;
        std::string rest = url.substr(url.find("://") + 3);
        std::string info = rest.substr(0, rest.rfind('@'));
        std::string where = rest.substr(rest.rfind('@') + 1);
        where = where.substr(0, where.find('/'));
        s.user = info.substr(0, info.find(':'));
        s.password = info.substr(info.find(':') + 1);
        s.host = where.substr(0, where.find(':'));
        s.port = where.find(':') == std::string::npos ? "3306" : where.substr(where.find(':') + 1);
        return s;
    }
};

std::string sequence_root_sql(int rows) {
    std::ostringstream s;
    s << "CREATE TABLE events (id BIGINT NOT NULL PRIMARY KEY, account_id INT NOT NULL, kind "
         "VARCHAR(16) NOT NULL, amount_cents BIGINT NOT NULL, note VARCHAR(40) NOT NULL, "
         "created_at DATETIME NOT NULL, KEY events_account (account_id)) ENGINE=InnoDB;\n"
         "INSERT INTO events SELECT seq, seq % 10000, ELT(1 + seq % 4, 'deposit', 'withdrawal', "
         "'fee', 'refund'), seq * 7 % 100000, CONCAT('note ', seq), '2026-01-01' + INTERVAL "
         "(seq % 31536000) SECOND FROM seq_1_to_"
      << rows << ";\n";
    return s.str();
}

struct Figures {
    Stats tablespace, logical, cli, dump;
    double golden_ms = 0;
};

class Bench {
  public:
    Bench(const std::string& url, const fs::path& work)
        : url_(url), server_(Server::parse(url)), work_(work) {
        // The client tools read the password from a private option file, not argv.
        defaults_ = (work_ / "client.cnf").string();
        std::ofstream(defaults_) << "[client]\nuser=" << server_.user
                                 << "\npassword=" << server_.password << "\nhost=" << server_.host
                                 << "\nport=" << server_.port << "\n";
        ::chmod(defaults_.c_str(), 0600);
    }

    Figures measure(const std::string& version, const fs::path& roots, int iterations) {
        auto config = bench_config(work_, version, roots, "mysql", R"({"url": ")" + url_ + "\"}");
        dbclone::Engine engine(config);
        dbclone::Cloner cloner(engine);
        Figures f;
        auto t = Clock::now();
        auto warm = cloner.create({"bench_warm", "mysql", version, ""});
        f.golden_ms = since_ms(t);  // includes building the golden schema and its export
        std::string golden = engine.registry().find_golden("mysql", version, "shared")->location;

        // The ways take turns in a rotating order, so background work (the
        // buffer pool flushing what the last copy wrote) falls on each alike.
        std::vector<double> tablespace, logical, cli, dump;
        int dumps = std::max(1, std::min(iterations, 3));
        for (int i = 0; i < iterations; ++i) {
            std::string n = std::to_string(i);
            for (int turn = 0; turn < 4; ++turn) {
                switch ((i + turn) % 4) {
                    case 0:
                        t = Clock::now();
                        cloner.create({"ts" + n, "mysql", version, "", "tablespace"});
                        tablespace.push_back(since_ms(t));
                        break;
                    case 1:
                        t = Clock::now();
                        cloner.create({"lg" + n, "mysql", version, "", "logical"});
                        logical.push_back(since_ms(t));
                        break;
                    case 2:
                        cli.push_back(
                            timed_run({DBCLONE_BINARY, "--state-dir", config.state_dir.string(),
                                       "--roots-dir", roots.string(), "--server", url_, "create",
                                       "cli" + n, "mysql", "--version", version}));
                        break;
                    default:
                        if (i >= dumps) break;
                        t = Clock::now();
                        client({"-e", "CREATE DATABASE bench_dump" + n});
                        if (run_pipeline(
                                {"mariadb-dump", "--defaults-extra-file=" + defaults_,
                                 "--single-transaction", "--routines", "--triggers", golden},
                                {"mariadb", "--defaults-extra-file=" + defaults_,
                                 "bench_dump" + n}) != 0)
                            throw std::runtime_error("mariadb-dump | mariadb failed");
                        dump.push_back(since_ms(t));
                }
            }
        }
        for (int i = 0; i < iterations; ++i) {
            std::string n = std::to_string(i);
            for (const char* prefix : {"ts", "lg", "cli"}) cloner.remove(prefix + n);
            if (i < dumps) client({"-e", "DROP DATABASE bench_dump" + n});
        }
        cloner.remove(warm.tenant_id);
        f.tablespace = stats(tablespace);
        f.logical = stats(logical);
        f.cli = stats(cli);
        f.dump = stats(dump);
        return f;
    }

  private:
    void client(std::vector<std::string> args) {
        args.insert(args.begin(), {"mariadb", "--defaults-extra-file=" + defaults_});
        if (run(args) != 0) throw std::runtime_error("mariadb failed: " + args.back());
    }

    std::string url_;
    Server server_;
    fs::path work_;
    std::string defaults_;
};

void print(const std::string& title, const Figures& f) {
    std::printf("\n### %s (first create incl. golden schema and export: %.0f ms)\n\n",
                title.c_str(), f.golden_ms);
    std::printf("| what | median ms | p95 ms | dump|restore / this |\n|---|---|---|---|\n");
    auto row = [&](const char* what, const Stats& s) {
        std::printf("| %s | %.1f | %.1f | %.1fx |\n", what, s.median, s.p95,
                    f.dump.median / s.median);
    };
    row("core, strategy tablespace", f.tablespace);
    row("core, strategy logical", f.logical);
    row("CLI `dbclone create` (auto: tablespace)", f.cli);
    row("CREATE DATABASE + mariadb-dump \\| mariadb", f.dump);
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line(
        "mysql_bench", argc, argv,
        {{"iterations", "10"}, {"large-iterations", "3"}, {"rows", "2500000"}}, {"skip-large"});
    int iterations = command_line.number("iterations");
    int large_iterations = command_line.number("large-iterations");
    int rows = command_line.number("rows");
    bool skip_large = command_line.flag("skip-large");
    std::string url = command_line.required_env("DBCLONE_MYSQL_URL", "an admin URL");
    spdlog::set_level(spdlog::level::warn);
    return dbclone::bench::run_in_work_dir(
        command_line, "dbclone-mybench-", [&](const fs::path& work) {
            Bench bench(url, work);
            print("root v1.0",
                  bench.measure("v1.0", fs::path(DBCLONE_SOURCE_DIR) / "config/roots", iterations));
            if (!skip_large) {
                std::string version = "seq_" + std::to_string(rows);
                write_root(work / "roots", version, "mysql", "mysql.sql", sequence_root_sql(rows));
                print("root " + version + " (" + std::to_string(rows) + " rows)",
                      bench.measure(version, work / "roots", large_iterations));
            }
        });
}
