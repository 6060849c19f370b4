// The training worker: commands drive the thread as documented, results arrive as
// snapshots, divergence ends cleanly, and no amount of hammering crashes or leaks.
// Waits on conditions, never on sleeps; never asserts frame rates.

#include <QDir>
#include <QTest>
#include <functional>
#include <memory>
#include <random>

#include "core/training/trainer.h"
#include "ui/snapshot_builder.h"
#include "ui/training_worker.h"

using gradflow::core::ExperimentConfig;
using gradflow::ui::TrainingWorker;
using State = gradflow::ui::TrainingWorker::State;

namespace {

ExperimentConfig smallConfig(int depth = 4, int width = 16) {
    ExperimentConfig config;
    config.seed = 11;
    config.data.kind = gradflow::core::DataKind::Spiral;
    config.data.samples = 256;
    config.layers.assign(depth, gradflow::core::LayerSpec{});
    for (auto& layer : config.layers) layer.width = width;
    config.training.batchSize = 32;
    return config;
}

/// Regression with a huge learning rate: every SGD step overshoots more than the last,
/// so the run blows up to non-finite values within a few hundred steps.
ExperimentConfig divergingConfig() {
    ExperimentConfig config = smallConfig(6, 32);
    config.data.kind = gradflow::core::DataKind::Sine;
    config.training.loss = gradflow::core::LossKind::MeanSquaredError;
    for (auto& layer : config.layers) {
        layer.activation.kind = gradflow::core::ActivationKind::Relu;
        layer.init.kind = gradflow::core::InitKind::HeNormal;
        layer.init.gain = 2.0;
    }
    config.training.optimizer.learningRate = 100.0;
    return config;
}

bool waitFor(const std::function<bool()>& predicate, int ms = 20000) { return QTest::qWaitFor(predicate, ms); }

/// Threads of this process (Linux): a leaked worker thread would still be listed.
int threadCount() { return int(QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size()); }

bool settled(const TrainingWorker& worker) { return worker.state() == State::Paused; }

using SnapshotPtrPair = std::pair<gradflow::ui::SnapshotPtr, gradflow::ui::SnapshotPtr>;

using SnapshotPtrPair = std::pair<gradflow::ui::SnapshotPtr, gradflow::ui::SnapshotPtr>;

}  // namespace

class TestTrainingWorker : public QObject {
    Q_OBJECT
private slots:
    void startsEmptyAndBuildsOnReset();
    void stepDoesExactlyN();
    void trainThenPauseStops();
    void historyStrideFiltersSteps();
    void resetMidRunStartsNewRun();
    void invalidConfigFails();
    void divergingRunEndsDiverged();
    void liveLearningRateReachesSnapshot();
    void selectedUnitCarriesSpectrum();
    void pacedSpeedStillTrains();
    void destroyMidRunIsClean();
    void hammerCommands();
    void fullSnapshotForExport();
    void comparisonLanesStepInLockstep();
    void comparisonGoesOnWhenOneSideDiverges();
    void droppingTheComparisonKeepsLaneZero();
    void liveSettingsPerLane();
    void liveSettingSentWithResetIsKept();
};

void TestTrainingWorker::startsEmptyAndBuildsOnReset() {
    TrainingWorker worker;
    QCOMPARE(worker.state(), State::Empty);
    QVERIFY(worker.isThreadRunning());
    // Not QSignalSpy: it connects directly, so it appended from the worker thread while
    // this thread read it (a race ThreadSanitizer found). A receiver in this thread gets
    // the signal queued, as the main window does.
    QObject receiver;
    QList<State> states;
    QObject::connect(&worker, &TrainingWorker::stateChanged, &receiver, [&states](State s) { states << s; });
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    QTRY_VERIFY(!states.isEmpty() && states.last() == State::Paused);
    const auto update = worker.takeUpdate();
    QVERIFY(update.newRun);
    QVERIFY(update.snapshot);
    QCOMPARE(update.snapshot->stepsDone, 0);
    QVERIFY(!update.snapshot->latest);
    QVERIFY(update.snapshot->dataset);
    QCOMPARE(update.snapshot->depthUnits, 5);  // 4 hidden + output
}

