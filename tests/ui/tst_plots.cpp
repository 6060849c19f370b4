// Structural checks of every dashboard view: non-finite and zero statistics never reach
// a log axis (they become gaps and markers), ranges stay valid, heat-map colour limits
// are stable, empty states work, and each view survives a diverged run.
#include <QFontDatabase>
#include <QtTest>

#include "plot_test_data.h"
#include "ui/plots/curve_trend.h"
#include "ui/plots/decision_boundary_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/layer_health_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/phase_diagram_plot.h"
#include "ui/plots/plot_helpers.h"
#include "ui/plots/spectrum_plot.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

bool validLogRange(const QCPRange& r) {
    return std::isfinite(r.lower) && std::isfinite(r.upper) && r.lower > 0 && r.upper > r.lower &&
           QCPRange::validRange(r.lower, r.upper);
}

template <typename Container>
bool allPositiveOrNan(const Container& data) {
    for (auto it = data->constBegin(); it != data->constEnd(); ++it) {
        if (std::isnan(it->mainValue())) continue;
        if (!std::isfinite(it->mainValue()) || it->mainValue() <= 0) return false;
    }
    return true;
}

}  // namespace

class TestPlots : public QObject {
    Q_OBJECT
private slots:
    void fontsAvailable();
    void helpersClassify_data();
    void helpersClassify();
    void decadeRangeOnlyExpands();
    void gradientBarsEmptyState();
    void gradientBarsNonFinite();
    void gradientBarsTheoryAnchored();
    void gradientBarsSaturationLinear();
    void gradientBarsClickSelects();
    void heatmapNanCellsAndStableLimits();
    void heatmapBoundedGrid();
    void spectrumHistogramAndUnavailable();
    void lossPlotDiverged();
    void lossPlotShowsTheTestSplit();
    void curveTrendKnownCases();
    void decisionBoundaryClassesAndSequence();
    void layerHealthNonFinite();
    void phaseDiagramComputedOncePerConfig();
    void presenterThemeScalesFonts();
};

void TestPlots::fontsAvailable() {
    // Offscreen rendering without fonts draws tofu boxes silently.
    QVERIFY(!QFontDatabase::families().isEmpty());
    QVERIFY(!QFontInfo(QApplication::font()).family().isEmpty());
    const Theme t = Theme::make(ThemeKind::Light, false);
    QVERIFY(QFontDatabase::families().contains(t.fontFamily));
}

void TestPlots::helpersClassify_data() {
    QTest::addColumn<double>("value");
    QTest::addColumn<int>("expected");
    QTest::newRow("normal") << 1e-5 << int(ValueClass::Finite);
    QTest::newRow("zero") << 0.0 << int(ValueClass::Underflow);
    QTest::newRow("denormal") << 1e-320 << int(ValueClass::Underflow);
    QTest::newRow("inf") << kInf << int(ValueClass::Overflow);
    QTest::newRow("-inf") << -kInf << int(ValueClass::Overflow);
    QTest::newRow("nan") << kNaN << int(ValueClass::NotANumber);
    QTest::newRow("huge") << 1e305 << int(ValueClass::Overflow);
}

void TestPlots::helpersClassify() {
    QFETCH(double, value);
    QFETCH(int, expected);
    QCOMPARE(int(classify(value)), expected);
    QCOMPARE(std::isnan(logSafe(value)), expected != int(ValueClass::Finite));
}

void TestPlots::decadeRangeOnlyExpands() {
    DecadeRange r;
    QVERIFY(r.empty());
    r.include(0.0);
    r.include(kInf);
    QVERIFY(r.empty());
    r.include(3e-4);
    r.include(0.2);
    QCOMPARE(r.range().lower, 1e-4);
    QCOMPARE(r.range().upper, 1.0);
    DecadeRange narrow;
    narrow.include(0.3);
    narrow.include(0.7);
    QCOMPARE(narrow.range().lower, 1e-2);  // two decades at least
    r.include(0.01);                       // inside: no change
    QCOMPARE(r.range().lower, 1e-4);
    r.include(1e-250);
    QVERIFY(validLogRange(r.range()));
}

void TestPlots::gradientBarsEmptyState() {
    GradientBarsPlot view;
    view.resize(700, 400);
    core::TrainingHistory history;
    view.showFrame(nullptr, history);
    QVERIFY(view.bars()->data()->isEmpty());
    QVERIFY(validLogRange(view.plot()->yAxis->range()));
    auto snap = std::make_shared<Snapshot>();  // before the first step: no latest
    view.showFrame(snap, history);
    view.replotNow();
    QVERIFY(view.bars()->data()->isEmpty());
}

