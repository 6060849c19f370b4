// Learning-rate schedules: the closed forms at their corners, the trainer using the rate
// it reports, the file round trip, the validation messages and the one-change comparisons.

#include <QtTest>

#include <cmath>
#include <numbers>

#include "core/config/config_change.h"
#include "core/config/experiment_validation.h"
#include "core/config/schedule_names.h"
#include "core/io/experiment_file.h"
#include "core/training/learning_rate_schedule.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

ExperimentConfig smallNet() {
    ExperimentConfig c;
    c.layers = std::vector<LayerSpec>(3, LayerSpec{8, {ActivationKind::Tanh}, {InitKind::XavierNormal}, false});
    c.data.samples = 64;
    c.training.batchSize = 16;
    c.training.optimizer.learningRate = 0.1;
    return c;
}

bool sameWeights(const Trainer& a, const Trainer& b) {
    const auto wa = a.weightMatrices();
    const auto wb = b.weightMatrices();
    if (wa.size() != wb.size()) return false;
    for (std::size_t i = 0; i < wa.size(); ++i)
        if (wa[i] != wb[i]) return false;  // bit for bit
    return true;
}

}  // namespace

class TestLearningRateSchedule : public QObject {
    Q_OBJECT
private slots:
    // Without a schedule the base rate itself comes back, so old runs keep their numbers.
    void constantIsTheBaseRateExactly() {
        const ScheduleSpec constant;
        for (std::int64_t k : {0LL, 1LL, 999LL, 123456789LL}) QCOMPARE(scheduledLearningRate(constant, 0.0501, k), 0.0501);
    }

    void warmupRampsLinearlyToTheFullRate() {
        ScheduleSpec s;
        s.warmupSteps = 4;
        QCOMPARE(scheduledLearningRate(s, 0.8, 0), 0.2);
        QCOMPARE(scheduledLearningRate(s, 0.8, 1), 0.4);
        QCOMPARE(scheduledLearningRate(s, 0.8, 3), 0.8);
        QCOMPARE(scheduledLearningRate(s, 0.8, 4), 0.8);
        QCOMPARE(scheduledLearningRate(s, 0.8, 100), 0.8);
    }

    void stepDecayDropsAtEachInterval() {
        ScheduleSpec s;
        s.kind = ScheduleKind::StepDecay;
        s.decayEvery = 10;
        s.decayFactor = 0.5;
        s.warmupSteps = 2;  // the interval counts from the end of the warmup
        QCOMPARE(scheduledLearningRate(s, 1.0, 2), 1.0);
        QCOMPARE(scheduledLearningRate(s, 1.0, 11), 1.0);
        QCOMPARE(scheduledLearningRate(s, 1.0, 12), 0.5);
        QCOMPARE(scheduledLearningRate(s, 1.0, 32), 0.125);
    }