void TestTrainingWorker::stepDoesExactlyN() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.takeUpdate();
    worker.step(7);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 7 && settled(worker); }));
    worker.step(3);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 10 && settled(worker); }));
    const auto update = worker.takeUpdate();
    QVERIFY(update.snapshot);
    QCOMPARE(update.snapshot->stepsDone, 10);
    QVERIFY(update.snapshot->latest);
    QCOMPARE(update.snapshot->latest->step, 9);
    QCOMPARE(update.steps.size(), std::size_t(10));
    for (std::size_t i = 0; i < update.steps.size(); ++i) QCOMPARE(update.steps[i].step, std::int64_t(i));
    QVERIFY(!update.snapshot->running);
    QVERIFY(update.snapshot->spectrum);
}

void TestTrainingWorker::trainThenPauseStops() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    QVERIFY(waitFor([&] { return worker.state() == State::Running && worker.stepsDone() > 50; }));
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));
    const auto stopped = worker.stepsDone();
    // Once paused the final snapshot matches the step count, and no further step runs.
    QVERIFY(waitFor([&] {
        auto update = worker.takeUpdate();
        return update.snapshot && update.snapshot->stepsDone == stopped;
    }));
    QCOMPARE(worker.stepsDone(), stopped);
}

void TestTrainingWorker::historyStrideFiltersSteps() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.takeUpdate(4);
    worker.step(20);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 20 && settled(worker); }));
    const auto update = worker.takeUpdate(4);
    QCOMPARE(update.steps.size(), std::size_t(5));
    for (const auto& s : update.steps) QCOMPARE(s.step % 4, 0);
}

void TestTrainingWorker::resetMidRunStartsNewRun() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    const auto firstRun = worker.runId();
    worker.train();
    QVERIFY(waitFor([&] { return worker.stepsDone() > 20; }));
    worker.takeUpdate();
    worker.reset(smallConfig(6, 8));
    QVERIFY(waitFor([&] { return worker.runId() > firstRun && settled(worker); }));
    QCOMPARE(worker.stepsDone(), 0);
    const auto update = worker.takeUpdate();
    QVERIFY(update.newRun);
    QVERIFY(update.snapshot);
    QCOMPARE(update.snapshot->runId, worker.runId());
    QCOMPARE(update.snapshot->depthUnits, 7);
}

void TestTrainingWorker::invalidConfigFails() {
    TrainingWorker worker;
    ExperimentConfig config = smallConfig();
    config.layers[2].width = 0;
    worker.reset(config);
    QVERIFY(waitFor([&] { return worker.state() == State::Failed; }));
    QVERIFY(worker.errorText().contains(QStringLiteral("layers[2]")));
    worker.train();  // nothing to train: ignored, no crash
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    QVERIFY(worker.errorText().isEmpty());
}

void TestTrainingWorker::divergingRunEndsDiverged() {
    TrainingWorker worker;
    worker.reset(divergingConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    QVERIFY(waitFor([&] { return worker.state() == State::Diverged; }));
    const auto update = worker.takeUpdate();
    QVERIFY(update.snapshot);
    QVERIFY(update.snapshot->divergence.diverged);
    QVERIFY(update.snapshot->divergence.step >= 0);
    QVERIFY(!update.snapshot->running);
    const auto at = worker.stepsDone();
    worker.train();  // a diverged run stays put
    worker.step(5);
    QVERIFY(!waitFor([&] { return worker.stepsDone() != at; }, 200));
    worker.reset(smallConfig());  // Reset recovers
    QVERIFY(waitFor([&] { return settled(worker); }));
    QVERIFY(!worker.takeUpdate().snapshot->divergence.diverged);
}

void TestTrainingWorker::liveLearningRateReachesSnapshot() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    worker.setLearningRate(0.5);
    QVERIFY(waitFor([&] {
        auto update = worker.takeUpdate();
        return update.snapshot && update.snapshot->config.training.optimizer.learningRate == 0.5;
    }));
    QVERIFY(worker.state() == State::Running);
}

