// A diverging run stays visible: the exploding lesson's loss climbs past 1e250 before it
// overflows, where QCustomPlot's log axes give up (they keep their old range silently, and
// the plot went empty, the heat map all one colour). The loss axis and the heat map's
// colour scale must cover every finite value, and the loss view marks the step it diverged.

#include <QtTest>

#include <cmath>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/trainer.h"
#include "core/training/training_history.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/loss_plot.h"
#include "ui/snapshot_builder.h"

using namespace gradflow;
using namespace gradflow::ui;

class TestDivergingRunViews : public QObject {
    Q_OBJECT

private:
    core::TrainingHistory m_history;
    SnapshotPtr m_snapshot;
    double m_maxLoss = 0.0;

private slots:
    void initTestCase() {
        const core::ExperimentLoadResult loaded = core::parseExperiment(core::findPreset("exploding-large-weights")->json);
        auto trainer = core::Trainer::create(loaded.config);
        core::StepStats stats;
        while (!trainer->divergence().diverged && trainer->stepsDone() < 50) {
            stats = trainer->step();
            m_history.append(stats);
            if (std::isfinite(stats.loss)) m_maxLoss = std::max(m_maxLoss, stats.loss);
        }
        QVERIFY(trainer->divergence().diverged);
        // The case the views failed on: a finite loss beyond QCustomPlot's 1e250 range limit.
        QVERIFY2(m_maxLoss > 1e250, qPrintable(QString::number(m_maxLoss)));
        m_snapshot = buildFullSnapshot(*trainer, &stats, 1);
    }

    void lossAxisFollowsToDivergence() {
        LossPlot view;
        view.resize(420, 320);  // a dashboard cell at 1366x768: few ticks
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showFrame(m_snapshot, m_history);
        view.replotNow();
        // Every finite loss is on the axis (log10 units), the largest included.
        const QCPRange y = view.plot()->yAxis->range();
        int points = 0;
        for (auto it = view.lossGraph()->data()->constBegin(); it != view.lossGraph()->data()->constEnd(); ++it) {
            if (std::isnan(it->value)) continue;
            QVERIFY2(y.contains(it->value),
                     qPrintable(QString("log10 loss %1 outside %2..%3").arg(it->value).arg(y.lower).arg(y.upper)));
            ++points;
        }
        QVERIFY(points >= 1);
        QVERIFY(y.upper >= std::log10(m_maxLoss));
        QCOMPARE(y.upper, std::ceil(y.upper));  // whole decades
        // The divergence is marked where it happened, with its step number.
        const qint64 step = m_snapshot->divergence.step + 1;
        QVERIFY(view.divergenceLine()->visible());
        QCOMPARE(view.divergenceLine()->start->coords().x(), double(step));
        QVERIFY(view.plot()->xAxis->range().contains(double(step)));
        // A three-step run is labelled in whole steps: no "2.5".
        for (double tick : view.plot()->xAxis->tickVector()) QCOMPARE(tick, std::round(tick));
        QVERIFY(view.divergenceLabel()->visible());
        QCOMPARE(view.divergenceLabel()->text(), QStringLiteral("diverged at step %1").arg(step));
        // A new run clears the mark.
        auto fresh = std::make_shared<Snapshot>();
        fresh->runId = 2;
        view.showFrame(fresh, core::TrainingHistory());
        QVERIFY(!view.divergenceLine()->visible());
    }

    void heatmapColourScaleCoversEveryFiniteValue() {
        GradientHeatmap view;
        view.resize(800, 450);
        view.showFrame(m_snapshot, m_history);
        view.setStatistic(UnitStatistic::WeightGradient);
        const QCPRange colours = view.colorScale()->dataRange();
        QCOMPARE(colours.lower, std::floor(colours.lower));
        QCOMPARE(colours.upper, std::ceil(colours.upper));
        // The cells hold log10 values; the run's growth spans many decades, all inside the scale.
        QCPColorMapData* d = view.colorMap()->data();
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (int c = 0; c < d->keySize(); ++c)
            for (int r = 0; r < d->valueSize(); ++r) {
                const double v = d->cell(c, r);
                if (std::isnan(v)) continue;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        QVERIFY(hi - lo > 20.0);
        QVERIFY2(colours.contains(lo) && colours.contains(hi),
                 qPrintable(QString("cells %1..%2, colour scale %3..%4").arg(lo).arg(hi).arg(colours.lower).arg(colours.upper)));
        QVERIFY(colours.upper - hi < 1.0 && lo - colours.lower < 2.0);  // follows the data, not a stale range
    }
};

QTEST_MAIN(TestDivergingRunViews)
#include "tst_diverging_run_views.moc"
