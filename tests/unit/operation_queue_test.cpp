// The REST API's background queue: order, limits, expiry and shutdown, with
// jobs that stand in for creates (the queue never looks inside a job).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "operation_queue.hpp"

using dbclone::api::OperationQueue;
using namespace std::chrono_literals;

namespace {

// Polls until the operation is finished (or forgotten); at most about 5 s.
std::optional<OperationQueue::Report> finished(OperationQueue& queue, const std::string& id) {
    for (int i = 0; i < 500; ++i) {
        auto report = queue.find(id);
        if (!report || (report->state != "queued" && report->state != "running")) return report;
        std::this_thread::sleep_for(10ms);
    }
    return queue.find(id);
}

// A job that runs until `release` is set, so the worker stays busy.
OperationQueue::Job blocking_job(std::shared_future<void> release, std::atomic<bool>& started) {
    return [release, &started] {
        started = true;
        release.wait();
        return OperationQueue::Outcome{201, "{}"};
    };
}

}  // namespace

TEST(OperationQueue, ReportsEachJobsOutcome) {
    OperationQueue queue({});
    auto ok = queue.submit([] { return OperationQueue::Outcome{201, R"({"tenant_id":"a"})"}; });
    auto refused = queue.submit([] { return OperationQueue::Outcome{409, R"({"error":"x"})"}; });
    ASSERT_TRUE(ok && refused);
    EXPECT_NE(*ok, *refused);
    auto a = finished(queue, *ok), b = finished(queue, *refused);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->state, "succeeded");
    EXPECT_EQ(a->outcome.status, 201u);
    EXPECT_EQ(a->outcome.body, R"({"tenant_id":"a"})");
    EXPECT_EQ(b->state, "failed");
    EXPECT_EQ(b->outcome.status, 409u);
    EXPECT_FALSE(queue.find("no-such-operation"));
}

TEST(OperationQueue, RefusesMoreThanMaxWaitingAndRunsOneAtATime) {
    std::promise<void> release;
    std::atomic<bool> started{false};
    OperationQueue queue({.max_waiting = 2});
    auto running = queue.submit(blocking_job(release.get_future().share(), started));
    while (!started) std::this_thread::sleep_for(1ms);
    auto second = queue.submit([] { return OperationQueue::Outcome{201, "{}"}; });
    auto third = queue.submit([] { return OperationQueue::Outcome{201, "{}"}; });
    ASSERT_TRUE(running && second && third);
    EXPECT_FALSE(queue.submit([] {
        return OperationQueue::Outcome{201, "{}"};
    })) << "a third waiting job is refused";
    EXPECT_EQ(queue.find(*running)->state, "running");
    EXPECT_EQ(queue.find(*second)->state, "queued");
    auto counts = queue.count_by_state();
    EXPECT_EQ(counts["running"], 1u);
    EXPECT_EQ(counts["queued"], 2u);
    EXPECT_EQ(counts["succeeded"], 0u);
    release.set_value();
    EXPECT_EQ(finished(queue, *third)->state, "succeeded");
    EXPECT_TRUE(queue.submit([] {
        return OperationQueue::Outcome{201, "{}"};
    })) << "room again once the queue drains";
}

TEST(OperationQueue, ForgetsFinishedOperationsAfterTheirTimeAndBeyondTheMaximum) {
    OperationQueue expiring({.keep_finished = 0s});
    auto id = expiring.submit([] { return OperationQueue::Outcome{201, "{}"}; });
    ASSERT_TRUE(id);
    for (int i = 0; i < 500 && expiring.find(*id); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(expiring.find(*id)) << "kept for 0 s: forgotten once finished";

    OperationQueue bounded({.max_finished = 2});
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(*bounded.submit([] { return OperationQueue::Outcome{201, "{}"}; }));
        ASSERT_TRUE(finished(bounded, ids.back()));
    }
    EXPECT_FALSE(bounded.find(ids[0])) << "the oldest of three is forgotten";
    EXPECT_TRUE(bounded.find(ids[1]));
    EXPECT_TRUE(bounded.find(ids[2]));
}

TEST(OperationQueue, ShutdownFinishesTheRunningJobAndDropsTheWaitingOnes) {
    std::promise<void> release;
    std::atomic<bool> started{false}, waiting_ran{false};
    std::thread releaser;
    {
        OperationQueue queue({});
        queue.submit(blocking_job(release.get_future().share(), started));
        while (!started) std::this_thread::sleep_for(1ms);
        queue.submit([&] {
            waiting_ran = true;
            return OperationQueue::Outcome{201, "{}"};
        });
        // The destructor waits for the running job; let it end a little later.
        releaser = std::thread([&] {
            std::this_thread::sleep_for(50ms);
            release.set_value();
        });
    }
    releaser.join();
    EXPECT_FALSE(waiting_ran) << "a job that had not started never starts after shutdown";
}