void TestTrainingWorker::selectedUnitCarriesSpectrum() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.step(2);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 2 && settled(worker); }));
    worker.takeUpdate();
    worker.setSelectedUnit(2);
    QVERIFY(waitFor([&] {
        auto update = worker.takeUpdate();
        return update.snapshot && update.snapshot->selectedUnit == 2 && update.snapshot->selectedUnitSpectrum;
    }));
}

void TestTrainingWorker::pacedSpeedStillTrains() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.setSpeed(200.0);
    worker.train();
    QVERIFY(waitFor([&] { return worker.stepsDone() >= 10; }));
    worker.setSpeed(0.0);
    QVERIFY(waitFor([&] { return worker.stepsDone() >= 200; }));
}

void TestTrainingWorker::destroyMidRunIsClean() {
    for (int i = 0; i < 20; ++i) {
        auto worker = std::make_unique<TrainingWorker>();
        worker->reset(smallConfig(8, 32));
        worker->train();
        if (i % 2) QVERIFY(waitFor([&] { return worker->stepsDone() > 0; }));
        worker->stop();
        QVERIFY(!worker->isThreadRunning());
        QCOMPARE(worker->state(), State::Stopped);
    }  // destructor after stop(): idempotent
}

void TestTrainingWorker::hammerCommands() {
    const int threadsBefore = threadCount();
    std::mt19937 rng(3);
    auto worker = std::make_unique<TrainingWorker>();
    const ExperimentConfig configs[] = {smallConfig(), smallConfig(3, 8), divergingConfig()};
    for (int i = 0; i < 1000; ++i) {
        switch (rng() % 6) {
        case 0: worker->train(); break;
        case 1: worker->pause(); break;
        case 2: worker->reset(configs[rng() % 3]); break;
        case 3: worker->step(1 + int(rng() % 5)); break;
        case 4: worker->setLearningRate(0.001 + 0.01 * (rng() % 10)); break;
        default: worker->takeUpdate(1 + (rng() % 3)); break;
        }
        if (i % 100 == 0) QCoreApplication::processEvents();
    }
    worker->reset(smallConfig());
    QVERIFY(waitFor([&] { return settled(*worker); }));
    worker->step(3);
    QVERIFY(waitFor([&] { return worker->stepsDone() == 3 && settled(*worker); }));
    worker.reset();
    // The worker's thread has joined: the process has no more threads than before.
    QVERIFY(waitFor([&] { return threadCount() <= threadsBefore; }));
}

void TestTrainingWorker::fullSnapshotForExport() {
    auto trainer = gradflow::core::Trainer::create(smallConfig());
    gradflow::core::StepStats last;
    for (int i = 0; i < 5; ++i) last = trainer->step();
    const auto snapshot = gradflow::ui::buildFullSnapshot(*trainer, &last, 3, 1);
    QCOMPARE(snapshot->stepsDone, 5);
    QCOMPARE(snapshot->runId, std::uint64_t(3));
    QVERIFY(snapshot->latest);
    QVERIFY(snapshot->spectrum);
    QVERIFY(snapshot->prediction);
    QCOMPARE(snapshot->prediction->columns, gradflow::ui::kGridSize);
    QCOMPARE(int(snapshot->prediction->predictedClass.size()), gradflow::ui::kGridSize * gradflow::ui::kGridSize);
    QCOMPARE(int(snapshot->predictedProfiles.weightGradient.size()), 4);
    QCOMPARE(int(snapshot->predictedProfiles.activationGradient.size()), 4);
    QVERIFY(snapshot->selectedUnitSpectrum);
}

