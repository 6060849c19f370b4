// Every lesson opens its gradient views on the statistic that shows its point: at step 1
// (the gradients at initialisation) the vanishing and exploding lessons' opening statistic
// spans many decades across the depth units. A lesson without a row here fails the test,
// so a new lesson has to say what its opening view shows.

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/step_stats.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

double statisticOf(const LayerStats& s, UnitStatisticKind kind) {
    switch (kind) {
    case UnitStatisticKind::WeightGradient: return s.weightGradNorm;
    case UnitStatisticKind::ActivationGradient: return s.activationGradNorm;
    case UnitStatisticKind::UpdateRatio: return s.updateRatio;
    case UnitStatisticKind::Saturation: return s.saturation;
    }
    return kNotApplicable;
}

/// Decades between the largest and the smallest positive value over the hidden depth
/// units (a feed-forward net's output layer is not part of the stack the lessons are about).
double spanInDecades(const StepStats& stats, UnitStatisticKind kind, bool recurrent) {
    const std::size_t units = recurrent ? stats.layers.size() : stats.layers.size() - 1;
    double lo = HUGE_VAL, hi = 0.0;
    for (std::size_t i = 0; i < units; ++i) {
        const double v = statisticOf(stats.layers[i], kind);
        if (!(v > 0.0) || !std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    return hi > 0.0 ? std::log10(hi / lo) : 0.0;
}

struct Row {
    const char* preset;
    double minDecades;  ///< span the opening statistic must reach at step 1
    double maxDecades;  ///< and may not exceed (healthy lessons: flat)
};

constexpr double kAny = 1e9;

constexpr Row kRows[] = {
    // Vanishing and exploding: the slope is the point.
    {"deep-sigmoid-vanishing", 6.0, kAny},
    {"tanh-small-weights", 4.0, kAny},
    {"exploding-large-weights", 8.0, kAny},
    {"relu-xavier-vs-he", 3.0, kAny},
    {"clipping-tames-explosion", 2.0, kAny},
    {"rnn-adding-forgets", 6.0, kAny},
    {"rnn-exploding-clipped", 6.0, kAny},
    {"fashion-deep-sigmoid", 4.0, kAny},
    // Healthy or rescued at initialisation: the opening view is flat.
    {"he-relu-healthy", 0.0, 1.5},
    {"orthogonal-tanh-isometry", 0.0, 1.5},
    {"residual-rescue", 0.0, 2.0},
    {"batchnorm-rescue", 0.0, 2.0},
    {"layernorm-rescue", 0.0, 1.0},
    {"rezero-deep-residual", 0.0, 0.5},
    {"irnn-identity-relu", 0.0, 1.5},
    {"fashion-he-relu", 0.0, 1.5},
    {"fashion-batchnorm-rescue", 0.0, 2.0},
    // Their point comes with training (gates open, units saturate), not at step 1.
    {"lstm-adding-remembers", 0.0, kAny},
    {"gru-adding-remembers", 0.0, kAny},
    {"saturating-large-lr", 0.0, kAny},
    // Its point is the dead units, which the diagnosis line counts.
    {"dead-relu-negative-bias", 0.0, kAny},
    // Fixup: every block starts as the identity, so dL/dh reaches layer 1 unchanged.
    {"fixup-deep-residual", 0.0, 0.5},
    // LSUV: GELU's mild growth at q = 1, 1.035 a layer in the norm: about half a decade.
    {"lsuv-gelu-any-gain", 0.2, 0.7},
    // Its point is the rate over time, not a profile at step 0.
    {"warmup-large-learning-rate", 0.0, kAny},
    // Its point is the train/test gap after training; He + ReLU keeps the profile flat.
    {"dropout-overfitting", 0.0, 1.5},
};

}  // namespace

class TestLessonStatistics : public QObject {
    Q_OBJECT

private slots:
    void openingStatisticShowsThePoint_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<double>("minDecades");
        QTest::addColumn<double>("maxDecades");
        for (const Row& row : kRows) QTest::newRow(row.preset) << QString(row.preset) << row.minDecades << row.maxDecades;
    }
    void openingStatisticShowsThePoint() {
        QFETCH(QString, preset);
        QFETCH(double, minDecades);
        QFETCH(double, maxDecades);
        const Preset* found = findPreset(preset.toStdString());
        QVERIFY(found != nullptr);
        const ExperimentLoadResult loaded = parseExperiment(found->json);
        QVERIFY(loaded.ok());
        const UnitStatisticKind opening = loaded.config.lesson.statistic.value_or(UnitStatisticKind::WeightGradient);
        auto trainer = Trainer::create(loaded.config);
        const StepStats& stats = trainer->step();
        const double span = spanInDecades(stats, opening, loaded.config.model == ModelKind::Recurrent);
        qInfo("%s opens on statistic %d: %.2f decades", qPrintable(preset), int(opening), span);
        QVERIFY2(span >= minDecades && span <= maxDecades,
                 qPrintable(QString("%1 decades, expected %2..%3").arg(span).arg(minDecades).arg(maxDecades)));
    }

    void everyLessonHasARow() {
        for (const Preset& preset : presets()) {
            const bool listed =
                std::any_of(std::begin(kRows), std::end(kRows), [&](const Row& row) { return preset.name == row.preset; });
            QVERIFY2(listed, qPrintable(QString("no opening-statistic row for %1")
                                            .arg(QString::fromUtf8(preset.name.data(), qsizetype(preset.name.size())))));
        }
    }
};

QTEST_APPLESS_MAIN(TestLessonStatistics)
#include "tst_lesson_statistics.moc"
