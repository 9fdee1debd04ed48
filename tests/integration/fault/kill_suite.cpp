#include "kill_suite.hpp"

#include <dbclone/core/cloner.hpp>
#include <dbclone/core/reconciler.hpp>

namespace dbclone::testing {

void KillSuite::kill_twenty(Engine& engine, const std::string& type, const std::string& base,
                            std::chrono::microseconds longest,
                            const std::function<void(const std::string&)>& expect_gone,
                            const std::string& placement) {
    size_t before = engine.registry().clones().size();
    int landed = 0;
    for (int i = 0; i < 20; ++i) {
        std::string id = base + std::to_string(i);
        auto delay = std::chrono::microseconds(
            std::uniform_int_distribution<int64_t>(0, longest.count())(random));
        auto start = std::chrono::steady_clock::now();
        std::vector<std::string> args{
            "--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR, "create", id,
            type};
        if (!placement.empty()) args.insert(args.end(), {"--placement", placement});
        kill_dbclone_when(
            args, [&] { return std::chrono::steady_clock::now() - start >= delay; },
            std::chrono::seconds(60));
        auto row = engine.registry().find_clone(id);
        if (!row || row->state != "ready") ++landed;
        auto report = Reconciler(engine).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        if (engine.registry().find_clone(id)) Cloner(engine).remove(id);  // it had finished
        expect_gone(id);
        EXPECT_EQ(engine.registry().clones().size(), before) << "after kill " << i;
        EXPECT_NO_THROW(Cloner(engine).create({id, type, "", placement})) << "after kill " << i;
        Cloner(engine).remove(id);
    }
    EXPECT_GE(landed, 1) << "every create finished before its kill";
    RecordProperty("kills_landed_mid_create", landed);
}

}  // namespace dbclone::testing