void TestPlots::gradientBarsNonFinite() {
    GradientBarsPlot view;
    view.resize(700, 400);
    core::TrainingHistory history;
    view.showFrame(makeSnapshot(10, 5, 0.5, true), history);
    view.replotNow();
    QVERIFY(allPositiveOrNan(view.bars()->data()));
    QCOMPARE(view.bars()->data()->size(), 5);  // units 0..4 were 0/NaN/Inf/-Inf/denormal
    QVERIFY(allPositiveOrNan(view.theoryGraph()->data()));
    QVERIFY(validLogRange(view.plot()->yAxis->range()));
    // Overflow (+Inf, -Inf, and NaN in a diverged step) and underflow (0, denormal) marked.
    QCOMPARE(view.overflowMarkers()->data()->size(), 3);
    QCOMPARE(view.underflowMarkers()->data()->size(), 2);
    for (auto it = view.overflowMarkers()->data()->constBegin(); it != view.overflowMarkers()->data()->constEnd(); ++it)
        QVERIFY(view.plot()->yAxis->range().contains(it->value));
    view.setStatistic(UnitStatistic::ActivationGradient);
    QVERIFY(allPositiveOrNan(view.bars()->data()));
    QCOMPARE(view.overflowMarkers()->data()->size(), 1);
}

void TestPlots::gradientBarsTheoryAnchored() {
    GradientBarsPlot view;
    core::TrainingHistory history;
    const int units = 12;
    view.showFrame(makeSnapshot(units, 3, 0.5), history);
    // The prediction meets the measured bar at the last hidden layer (units - 2).
    auto theory = view.theoryGraph()->data();
    QCOMPARE(theory->size(), units - 1);
    const double anchor = (theory->constEnd() - 1)->value;
    double measured = 0;
    for (auto it = view.bars()->data()->constBegin(); it != view.bars()->data()->constEnd(); ++it)
        if (qFuzzyCompare(it->key, double(units - 1))) measured = it->value;
    QVERIFY(measured > 0);
    QVERIFY(qFuzzyCompare(anchor, measured));
    // The y range covers both.
    QVERIFY(view.plot()->yAxis->range().contains(theory->constBegin()->value));
}

void TestPlots::gradientBarsSaturationLinear() {
    GradientBarsPlot view;
    core::TrainingHistory history;
    view.setStatistic(UnitStatistic::Saturation);
    view.showFrame(makeSnapshot(10, 3, 0.5, true), history);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLinear);
    QCOMPARE(view.plot()->yAxis->range().lower, 0.0);
    QCOMPARE(view.plot()->yAxis->range().upper, 1.0);
    QVERIFY(view.theoryGraph()->data()->isEmpty());  // theory is about gradients only
    view.setStatistic(UnitStatistic::UpdateRatio);
    QCOMPARE(view.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
}

void TestPlots::gradientBarsClickSelects() {
    GradientBarsPlot view;
    view.resize(800, 450);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    core::TrainingHistory history;
    auto snap = makeSnapshot(10, 3, 0.5);
    snap->selectedUnit = -1;
    view.showFrame(snap, history);
    view.replotNow();
    QSignalSpy spy(&view, &GradientBarsPlot::unitSelected);
    const QCustomPlot* p = view.plot();
    const QPoint at(int(p->xAxis->coordToPixel(4.0)), p->axisRect()->center().y());
    QTest::mouseClick(view.plot(), Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.front().front().toInt(), 3);  // 0-based unit 3 = layer 4
    QCOMPARE(view.selectedUnit(), 3);
}