void TestTrainingWorker::comparisonLanesStepInLockstep() {
    TrainingWorker worker;
    ExperimentConfig a = smallConfig(4, 16);
    ExperimentConfig b = a;
    for (auto& layer : b.layers) layer.batchNorm = true;  // costlier per step than A
    worker.reset(a, b);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.takeUpdate();
    worker.step(25);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 25 && settled(worker); }));
    TrainingWorker::Update update;
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        for (auto& s : u.steps) update.steps.push_back(s);
        for (auto& s : u.comparison.steps) update.comparison.steps.push_back(s);
        if (u.snapshot) update.snapshot = u.snapshot;
        if (u.comparison.snapshot) update.comparison.snapshot = u.comparison.snapshot;
        update.lanes = u.lanes;
        return update.snapshot && update.comparison.snapshot && update.snapshot->stepsDone == 25 && !update.snapshot->running;
    }));
    QCOMPARE(update.lanes, 2);
    QCOMPARE(update.comparison.snapshot->stepsDone, 25);
    QVERIFY(update.comparison.snapshot->config == b);
    QVERIFY(update.snapshot->config == a);
    QCOMPARE(update.steps.size(), std::size_t(25));
    QCOMPARE(update.comparison.steps.size(), std::size_t(25));
    for (std::size_t i = 0; i < 25; ++i) QCOMPARE(update.comparison.steps[i].step, update.steps[i].step);
    // Same seed, data and batches: only the change differs, and it shows in the loss.
    QVERIFY(update.steps.front().loss != update.comparison.steps.front().loss);

    // Flat out, then pause: both lanes stop at the same step.
    worker.train();
    QVERIFY(waitFor([&] { return worker.stepsDone() > 80; }));
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));
    SnapshotPtrPair last;
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        if (u.snapshot) last.first = u.snapshot;
        if (u.comparison.snapshot) last.second = u.comparison.snapshot;
        return last.first && last.second && !last.first->running && last.first->stepsDone == worker.stepsDone();
    }));
    QCOMPARE(last.second->stepsDone, last.first->stepsDone);

    // Back to one lane.
    worker.reset(a);
    QVERIFY(waitFor([&] { return settled(worker) && worker.stepsDone() == 0; }));
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        return u.snapshot && u.lanes == 1 && !u.comparison.snapshot;
    }));
}

void TestTrainingWorker::droppingTheComparisonKeepsLaneZero() {
    TrainingWorker worker;
    ExperimentConfig a = smallConfig(4, 16);
    ExperimentConfig b = a;
    for (auto& layer : b.layers) layer.batchNorm = true;
    worker.reset(a, b);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.step(10);
    QVERIFY(waitFor([&] { return worker.stepsDone() == 10 && settled(worker); }));
    const std::uint64_t run = worker.runId();
    worker.takeUpdate();

    // Paused: B goes at once, A stays at step 10 in the same run.
    worker.dropComparison();
    QCOMPARE(worker.takeUpdate().lanes, 1);
    QVERIFY(waitFor([&] { return settled(worker); }));
    QCOMPARE(worker.stepsDone(), std::int64_t(10));
    QCOMPARE(worker.runId(), run);
    worker.step(5);
    std::vector<gradflow::core::StepStats> steps;
    gradflow::ui::SnapshotPtr last;
    bool onlyA = true;
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        onlyA = onlyA && !u.comparison.snapshot && u.comparison.steps.empty() && !u.newRun && u.lanes == 1;
        steps.insert(steps.end(), u.steps.begin(), u.steps.end());
        if (u.snapshot) last = u.snapshot;
        return last && last->stepsDone == 15 && !last->running;
    }));
    QVERIFY(onlyA);
    QCOMPARE(steps.size(), std::size_t(5));
    QCOMPARE(steps.front().step, std::int64_t(10));
    QVERIFY(last->config == a);

    // Running: A keeps running.
    worker.reset(a, b);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    QVERIFY(waitFor([&] { return worker.stepsDone() > 20; }));
    worker.dropComparison();
    const std::int64_t dropped = worker.stepsDone();
    QVERIFY(waitFor([&] { return worker.stepsDone() > dropped + 20; }));
    QCOMPARE(worker.state(), State::Running);
    worker.takeUpdate();
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        return u.snapshot && u.lanes == 1 && !u.comparison.snapshot;
    }));
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));
}

