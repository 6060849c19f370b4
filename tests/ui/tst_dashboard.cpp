// The dashboard contract the main window relies on: seven named views, frames fan out to
// every view, unchanged frames are skipped, clear() returns to the empty state, unit
// clicks are forwarded, presenter mode and themes restyle every view; and, when the
// engine is available, a real short run feeds it without non-finite values on log axes.
#include <QtTest>

#include "core/analysis/mean_field.h"
#include "core/training/trainer.h"
#include "plot_test_data.h"
#include "ui/dashboard.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/loss_plot.h"
#include "ui/snapshot_builder.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

class TestDashboard : public QObject {
    Q_OBJECT
private slots:
    void viewsAndNames();
    void framesReachViews();
    void clearResets();
    void unitSelectedForwarded();
    void presenterAndDarkTheme();
    void hiddenViewsAreNotReplotted();
    void onlyChangedViewsRedraw();
    void realRun();
    void comparisonSharesAxes();
};

void TestDashboard::viewsAndNames() {
    Dashboard d;
    QStringList names;
    for (PlotView* v : d.views()) names << v->name();
    QCOMPARE(names, (QStringList{"gradients", "heatmap", "spectrum", "loss", "decision", "health", "phase", "distributions",
                                "network"}));
    for (const QString& n : names) QCOMPARE(d.view(n)->name(), n);
    QVERIFY(d.view("nope") == nullptr);
    d.resize(1366, 768);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    // Key views are on screen at once; the rest sit in tabs (one of them visible).
    QCOMPARE(d.visibleViews().size(), 5);
    d.revealView(d.view("phase"));
    QVERIFY(d.visibleViews().contains(d.view("phase")));
    // Readable at 1366x768: every visible plot keeps a usable size.
    for (PlotView* v : d.visibleViews()) QVERIFY2(v->plot()->width() >= 300 && v->plot()->height() >= 250, qPrintable(v->name()));
}

void TestDashboard::framesReachViews() {
    Dashboard d;
    core::TrainingHistory history;
    fillHistory(history, 8, 20, 0.5);
    auto snap = makeSnapshot(8, 19, 0.5);
    d.showFrame(snap, history);
    auto* bars = static_cast<GradientBarsPlot*>(d.view("gradients"));
    auto* loss = static_cast<LossPlot*>(d.view("loss"));
    QCOMPARE(bars->bars()->data()->size(), 8);
    QCOMPARE(loss->lossGraph()->data()->size(), 20);
    QCOMPARE(d.lastSnapshot(), SnapshotPtr(snap));
    for (PlotView* v : d.views()) QCOMPARE(v->snapshot(), SnapshotPtr(snap));
}

void TestDashboard::clearResets() {
    Dashboard d;
    core::TrainingHistory history;
    fillHistory(history, 8, 20, 0.5);
    d.showFrame(makeSnapshot(8, 19, 0.5), history);
    d.clear();
    auto* bars = static_cast<GradientBarsPlot*>(d.view("gradients"));
    QVERIFY(bars->bars()->data()->isEmpty());
    QVERIFY(d.lastSnapshot() == nullptr);
    QVERIFY(static_cast<LossPlot*>(d.view("loss"))->lossGraph()->data()->isEmpty());
}

void TestDashboard::unitSelectedForwarded() {
    Dashboard d;
    QSignalSpy spy(&d, &Dashboard::unitSelected);
    static_cast<GradientBarsPlot*>(d.view("gradients"))->selectUnit(5);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.front().front().toInt(), 5);
}

void TestDashboard::presenterAndDarkTheme() {
    Dashboard d;
    const double normal = d.view("loss")->plot()->xAxis->labelFont().pointSizeF();
    d.setPresenterMode(true);
    QVERIFY(d.presenterMode());
    for (PlotView* v : d.views()) QVERIFY(v->plot()->xAxis->labelFont().pointSizeF() > normal * 1.4);
    d.setTheme(ThemeKind::Dark);
    QVERIFY(d.presenterMode());  // theme and presenter mode are independent
    for (PlotView* v : d.views()) QVERIFY(v->plot()->axisRect()->backgroundBrush().color().lightness() < 80);
}

void TestDashboard::hiddenViewsAreNotReplotted() {
    Dashboard d;
    d.resize(1366, 768);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    core::TrainingHistory history;
    fillHistory(history, 8, 20, 0.5);
    PlotView* hidden = d.view("phase");
    PlotView* shown = d.view("gradients");
    QVERIFY(!hidden->isVisible());
    QSignalSpy hiddenSpy(hidden->plot(), &QCustomPlot::afterReplot);
    QSignalSpy shownSpy(shown->plot(), &QCustomPlot::afterReplot);
    d.showFrame(makeSnapshot(8, 19, 0.5), history);
    QTRY_VERIFY(shownSpy.count() >= 1);
    QCOMPARE(hiddenSpy.count(), 0);
}