void TestPlots::heatmapNanCellsAndStableLimits() {
    GradientHeatmap view;
    core::TrainingHistory history;
    fillHistory(history, 8, 50, 0.5);
    auto snap = makeSnapshot(8, 49, 0.5);
    view.showFrame(snap, history);
    const QCPRange first = view.colorScale()->dataRange();  // log10 units, whole decades
    QVERIFY(first.lower < first.upper && first.lower == std::floor(first.lower) && first.upper == std::ceil(first.upper));
    // A later frame with a poisoned step: the limits do not shrink and bad cells are NaN.
    history.append(makeStats(50, 8, 0.5, true));
    view.showFrame(snap, history);
    const QCPRange second = view.colorScale()->dataRange();
    QVERIFY(second.lower <= first.lower && second.upper >= first.upper);
    QCPColorMapData* d = view.colorMap()->data();
    QVERIFY(d->keySize() > 0 && d->valueSize() == 8);
    int nan = 0;
    for (int c = 0; c < d->keySize(); ++c)
        for (int r = 0; r < d->valueSize(); ++r) {
            const double v = d->cell(c, r);
            if (std::isnan(v)) ++nan;
            else QVERIFY(std::isfinite(v) && second.contains(v));
        }
    QCOMPARE(nan, 5);  // 0, NaN, +Inf, -Inf, denormal of the last column
    QVERIFY(view.colorMap()->gradient().nanHandling() == QCPColorGradient::nhNanColor);
    // Same history again: the limits are not recomputed down.
    view.showFrame(snap, history);
    QCOMPARE(view.colorScale()->dataRange(), second);
}

void TestPlots::heatmapBoundedGrid() {
    GradientHeatmap view;
    core::TrainingHistory history(4096);
    fillHistory(history, 300, 2000, 0.97);
    view.showFrame(makeSnapshot(300, 1999, 0.97), history);
    QVERIFY(view.colorMap()->data()->keySize() <= GradientHeatmap::kMaxColumns);
    QVERIFY(view.colorMap()->data()->valueSize() <= GradientHeatmap::kMaxRows);
    QVERIFY(view.plot()->xAxis->range().contains(2000.0));
}

