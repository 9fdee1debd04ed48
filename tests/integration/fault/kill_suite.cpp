#include "kill_suite.hpp"

#include <dbclone/core/cloner.hpp>
#include <dbclone/core/reconciler.hpp>

namespace dbclone::testing {

void KillSuite::kill_twenty(Engine& engine, const KillPlan& plan,
                            const std::function<void(const std::string&)>& expect_gone) {
    using std::chrono::steady_clock;
    const bool removing = plan.command == KillPlan::Command::remove;
    const size_t before = engine.registry().clones().size();
    // Every run is of the same id: the create of the next run shows that the
    // id is usable again after the last kill's reconcile.
    const std::string id = plan.base + "0";
    auto create = [&] { Cloner(engine).create({id, plan.type, plan.version, plan.placement}); };
    // Runs the command and kills it `delay` after it marked its row
    // (never, for nullopt); returns how long it worked from the mark to its end
    // (a create's row "ready", a remove's row gone) when it got there, and
    // whether it was killed.
    auto run = [&](std::optional<steady_clock::duration> delay) {
        std::vector<std::string> args{"--state-dir",  state.path().string(),
                                      "--plugin-dir", DBCLONE_PLUGIN_DIR,
                                      "--roots-dir",  roots_dir.string()};
        args.insert(args.end(), cli_args.begin(), cli_args.end());
        if (removing)
            args.insert(args.end(), {"remove", id, "--force"});
        else
            args.insert(args.end(), {"create", id, plan.type});
        if (!removing && !plan.version.empty())
            args.insert(args.end(), {"--version", plan.version});
        if (!removing && !plan.placement.empty())
            args.insert(args.end(), {"--placement", plan.placement});
        std::optional<steady_clock::time_point> marked, finished;
        auto look = [&] {
            auto now = steady_clock::now();
            auto row = engine.registry().find_clone(id);
            if (!marked && (removing ? !(row && row->state == "ready") : row.has_value()))
                marked = now;
            if (marked && (removing ? !row : row && row->state == "ready")) finished = now;
        };
        bool killed = kill_dbclone_when(
            args,
            [&] {
                if (!finished) look();
                return marked && delay && steady_clock::now() - *marked >= *delay;
            },
            std::chrono::seconds(120));
        // A command may mark and finish between two looks, or finish just
        // before it exits.
        if (!killed && !finished) {
            look();
            if (!marked) marked = finished;
        }
        std::optional<steady_clock::duration> worked;
        if (marked && finished) worked = *finished - *marked;
        return std::pair{worked, killed};
    };

    // The untouched run: how long the command works after its mark.
    if (plan.before_each) plan.before_each();
    if (removing) create();
    auto [worked, killed] = run(std::nullopt);
    ASSERT_FALSE(killed) << "the untouched run did not finish within 120 s";
    ASSERT_TRUE(worked) << "the untouched run failed (see its output above)";
    if (!removing) Cloner(engine).remove(id);
    ASSERT_EQ(engine.registry().clones().size(), before) << "the untouched run left a row";
    // The kills spread over the shortest work seen: a run that finished
    // before its kill (a faster one than the untouched run) shortens it.
    steady_clock::duration work = *worked;
    auto work_ms = std::chrono::duration_cast<std::chrono::milliseconds>(work).count();

    int landed = 0, runs = 0;
    auto deadline = steady_clock::now() + std::chrono::minutes(6);
    for (; landed < 20 && runs < 60 && steady_clock::now() < deadline; ++runs) {
        if (plan.before_each) plan.before_each();
        if (removing) {
            EXPECT_NO_THROW(create()) << "after run " << runs - 1;
        }
        auto delay = std::chrono::duration_cast<steady_clock::duration>(
            std::chrono::microseconds(std::uniform_int_distribution<int64_t>(
                0, std::chrono::duration_cast<std::chrono::microseconds>(work).count())(random)));
        auto [finished, was_killed] = run(delay);
        // A command the kill missed must have succeeded: a create of the id
        // after the last run's reconcile, too.
        if (!was_killed) {
            EXPECT_TRUE(finished) << "run " << runs << " failed by itself (see its output above)";
        }
        if (finished) work = std::min(work, *finished);
        auto row = engine.registry().find_clone(id);
        if (removing ? row && row->state == "removing" : row && row->state != "ready") ++landed;
        auto report = Reconciler(engine).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        // A create that had finished, or a remove killed before it began.
        if (engine.registry().find_clone(id)) Cloner(engine).remove(id);
        expect_gone(id);
        EXPECT_EQ(engine.registry().clones().size(), before) << "after run " << runs;
    }
    EXPECT_NO_THROW(create()) << "after the last run";
    Cloner(engine).remove(id);
    EXPECT_GE(landed, 20) << "only " << landed << " of " << runs
                          << " kills came while the command worked (" << work_ms
                          << " ms untouched, "
                          << std::chrono::duration_cast<std::chrono::microseconds>(work).count()
                          << " us at the shortest)";
    RecordProperty("kills", runs);
    RecordProperty("kills_landed", landed);
    RecordProperty("work_ms", static_cast<int>(work_ms));
}

}  // namespace dbclone::testing