void TestDashboard::onlyChangedViewsRedraw() {
    Dashboard d;
    d.resize(1366, 768);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.revealView(d.view("decision"));
    core::TrainingHistory history;
    fillHistory(history, 8, 20, 0.5);
    const auto first = makeSnapshot(8, 19, 0.5);
    PlotView* bars = d.view("gradients");
    PlotView* spectrum = d.view("spectrum");
    PlotView* decision = d.view("decision");
    QSignalSpy barsSpy(bars->plot(), &QCustomPlot::afterReplot);
    QSignalSpy spectrumSpy(spectrum->plot(), &QCustomPlot::afterReplot);
    QSignalSpy decisionSpy(decision->plot(), &QCustomPlot::afterReplot);
    d.showFrame(first, history);
    QTRY_VERIFY(barsSpy.count() >= 1 && spectrumSpy.count() >= 1 && decisionSpy.count() >= 1);

    // A training step between two expensive refreshes: same spectrum and prediction.
    auto second = std::make_shared<Snapshot>(*first);
    second->stepsDone += 1;
    second->latest = makeStats(20, 8, 0.4);
    history.append(*second->latest);
    barsSpy.clear();
    spectrumSpy.clear();
    decisionSpy.clear();
    d.showFrame(second, history);
    QTRY_VERIFY(barsSpy.count() >= 1);
    QCOMPARE(spectrumSpy.count(), 0);
    QCOMPARE(decisionSpy.count(), 0);
    // Export captions read the newest snapshot, drawn or not.
    QCOMPARE(spectrum->snapshot(), SnapshotPtr(second));
    QCOMPARE(decision->snapshot(), SnapshotPtr(second));

    // The worker's next refresh: new spectrum and prediction objects are drawn.
    auto third = std::make_shared<Snapshot>(*second);
    third->stepsDone += 1;
    third->latest = makeStats(21, 8, 0.4);
    third->spectrum = std::make_shared<core::JacobianSpectrum>(*second->spectrum);
    third->prediction = std::make_shared<PredictionGrid>(*second->prediction);
    history.append(*third->latest);
    d.showFrame(third, history);
    QTRY_VERIFY(spectrumSpy.count() >= 1 && decisionSpy.count() >= 1);
}

void TestDashboard::realRun() {
    core::ExperimentConfig config;
    config.layers = std::vector<core::LayerSpec>(12, core::LayerSpec{});
    for (auto& l : config.layers) {
        l.width = 16;
        l.activation.kind = core::ActivationKind::Sigmoid;
    }
    auto trainer = core::Trainer::create(config);
    QVERIFY(trainer);
    core::TrainingHistory history;
    const core::StepStats* last = nullptr;
    for (int i = 0; i < 30; ++i) {
        last = &trainer->step();
        history.append(*last);
    }
    SnapshotPtr snap = buildFullSnapshot(*trainer, last, 1, 3);
    QVERIFY(snap && snap->latest);
    Dashboard d;
    d.showFrame(snap, history);
    auto* bars = static_cast<GradientBarsPlot*>(d.view("gradients"));
    QVERIFY(bars->bars()->data()->size() > 0);
    for (auto it = bars->bars()->data()->constBegin(); it != bars->bars()->data()->constEnd(); ++it)
        QVERIFY(std::isfinite(it->value) && it->value > 0);
    const QCPRange r = bars->plot()->yAxis->range();
    QVERIFY(r.lower > 0 && r.upper > r.lower);
}

void TestDashboard::comparisonSharesAxes() {
    Dashboard d;
    d.resize(1366, 700);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    QCOMPARE(d.visibleHeadings().size(), 0);
    d.setComparison(true, QStringLiteral("without batch norm"), QStringLiteral("with batch norm"));
    QVERIFY(d.comparing());
    core::TrainingHistory steep, flat;
    fillHistory(steep, 8, 20, 0.1);
    fillHistory(flat, 8, 20, 0.9);
    d.showFrames(makeSnapshot(8, 19, 0.1), steep, makeSnapshot(8, 19, 0.9), flat);
    const QList<PlotView*> a = d.views(), b = d.comparisonViews();
    QCOMPARE(a.size(), b.size());
    for (qsizetype i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i]->name(), b[i]->name());
        QCOMPARE(b[i]->snapshot()->theory.chi1, 0.9 * 0.9);
        const QCPRange ya = a[i]->plot()->yAxis->range(), yb = b[i]->plot()->yAxis->range();
        QVERIFY2(ya == yb, qPrintable(a[i]->name()));
        QVERIFY2(a[i]->plot()->xAxis->range() == b[i]->plot()->xAxis->range(), qPrintable(a[i]->name()));
    }
    // The gradient axis covers both sides: A's input layer at 0.1 * 0.1^7, B's near 0.1.
    const QCPRange bars = d.view("gradients")->plot()->yAxis->range();
    QVERIFY(bars.lower <= 1e-8 && bars.upper >= 0.1);
    auto* heatA = static_cast<GradientHeatmap*>(d.view("heatmap"));
    auto* heatB = static_cast<GradientHeatmap*>(b[a.indexOf(heatA)]);
    QVERIFY(heatA->colorScale()->dataRange() == heatB->colorScale()->dataRange());
    // Both sides are on screen, each under its heading, and the export draws them all.
    const auto headings = d.visibleHeadings();
    QCOMPARE(headings.size(), 2);
    QVERIFY(headings[0].text.contains(QStringLiteral("without batch norm")));
    QVERIFY(headings[1].text.contains(QStringLiteral("with batch norm")));
    QVERIFY(headings[0].rect.right() < headings[1].rect.left());
    int sideB = 0;
    for (PlotView* v : d.visibleViews()) sideB += b.contains(v) ? 1 : 0;
    QVERIFY(sideB >= 2);
    QCOMPARE(d.visibleViews().size(), 2 * sideB);
    // Half of 1366 px is too narrow for views side by side: each side shows fewer views,
    // each at the side's full width.
    for (PlotView* v : d.visibleViews()) QVERIFY2(v->plot()->width() >= 500, qPrintable(v->name()));

    d.setComparison(false);
    QVERIFY(!d.comparing());
    QCOMPARE(d.visibleHeadings().size(), 0);
    for (PlotView* v : b) QVERIFY(!v->isVisibleTo(&d));
}

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
