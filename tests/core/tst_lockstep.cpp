// Two trainers stepped in lockstep: both stand at the same step, each gets exactly the
// numbers it would get alone, and a lane that diverges stops while the other goes on.
#include <QtTest>

#include <cstring>
#include <memory>
#include <vector>

#include "core/training/lockstep.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

ExperimentConfig smallConfig() {
    ExperimentConfig c;
    c.seed = 42;
    c.data.samples = 128;
    LayerSpec layer;
    layer.width = 12;
    layer.activation.kind = ActivationKind::Relu;
    layer.init.kind = InitKind::HeNormal;
    c.layers.assign(4, layer);
    c.training.batchSize = 32;
    return c;
}

/// Regression with a huge learning rate: every step overshoots more than the last, so
/// the run overflows within a few hundred steps.
ExperimentConfig divergingConfig() {
    ExperimentConfig c = smallConfig();
    c.data.kind = DataKind::Sine;
    c.training.loss = LossKind::MeanSquaredError;
    c.layers.assign(6, c.layers.front());
    for (auto& l : c.layers) {
        l.width = 32;
        l.init.gain = 2.0;
    }
    c.training.optimizer.learningRate = 100.0;
    return c;
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

class TestLockstep : public QObject {
    Q_OBJECT
private slots:
    void lanesMatchTrainersSteppedAlone();
    void divergedLaneStopsOthersGoOn();
};

void TestLockstep::lanesMatchTrainersSteppedAlone() {
    ExperimentConfig b = smallConfig();
    b.training.optimizer.learningRate *= 3.0;
    auto a1 = Trainer::create(smallConfig()), b1 = Trainer::create(b);
    auto a2 = Trainer::create(smallConfig()), b2 = Trainer::create(b);
    Lockstep lockstep;
    lockstep.addLane(*a1);
    lockstep.addLane(*b1);
    QCOMPARE(lockstep.lanes(), std::size_t(2));
    for (int k = 0; k < 10; ++k) {
        const std::vector<const StepStats*>& stepped = lockstep.step();
        QCOMPARE(stepped.size(), std::size_t(2));
        QVERIFY(stepped[0] && stepped[1]);
        QCOMPARE(stepped[0]->step, std::int64_t(k));
        QCOMPARE(stepped[1]->step, std::int64_t(k));
        QVERIFY(sameBits(stepped[0]->loss, a2->step().loss));
        QVERIFY(sameBits(stepped[1]->loss, b2->step().loss));
    }
    QCOMPARE(a1->stepsDone(), 10);
    QCOMPARE(b1->stepsDone(), 10);
    QVERIFY(lockstep.canStep());
}

void TestLockstep::divergedLaneStopsOthersGoOn() {
    auto healthy = Trainer::create(smallConfig());
    auto diverging = Trainer::create(divergingConfig());
    Lockstep lockstep;
    lockstep.addLane(*diverging);
    lockstep.addLane(*healthy);
    int steps = 0;
    while (lockstep.canStep(0) && steps < 2000) {
        const auto& stepped = lockstep.step();
        QVERIFY(stepped[0] && stepped[1]);
        ++steps;
    }
    QVERIFY(diverging->divergence().diverged);
    QCOMPARE(healthy->stepsDone(), diverging->stepsDone());
    const std::int64_t stoppedAt = diverging->stepsDone();
    QVERIFY(lockstep.canStep());
    for (int k = 0; k < 3; ++k) {
        const auto& stepped = lockstep.step();
        QVERIFY(stepped[0] == nullptr);
        QVERIFY(stepped[1] != nullptr);
    }
    QCOMPARE(diverging->stepsDone(), stoppedAt);
    QCOMPARE(healthy->stepsDone(), stoppedAt + 3);
}

QTEST_MAIN(TestLockstep)
#include "tst_lockstep.moc"
