// The gradient view's mean-field line predicts exactly the statistic on screen, or is not
// drawn and the legend says so; and a lesson opens its gradient views on the statistic that
// shows its point, while a Reset keeps the user's pick. Real runs of the lesson presets.

#include <QtTest>

#include <cmath>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/trainer.h"
#include "core/training/training_history.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/snapshot_builder.h"

using namespace gradflow;
using namespace gradflow::ui;

namespace {

/// The preset after one update (its gradients at initialisation), as the window shows it.
SnapshotPtr firstStep(const char* preset, std::uint64_t runId) {
    const core::ExperimentLoadResult loaded = core::parseExperiment(core::findPreset(preset)->json);
    auto trainer = core::Trainer::create(loaded.config);
    const core::StepStats stats = trainer->step();
    return buildFullSnapshot(*trainer, &stats, runId);
}

/// Largest distance in decades between the line and the bar at each hidden layer.
double worstMiss(const GradientBarsPlot& view) {
    double worst = 0.0;
    int compared = 0;
    for (auto t = view.theoryGraph()->data()->constBegin(); t != view.theoryGraph()->data()->constEnd(); ++t) {
        for (auto b = view.bars()->data()->constBegin(); b != view.bars()->data()->constEnd(); ++b) {
            if (b->key != t->key) continue;
            worst = std::max(worst, std::abs(std::log10(t->value / b->value)));
            ++compared;
        }
    }
    return compared > 0 ? worst : HUGE_VAL;
}

bool inLegend(const QCustomPlot* plot, const QCPAbstractPlottable* plottable) {
    return plot->legend->itemWithPlottable(plottable) != nullptr;
}

}  // namespace

class TestTheoryOverlay : public QObject {
    Q_OBJECT

private slots:
    void overlayPredictsTheStatisticShown_data() {
        QTest::addColumn<int>("statistic");
        QTest::newRow("weight gradient") << int(UnitStatistic::WeightGradient);
        QTest::newRow("activation gradient") << int(UnitStatistic::ActivationGradient);
    }
    void overlayPredictsTheStatisticShown() {
        // Exploding lesson at step 1: ||dL/dW|| is flat near 1e11 while ||dL/dh|| spans
        // twelve decades. A line predicting ||dL/dh|| over the ||dL/dW|| bars missed the
        // input-side bars by twelve decades; each line must sit on its own bars.
        QFETCH(int, statistic);
        GradientBarsPlot view;
        core::TrainingHistory history;
        view.showFrame(firstStep("exploding-large-weights", 1), history);
        view.setStatistic(UnitStatistic(statistic));
        QCOMPARE(view.theoryGraph()->data()->size(), 30);
        const double miss = worstMiss(view);
        QVERIFY2(miss < 0.5, qPrintable(QString("the line misses a bar by %1 decades").arg(miss)));
        QVERIFY(inLegend(view.plot(), view.theoryGraph()));
        QVERIFY(!inLegend(view.plot(), view.noTheoryNote()));
    }

    void noPredictionIsSaid() {
        GradientBarsPlot view;
        core::TrainingHistory history;
        view.showFrame(firstStep("deep-sigmoid-vanishing", 1), history);
        for (UnitStatistic statistic : {UnitStatistic::UpdateRatio, UnitStatistic::Saturation}) {
            view.setStatistic(statistic);
            QVERIFY(view.theoryGraph()->data()->isEmpty());
            QVERIFY(!inLegend(view.plot(), view.theoryGraph()));
            QVERIFY(inLegend(view.plot(), view.noTheoryNote()));
            QVERIFY(view.noTheoryNote()->name().startsWith(QStringLiteral("no mean-field line for")));
        }
        // Batch norm: the plain-stack theory does not apply, and the legend says why.
        view.showFrame(firstStep("batchnorm-rescue", 2), history);
        view.setStatistic(UnitStatistic::WeightGradient);
        QVERIFY(view.theoryGraph()->data()->isEmpty());
        QVERIFY(inLegend(view.plot(), view.noTheoryNote()));
        QCOMPARE(view.noTheoryNote()->name(), QStringLiteral("no mean-field line for batch norm"));
    }

