// The training worker's pacing and its mailbox: while running it offers the GUI at most
// one frame per publish interval; a finite speed never runs ahead of its schedule, while
// step requests ignore it; and a GUI that stops taking finds the steps thinned evenly (a
// power-of-two stride, none missing in between, both lanes alike), not cut off.
// Bounds here hold by construction (elapsed time is measured around what the worker did),
// so they cannot flake on a slow or loaded machine; nothing sleeps and no rate is assumed.

#include <QTest>
#include <chrono>
#include <cstdint>
#include <functional>

#include "ui/training_worker.h"

using gradflow::core::ExperimentConfig;
using gradflow::ui::TrainingWorker;
using State = gradflow::ui::TrainingWorker::State;
using Clock = std::chrono::steady_clock;

namespace {

ExperimentConfig tinyConfig() {
    ExperimentConfig config;
    config.seed = 5;
    config.data.kind = gradflow::core::DataKind::Spiral;
    config.data.samples = 64;
    config.layers.assign(2, gradflow::core::LayerSpec{});
    for (auto& layer : config.layers) layer.width = 8;
    config.training.batchSize = 16;
    return config;
}

bool waitFor(const std::function<bool()>& predicate, int ms = 20000) { return QTest::qWaitFor(predicate, ms); }

bool settled(const TrainingWorker& worker) { return worker.state() == State::Paused; }

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

class TestWorkerPacing : public QObject {
    Q_OBJECT
private slots:
    void runningPublishesAtMostOncePerInterval();
    void finiteSpeedNeverRunsAhead();
    void stepRequestsIgnoreTheSpeed();
    void slowGuiFindsStepsThinnedEvenly();
};

void TestWorkerPacing::runningPublishesAtMostOncePerInterval() {
    TrainingWorker worker;
    worker.reset(tinyConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.takeUpdate();
    const std::uint64_t before = worker.publishCount();
    const auto start = Clock::now();
    worker.train();
    // Long enough that publishing every chunk (8 ms) instead would break the bound below.
    QVERIFY(waitFor([&] { return worker.stepsDone() > 0 && secondsSince(start) >= 0.4; }));
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));
    const double elapsed = secondsSince(start);
    const std::uint64_t published = worker.publishCount() - before;
    // One per interval while running, plus the first frame and the settling one.
    const double interval = std::chrono::duration<double>(TrainingWorker::kPublishInterval).count();
    const auto bound = std::uint64_t(elapsed / interval) + 2;
    QVERIFY2(published >= 1 && published <= bound,
             qPrintable(QStringLiteral("%1 publishes in %2 s (at most %3)").arg(published).arg(elapsed).arg(bound)));
    // The settling publish carries the final state.
    const auto update = worker.takeUpdate();
    QVERIFY(update.snapshot);
    QVERIFY(!update.snapshot->running);
    QCOMPARE(update.snapshot->stepsDone, worker.stepsDone());
}

void TestWorkerPacing::finiteSpeedNeverRunsAhead() {
    constexpr double kSpeed = 100.0;
    TrainingWorker worker;
    worker.reset(tinyConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.setSpeed(kSpeed);
    const auto start = Clock::now();
    worker.train();
    bool ahead = false;
    std::int64_t worst = 0;
    QVERIFY(waitFor([&] {
        const std::int64_t done = worker.stepsDone();  // read before the clock: those steps are behind it
        // Step n is due n - 1 intervals after the pace started, and it started after `start`
        // (one step of slack for the schedule's rounding to the clock's ticks).
        const auto allowed = std::int64_t(kSpeed * secondsSince(start)) + 2;
        if (done > allowed) ahead = true, worst = done - allowed;
        return done >= 30;
    }));
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));
    QVERIFY2(!ahead, qPrintable(QStringLiteral("ran %1 steps ahead of %2 per second").arg(worst).arg(kSpeed)));
}

void TestWorkerPacing::stepRequestsIgnoreTheSpeed() {
    TrainingWorker worker;
    worker.reset(tinyConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.setSpeed(1.0);  // paced, 40 steps would take 40 s: longer than the wait below
    worker.step(40);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 40 && settled(worker); }, 20000));
}

void TestWorkerPacing::slowGuiFindsStepsThinnedEvenly() {
    constexpr std::size_t kMaxPending = 64;
    constexpr int kSteps = 1000;
    TrainingWorker worker(nullptr, kMaxPending);
    ExperimentConfig b = tinyConfig();
    b.training.optimizer.learningRate *= 2.0;
    worker.reset(tinyConfig(), b);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.takeUpdate();
    // The GUI takes nothing while the worker does far more steps than the mailbox holds.
    worker.step(kSteps);
    QVERIFY(waitFor([&] { return worker.stepsDone() == kSteps && settled(worker); }));
    const auto update = worker.takeUpdate();
    QCOMPARE(update.lanes, 2);
    const auto& steps = update.steps;
    QVERIFY(steps.size() >= 2);
    const std::int64_t stride = steps[1].step - steps[0].step;
    QVERIFY2(stride >= 2 && (stride & (stride - 1)) == 0, qPrintable(QString::number(stride)));
    QCOMPARE(std::int64_t(steps.size()), (kSteps - 1) / stride + 1);  // from step 0 to the last on the stride
    for (std::size_t i = 0; i < steps.size(); ++i) QCOMPARE(steps[i].step, std::int64_t(i) * stride);
    QCOMPARE(update.comparison.steps.size(), steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) QCOMPARE(update.comparison.steps[i].step, steps[i].step);

    // The stride only coarsens: a GUI asking for every step from now on still gets the thinned ones.
    worker.step(int(4 * stride));
    QVERIFY(waitFor([&] { return worker.stepsDone() == kSteps + 4 * stride && settled(worker); }));
    const auto later = worker.takeUpdate(1);
    QVERIFY(!later.steps.empty());
    for (const auto& s : later.steps) QCOMPARE(s.step % stride, 0);
}

QTEST_MAIN(TestWorkerPacing)
#include "tst_worker_pacing.moc"