    void cosineFallsAlongHalfACosineAndStays() {
        ScheduleSpec s;
        s.kind = ScheduleKind::Cosine;
        s.cosineSteps = 100;
        s.finalFraction = 0.1;
        QCOMPARE(scheduledLearningRate(s, 2.0, 0), 2.0);
        QCOMPARE(scheduledLearningRate(s, 2.0, 50), 2.0 * (0.1 + 0.9 * 0.5));
        QCOMPARE(scheduledLearningRate(s, 2.0, 25), 2.0 * (0.1 + 0.9 * 0.5 * (1.0 + std::cos(std::numbers::pi / 4))));
        QCOMPARE(scheduledLearningRate(s, 2.0, 100), 2.0 * 0.1);
        QCOMPARE(scheduledLearningRate(s, 2.0, 10'000), 2.0 * 0.1);
        // Monotone: a decay never climbs back.
        for (int k = 1; k <= 100; ++k) QVERIFY(scheduledLearningRate(s, 2.0, k) <= scheduledLearningRate(s, 2.0, k - 1));
    }

    // The stats report the rate the update used, and the update really used it: halving the
    // rate by schedule after one step equals halving it by hand, bit for bit.
    void trainerUsesTheScheduledRate() {
        ExperimentConfig scheduled = smallNet();
        scheduled.training.schedule.kind = ScheduleKind::StepDecay;
        scheduled.training.schedule.decayEvery = 1;
        scheduled.training.schedule.decayFactor = 0.5;
        const auto a = Trainer::create(scheduled);
        const auto b = Trainer::create(smallNet());
        QCOMPARE(a->step().learningRate, 0.1);
        QCOMPARE(b->step().learningRate, 0.1);
        QVERIFY(sameWeights(*a, *b));
        b->setLearningRate(0.05);
        QCOMPARE(a->step().learningRate, 0.05);
        QCOMPARE(b->step().learningRate, 0.05);
        QVERIFY(sameWeights(*a, *b));
        QCOMPARE(a->step().learningRate, 0.025);
        b->step();
        QVERIFY(!sameWeights(*a, *b));
    }

    // A live change of the rate (the GUI's slider) moves the base; the schedule still shapes it.
    void liveRateChangeScalesTheSchedule() {
        ExperimentConfig c = smallNet();
        c.training.schedule.warmupSteps = 4;
        const auto t = Trainer::create(c);
        QCOMPARE(t->step().learningRate, 0.025);
        t->setLearningRate(0.2);
        QCOMPARE(t->step().learningRate, 0.1);
    }

    void roundTripsThroughTheFile() {
        ExperimentConfig c = smallNet();
        QVERIFY(serializeExperiment(c).find("schedule") == std::string::npos);
        c.training.schedule = {ScheduleKind::Cosine, 50, 1000, 0.1, 700, 0.05};
        const ExperimentLoadResult back = parseExperiment(serializeExperiment(c));
        QVERIFY2(back.ok(), back.errorText().c_str());
        QVERIFY(back.config.training.schedule == c.training.schedule);
        c.training.schedule = {ScheduleKind::StepDecay, 0, 250, 0.3, 1000, 0.0};
        QVERIFY(parseExperiment(serializeExperiment(c)).config.training.schedule == c.training.schedule);
    }

    void badValuesNameTheFieldAndTheRange() {
        const auto message = [](std::string_view json) { return parseExperiment(json).errorText(); };
        const std::string head = R"({"format": "gradflow-experiment", "version": 1, "training": {"schedule": )";
        QVERIFY(message(head + R"({"kind": "exponential"}}})").find("training.schedule.kind") != std::string::npos);
        QVERIFY(message(head + R"({"kind": "step", "decay_every": 0}}})").find("training.schedule.decay_every") !=
                std::string::npos);
        QVERIFY(message(head + R"({"kind": "cosine", "speed": 2}}})").find("speed") != std::string::npos);
        ExperimentConfig c = smallNet();
        c.training.schedule.decayFactor = 0.0;
        const auto issues = validateExperiment(c);
        QCOMPARE(issues.size(), std::size_t(1));
        QCOMPARE(issues[0].text(), std::string("training.schedule.decay_factor: must be a finite number in (0, 1]; got 0"));
        c.training.schedule.decayFactor = std::nan("");
        QCOMPARE(validateExperiment(c).size(), std::size_t(1));
        c = smallNet();
        c.training.schedule.finalFraction = 1.5;
        QCOMPARE(validateExperiment(c).at(0).field, std::string("training.schedule.final_fraction"));
    }

    void describesItselfInWords() {
        ScheduleSpec s;
        QCOMPARE(describeSchedule(s), std::string("constant learning rate"));
        s.warmupSteps = 100;
        QCOMPARE(describeSchedule(s), std::string("warmup over 100 steps"));
        s.kind = ScheduleKind::Cosine;
        s.cosineSteps = 1000;
        s.finalFraction = 0.1;
        QCOMPARE(describeSchedule(s), std::string("warmup over 100 steps, then cosine decay over 1000 steps to 0.1x"));
        s = {ScheduleKind::StepDecay, 0, 500, 0.5, 1000, 0.0};
        QCOMPARE(describeSchedule(s), std::string("learning rate x0.5 every 500 steps"));
    }

    void comparisonsSwitchTheScheduleOnAndOff() {
        ExperimentConfig c = smallNet();
        c.lesson.suggestedSteps = 400;
        const auto warm = applyChange(c, "warmup-on");
        QVERIFY(warm);
        QCOMPARE(warm->training.schedule.warmupSteps, 40);
        QVERIFY(validateExperiment(*warm).empty());
        const auto cosine = applyChange(c, "schedule-cosine");
        QVERIFY(cosine);
        QCOMPARE(cosine->training.schedule.cosineSteps, 400);
        QVERIFY(!applyChange(c, "schedule-off"));  // nothing to switch off
        const auto off = applyChange(*cosine, "schedule-off");
        QVERIFY(off && off->training.schedule == ScheduleSpec{});
        QCOMPARE(describeChange(*cosine, "schedule-off")->baseLabel, std::string("learning rate cosine decay over 400 steps"));
    }
};

QTEST_APPLESS_MAIN(TestLearningRateSchedule)
#include "tst_learning_rate_schedule.moc"