void TestPlots::spectrumHistogramAndUnavailable() {
    SpectrumPlot view;
    view.resize(800, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    core::TrainingHistory history;
    auto snap = makeSnapshot(10, 3, 0.5);
    view.showFrame(snap, history);
    double total = 0;
    for (auto it = view.histogram()->data()->constBegin(); it != view.histogram()->data()->constEnd(); ++it) {
        QVERIFY(std::isfinite(it->key) && std::isfinite(it->value));
        total += it->value;
    }
    QVERIFY(qFuzzyCompare(total, 1.0));
    QVERIFY(view.plot()->xAxis->range().contains(-8.0) && view.plot()->xAxis->range().contains(0.3));
    QCOMPARE(view.eigenvalues()->data()->size(), 3);
    view.replotNow();
    // Equal scales: one unit in x spans as many pixels as one unit in y.
    QCPAxisRect* er = view.eigenRect();
    const double px = er->axis(QCPAxis::atBottom)->coordToPixel(1) - er->axis(QCPAxis::atBottom)->coordToPixel(0);
    const double py = er->axis(QCPAxis::atLeft)->coordToPixel(0) - er->axis(QCPAxis::atLeft)->coordToPixel(1);
    QVERIFY2(std::abs(px - py) < 1.5, qPrintable(QString("%1 vs %2").arg(px).arg(py)));
    // Unavailable spectrum: no bars, no crash.
    auto none = std::make_shared<Snapshot>(*snap);
    auto spec = std::make_shared<core::JacobianSpectrum>();
    spec->unavailableReason = "one hidden layer: no layer-to-layer Jacobian";
    none->spectrum = spec;
    view.showFrame(none, history);
    QVERIFY(view.histogram()->data()->isEmpty());
    // Extreme but finite log values (depth 500): still finite keys.
    auto deep = std::make_shared<Snapshot>(*snap);
    auto deepSpec = std::make_shared<core::JacobianSpectrum>(*snap->spectrum);
    deepSpec->log10SingularValues = {{200.0, -150.0, -210.5}};
    deep->spectrum = deepSpec;
    view.showFrame(deep, history);
    QVERIFY(view.plot()->xAxis->range().contains(-210.5) && view.plot()->xAxis->range().contains(200.0));
}

void TestPlots::lossPlotDiverged() {
    LossPlot view;
    core::TrainingHistory history;
    fillHistory(history, 6, 40, 0.5, true);
    view.showFrame(makeSnapshot(6, 39, 0.5, true), history);
    // log10(loss): finite inside the axis range, or NaN (a gap).
    const QCPRange y = view.plot()->yAxis->range();
    for (auto it = view.lossGraph()->data()->constBegin(); it != view.lossGraph()->data()->constEnd(); ++it)
        QVERIFY(std::isnan(it->value) || y.contains(it->value));
    QVERIFY(std::isnan((view.lossGraph()->data()->constEnd() - 1)->value));
    QCOMPARE(view.divergedMarkers()->data()->size(), 1);
    QVERIFY(y.contains(view.divergedMarkers()->data()->constBegin()->value));
    QCOMPARE(view.accuracyGraph()->data()->size(), 40);
    // The trend stops at the last finite loss and stays positive.
    QVERIFY(!view.lossTrendGraph()->data()->isEmpty());
    for (auto it = view.lossTrendGraph()->data()->constBegin(); it != view.lossTrendGraph()->data()->constEnd(); ++it)
        QVERIFY(y.contains(it->value));
    QCOMPARE((view.lossTrendGraph()->data()->constEnd() - 1)->key, 39.0);  // steps are 1-based; step 40 is NaN
    QCOMPARE(view.accuracyTrendGraph()->data()->size(), 40);
}

void TestPlots::lossPlotShowsTheTestSplit() {
    LossPlot view;
    core::TrainingHistory history;
    for (int k = 0; k < 40; ++k) {
        core::StepStats s = makeStats(k, 4, 0.5);
        if (k % 10 == 0) {
            s.tested = true;
            s.testLoss = 0.9 - 0.01 * k;
            s.testAccuracy = 0.4 + 0.01 * k;
        }
        history.append(s);
    }
    view.showFrame(makeSnapshot(4, 39, 0.5), history);
    // Steps 1, 11, 21, 31 (entry k is shown as step k + 1, like the training loss beside it).
    QCOMPARE(view.testLossGraph()->data()->size(), 4);
    QCOMPARE(view.testAccuracyGraph()->data()->size(), 4);
    auto loss = view.testLossGraph()->data()->constBegin();
    auto accuracy = view.testAccuracyGraph()->data()->constBegin();
    for (int k = 0; k < 40; k += 10, ++loss, ++accuracy) {
        QCOMPARE(loss->key, double(k + 1));
        QVERIFY(std::abs(loss->value - std::log10(0.9 - 0.01 * k)) < 1e-12);
        QCOMPARE(accuracy->key, double(k + 1));
        QCOMPARE(accuracy->value, 0.4 + 0.01 * k);
    }
    QVERIFY(view.plot()->legend->hasItemWithPlottable(view.testLossGraph()));
    QVERIFY(view.plot()->legend->hasItemWithPlottable(view.testAccuracyGraph()));
    // A history without test rows (regression, or test_fraction 0) lists no test curves.
    LossPlot untested;
    core::TrainingHistory plain;
    fillHistory(plain, 4, 20, 0.5);
    untested.showFrame(makeSnapshot(4, 19, 0.5), plain);
    QVERIFY(untested.testLossGraph()->data()->isEmpty());
    QVERIFY(!untested.plot()->legend->hasItemWithPlottable(untested.testLossGraph()));
}

void TestPlots::curveTrendKnownCases() {
    QVector<double> x, constant, alternating, step;
    for (int i = 0; i < 4096; ++i) {
        x << i + 1;
        constant << 0.25;
        alternating << (i % 2 ? 100.0 : 1.0);
        step << (i == 0 ? 0.0 : 1.0);
    }
    // A constant stays exactly constant (debiasing: no pull toward 0 at the start), in
    // both scales; thinned to at most kTrendMaxPoints + the last point, which is kept.
    for (bool logScale : {false, true}) {
        const CurveTrend t = curveTrend(x, constant, logScale);
        QVERIFY(t.x.size() <= kTrendMaxPoints + 1);
        QCOMPARE(t.x.front(), 1.0);
        QCOMPARE(t.x.back(), 4096.0);
        for (double v : t.y) QVERIFY(std::abs(v - 0.25) < 1e-12);
    }
    // Log scale averages geometrically: 1 and 100 alternating settle near 10, not 50.
    const CurveTrend geometric = curveTrend(x, alternating, true);
    QVERIFY2(std::abs(std::log10(geometric.y.back()) - 1.0) < 0.05, qPrintable(QString::number(geometric.y.back())));
    // Window 1 is no smoothing at all; the first point is the first value exactly.
    const CurveTrend identity = curveTrend(x.mid(0, 10), step.mid(0, 10), false, 1, 100);
    QCOMPARE(identity.y, step.mid(0, 10));
    // 0, 1, 1, 1, 1 against the definition: the running average over the running weight
    // 1 - k^t, with k = 1 - 2 / (window + 1).
    const int w = 3;
    const double k = 1.0 - 2.0 / (w + 1.0);
    const CurveTrend ema = curveTrend(x.mid(0, 5), step.mid(0, 5), false, w, 100);
    double num = 0.0, den = 0.0;
    for (int t = 0; t < 5; ++t) {
        num = k * num + (1 - k) * step[t];
        den = k * den + (1 - k);
        QVERIFY(std::abs(ema.y[t] - num / den) < 1e-12);
    }
    // Non-finite and (on a log axis) non-positive values are skipped; the trend ends at
    // the last drawable point, and nothing drawable gives an empty trend.
    QVector<double> broken{1.0, std::nan(""), 0.0, 4.0, -1.0, kInf};
    const CurveTrend skipped = curveTrend(x.mid(0, 6), broken, true, 1, 100);
    QCOMPARE(skipped.x, (QVector<double>{1.0, 4.0}));
    QCOMPARE(skipped.y.size(), 2);
    QVERIFY(std::abs(skipped.y[1] - 4.0) < 1e-12);
    QVERIFY(curveTrend(x.mid(0, 2), QVector<double>{kNaN, kInf}, false).x.isEmpty());
    QVERIFY(curveTrend({}, {}, true).x.isEmpty());
}

void TestPlots::decisionBoundaryClassesAndSequence() {
    DecisionBoundaryPlot view;
    core::TrainingHistory history;
    auto snap = makeSnapshot(6, 3, 0.5);
    view.showFrame(snap, history);
    QVERIFY(view.background()->visible());
    QCOMPARE(view.background()->data()->keySize(), 40);
    int points = 0;
    for (QCPGraph* g : view.classGraphs()) points += g->data()->size();
    QCOMPARE(points, 200);
    // A sequence task: nothing misleading is drawn.
    auto seq = std::make_shared<Snapshot>(*snap);
    auto data = std::make_shared<core::Dataset>(*snap->dataset);
    data->inputs.assign(20, Eigen::MatrixXd::Zero(2, 10));
    seq->dataset = data;
    seq->prediction.reset();
    view.showFrame(seq, history);
    QVERIFY(!view.background()->visible());
    for (QCPGraph* g : view.classGraphs()) QVERIFY(g->data()->isEmpty());
}

void TestPlots::layerHealthNonFinite() {
    LayerHealthPlot view;
    core::TrainingHistory history;
    view.showFrame(makeSnapshot(10, 3, 0.5, true), history);
    QCOMPARE(view.saturationBars()->data()->size(), 9);  // one NaN saturation dropped
    QCOMPARE(view.meanGraph()->data()->size(), 9);       // one Inf mean dropped
    const QCPRange r = view.plot()->yAxis2->range();
    QVERIFY(std::isfinite(r.lower) && std::isfinite(r.upper) && r.upper > r.lower);
}

void TestPlots::phaseDiagramComputedOncePerConfig() {
    PhaseDiagramPlot view;
    core::TrainingHistory history;
    auto snap = makeSnapshot(6, 3, 0.9);
    for (auto& l : snap->config.layers) l.activation.kind = core::ActivationKind::Tanh;
    view.showFrame(snap, history);
    const int once = view.computations();
    QVERIFY(once >= 1);
    for (int i = 0; i < 5; ++i) view.showFrame(makeSnapshot(6, 4 + i, 0.9), history);
    QCOMPARE(view.computations(), once);  // requested once, even while still computing
    // Computed in the background: nothing lands on the map until the event loop (or an
    // export's settle()) collects it, so a frame never waits for the quadrature.
    QVERIFY(!view.colorMap()->visible());
    view.settle();
    QVERIFY(view.colorMap()->visible());
    for (int i = 0; i < 5; ++i) view.showFrame(makeSnapshot(6, 9 + i, 0.9), history);
    QCOMPARE(view.computations(), once);
    QCOMPARE(view.currentMarker()->data()->size(), 1);
    QCPColorMapData* d = view.colorMap()->data();
    QVERIFY(d->keySize() > 10 && d->valueSize() > 10);
}

void TestPlots::presenterThemeScalesFonts() {
    const Theme normal = Theme::make(ThemeKind::Light, false);
    const Theme presenter = Theme::make(ThemeKind::Dark, true);
    QVERIFY(presenter.fontPointSize > normal.fontPointSize * 1.4);
    QVERIFY(presenter.lineWidth >= 3.0);
    QVERIFY(presenter.background.lightness() < 80);
    GradientBarsPlot view;
    view.setTheme(presenter);
    QCOMPARE(view.plot()->xAxis->labelFont().pointSizeF(), presenter.fontPointSize);
}

QTEST_MAIN(TestPlots)
#include "tst_plots.moc"