    void bandSurroundsTheLine() {
        // Around each drawn point the finite-width band, same keys, scaled like the line:
        // closed at the anchor (the last hidden layer, where the line meets the bar).
        GradientBarsPlot view;
        core::TrainingHistory history;
        const SnapshotPtr s = firstStep("he-relu-healthy", 1);
        view.showFrame(s, history);
        for (UnitStatistic statistic : {UnitStatistic::WeightGradient, UnitStatistic::ActivationGradient}) {
            view.setStatistic(statistic);
            const auto line = view.theoryGraph()->data();
            const auto low = view.bandLowGraph()->data();
            const auto high = view.bandHighGraph()->data();
            QVERIFY(line->size() > 2);
            QCOMPARE(low->size(), line->size());
            QCOMPARE(high->size(), line->size());
            for (int i = 0; i < line->size(); ++i) {
                QCOMPARE(low->at(i)->key, line->at(i)->key);
                QCOMPARE(high->at(i)->key, line->at(i)->key);
                QVERIFY(low->at(i)->value > 0.0 && low->at(i)->value <= high->at(i)->value);
            }
            const int anchor = line->size() - 1;
            QVERIFY(std::abs(low->at(anchor)->value / line->at(anchor)->value - 1.0) < 1e-12);
            QVERIFY(std::abs(high->at(anchor)->value / line->at(anchor)->value - 1.0) < 1e-12);
            // Wider at the input side, where more layers' noise has added up.
            QVERIFY(high->at(0)->value / low->at(0)->value > high->at(anchor - 1)->value / low->at(anchor - 1)->value);
            QVERIFY(inLegend(view.plot(), view.bandHighGraph()));
            QVERIFY(!inLegend(view.plot(), view.bandLowGraph()));
        }
        // A residual stack: the line through the skips, no band, and the legend says why.
        view.showFrame(firstStep("residual-rescue", 2), history);
        view.setStatistic(UnitStatistic::ActivationGradient);
        QVERIFY(!view.theoryGraph()->data()->isEmpty());
        QVERIFY(view.bandHighGraph()->data()->isEmpty());
        QVERIFY(!inLegend(view.plot(), view.bandHighGraph()));
        QVERIFY2(view.theoryGraph()->name().endsWith(QStringLiteral("no width band for residual connections")),
                 qPrintable(view.theoryGraph()->name()));
    }

    void lessonOpensOnItsStatistic() {
        GradientBarsPlot bars;
        GradientHeatmap heatmap;
        core::TrainingHistory history;
        const auto show = [&](const SnapshotPtr& s) {
            history.clear();
            history.append(*s->latest);
            bars.showFrame(s, history);
            heatmap.showFrame(s, history);
        };
        show(firstStep("exploding-large-weights", 1));
        QCOMPARE(bars.statistic(), UnitStatistic::ActivationGradient);
        QCOMPARE(heatmap.statistic(), UnitStatistic::ActivationGradient);
        // The user picks another; a Reset (a new run of the same lesson) keeps it.
        bars.setStatistic(UnitStatistic::WeightGradient);
        show(firstStep("exploding-large-weights", 2));
        QCOMPARE(bars.statistic(), UnitStatistic::WeightGradient);
        // A lesson without a statistic opens on the default; the next one on its own.
        show(firstStep("deep-sigmoid-vanishing", 3));
        QCOMPARE(bars.statistic(), UnitStatistic::WeightGradient);
        QCOMPARE(heatmap.statistic(), UnitStatistic::WeightGradient);
        show(firstStep("saturating-large-lr", 4));
        QCOMPARE(bars.statistic(), UnitStatistic::Saturation);
        QCOMPARE(heatmap.statistic(), UnitStatistic::WeightGradient);  // the heat map has no saturation
        // Views that first saw a lesson without a statistic follow the next lesson all the same.
        GradientBarsPlot freshBars;
        GradientHeatmap freshHeatmap;
        for (const char* preset : {"deep-sigmoid-vanishing", "he-relu-healthy"}) {
            const SnapshotPtr s = firstStep(preset, preset[0] == 'd' ? 5 : 6);
            freshBars.setStatistic(UnitStatistic::ActivationGradient);
            freshHeatmap.setStatistic(UnitStatistic::ActivationGradient);
            history.clear();
            history.append(*s->latest);
            freshBars.showFrame(s, history);
            freshHeatmap.showFrame(s, history);
        }
        // The first run kept the user's pick; the second lesson opened on its own (the default).
        QCOMPARE(freshBars.statistic(), UnitStatistic::WeightGradient);
        QCOMPARE(freshHeatmap.statistic(), UnitStatistic::WeightGradient);
    }
};

QTEST_MAIN(TestTheoryOverlay)
#include "tst_theory_overlay.moc"