void TestTrainingWorker::comparisonGoesOnWhenOneSideDiverges() {
    TrainingWorker worker;
    const ExperimentConfig exploding = divergingConfig();
    ExperimentConfig a = exploding;
    a.training.optimizer.learningRate = 0.001;  // same net, sane rate and weights
    for (auto& layer : a.layers) layer.init.gain = 1.0;
    worker.reset(a, exploding);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    std::int64_t divergedAt = -1;
    QVERIFY(waitFor(
        [&] {
            auto u = worker.takeUpdate();
            if (u.comparison.snapshot && u.comparison.snapshot->divergence.diverged)
                divergedAt = u.comparison.snapshot->divergence.step;
            return divergedAt >= 0;
        },
        60000));
    // Side A keeps training past B's divergence; the run is not "diverged" while it does.
    QVERIFY2(waitFor([&] { return worker.stepsDone() > divergedAt + 50; }),
             qPrintable(QStringLiteral("state %1 at step %2, B diverged at %3")
                            .arg(int(worker.state()))
                            .arg(worker.stepsDone())
                            .arg(divergedAt)));
    QCOMPARE(worker.state(), State::Running);
    worker.pause();
    QVERIFY(waitFor([&] { return settled(worker); }));

    // A diverged, B still training: dropping B leaves A's run where it ended.
    worker.reset(exploding, a);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    std::int64_t aDivergedAt = -1;
    QVERIFY(waitFor(
        [&] {
            auto u = worker.takeUpdate();
            if (u.snapshot && u.snapshot->divergence.diverged) aDivergedAt = u.snapshot->divergence.step;
            return aDivergedAt >= 0;
        },
        60000));
    QCOMPARE(worker.state(), State::Running);  // B goes on
    worker.dropComparison();
    QVERIFY(waitFor([&] { return worker.state() == State::Diverged; }));
    QVERIFY(worker.stepsDone() <= aDivergedAt + 1);
}

void TestTrainingWorker::liveSettingsPerLane() {
    TrainingWorker worker;
    ExperimentConfig a = smallConfig();
    ExperimentConfig b = a;
    b.training.optimizer.learningRate = 0.5;
    worker.reset(a, b);
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.setLearningRate(0.02, 0);
    const gradflow::core::ClipSpec clip{gradflow::core::ClipMode::Norm, 0.25};
    worker.setClip(clip, 1);
    worker.step(1);
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        return u.snapshot && u.comparison.snapshot && u.snapshot->stepsDone == 1 &&
               u.snapshot->config.training.optimizer.learningRate == 0.02 &&
               u.snapshot->config.training.clip.mode == gradflow::core::ClipMode::Off &&
               u.comparison.snapshot->config.training.optimizer.learningRate == 0.5 &&
               u.comparison.snapshot->config.training.clip == clip;
    }));
}

void TestTrainingWorker::liveSettingSentWithResetIsKept() {
    // The GUI asks for a reset, then edits the live settings of the run it asked for. A
    // busy loop takes both at once; the edit must survive the rebuild.
    TrainingWorker worker;
    worker.reset(smallConfig(8, 64));
    QVERIFY(waitFor([&] { return settled(worker); }));
    worker.train();
    QVERIFY(waitFor([&] { return worker.stepsDone() > 20; }));  // mid-chunk from here on
    worker.reset(smallConfig(4, 16));
    worker.setLearningRate(0.5);
    worker.step(1);
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        return u.snapshot && u.snapshot->stepsDone == 1 && !u.snapshot->running;
    }));
    worker.step(1);
    QVERIFY(waitFor([&] {
        auto u = worker.takeUpdate();
        return u.snapshot && u.snapshot->stepsDone == 2 && u.snapshot->config.training.optimizer.learningRate == 0.5;
    }));
}

QTEST_GUILESS_MAIN(TestTrainingWorker)
#include "tst_training_worker.moc"
