// No leftover state in figures: a unit clicked in the window is forgotten when a new run
// (a lesson, a Reset) starts, an exported figure highlights it only when asked, and the
// selected layer's eigenvalue caption is never cut at the panel's edges.
#include <QtTest>

#include "export_dialog_probe.h"
#include "plot_test_data.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/plot_geometry.h"
#include "ui/plots/spectrum_plot.h"
#include "ui/training_worker.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

core::ExperimentConfig smallConfig() {
    core::ExperimentConfig config;
    config.seed = 5;
    config.data.kind = core::DataKind::Spiral;
    config.data.samples = 128;
    config.layers.assign(4, core::LayerSpec{});
    for (auto& layer : config.layers) layer.width = 12;
    config.training.batchSize = 32;
    return config;
}

/// Pixels of exactly the highlight's colour (bars are filled flat, so their inside is).
int highlightPixels(const QImage& image, const QColor& highlight) {
    int n = 0;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y)
        for (int x = 0; x < rgb.width(); ++x) n += (rgb.pixel(x, y) & 0xffffff) == (highlight.rgb() & 0xffffff);
    return n;
}

std::shared_ptr<Snapshot> selectedSnapshot() {
    auto snapshot = makeSnapshot(8, 20, 0.5);
    snapshot->selectedUnit = 3;
    core::UnitSpectrum unit;
    unit.eigenvalues = {{0.9, 0.2}, {0.9, -0.2}, {-0.4, 0.0}};
    unit.singularValues = {1.7, 0.8, 0.3};
    unit.spectralRadius = 0.921954;
    unit.maxSingularValue = 1.7;
    snapshot->selectedUnitSpectrum = unit;
    return snapshot;
}

}  // namespace

class TestFigureSelection : public QObject {
    Q_OBJECT
private slots:
    void newRunClearsSelection();
    void exportHighlightsSelectionOnlyWhenAsked();
    void exportDialogOffersTheHighlightOffByDefault();
    void eigenvalueCaptionFitsItsPanel_data();
    void eigenvalueCaptionFitsItsPanel();
};

void TestFigureSelection::newRunClearsSelection() {
    TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(QTest::qWaitFor([&] { return worker.state() == TrainingWorker::State::Paused; }, 20000));
    worker.step(2);
    QVERIFY(QTest::qWaitFor([&] { return worker.stepsDone() == 2 && worker.state() == TrainingWorker::State::Paused; }, 20000));
    worker.setSelectedUnit(2);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto update = worker.takeUpdate();
            return update.snapshot && update.snapshot->selectedUnit == 2;
        },
        20000));
    // Another lesson: a new run, in which layer 3 of the last one means nothing.
    core::ExperimentConfig other = smallConfig();
    other.layers.resize(2);
    worker.reset(other);
    QVERIFY(QTest::qWaitFor([&] { return worker.stepsDone() == 0 && worker.state() == TrainingWorker::State::Paused; }, 20000));
    worker.step(1);
    SnapshotPtr first;
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto update = worker.takeUpdate();
            if (update.snapshot && update.snapshot->stepsDone == 1) first = update.snapshot;
            return first != nullptr;
        },
        20000));
    QCOMPARE(first->selectedUnit, -1);
    QVERIFY(!first->selectedUnitSpectrum);
}

void TestFigureSelection::exportHighlightsSelectionOnlyWhenAsked() {
    core::TrainingHistory history;
    fillHistory(history, 8, 21, 0.5);
    Dashboard dashboard;
    dashboard.showFrame(selectedSnapshot(), history);
    auto* bars = qobject_cast<GradientBarsPlot*>(dashboard.view(QStringLiteral("gradients")));
    QVERIFY(bars);
    QCOMPARE(bars->selectedUnit(), 3);
    const QColor highlight = dashboard.theme().categorical.value(3);
    ExportOptions options;
    options.size = QSize(900, 560);
    QVERIFY(!options.showSelection);  // the default: a figure shows the run, not the click
    QCOMPARE(highlightPixels(renderViewImage(*bars, options), highlight), 0);
    // The dashboard's layer-health bars share the colour: count what the selection adds.
    const int hidden = highlightPixels(renderDashboardImage(dashboard, options), highlight);
    options.showSelection = true;
    QVERIFY(highlightPixels(renderViewImage(*bars, options), highlight) > 100);
    QVERIFY(highlightPixels(renderDashboardImage(dashboard, options), highlight) > hidden + 100);
    // The window's own selection is untouched by any of it.
    QCOMPARE(bars->selectedUnit(), 3);
}

void TestFigureSelection::exportDialogOffersTheHighlightOffByDefault() {
    Dashboard dashboard;
    dashboard.showFrame(selectedSnapshot(), core::TrainingHistory());
    QCOMPARE(exportDialogCheckBox(dashboard, QStringLiteral("gradients"), QStringLiteral("showSelection")), std::optional(false));
}

void TestFigureSelection::eigenvalueCaptionFitsItsPanel_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("dashboard at 1366x768") << QSize(560, 330);
    QTest::newRow("narrow") << QSize(420, 300);
    QTest::newRow("wide") << QSize(1200, 600);
}

void TestFigureSelection::eigenvalueCaptionFitsItsPanel() {
    QFETCH(QSize, size);
    core::TrainingHistory history;
    fillHistory(history, 8, 21, 0.5);
    SpectrumPlot view;
    view.setTheme(Theme::make(ThemeKind::Light, false));
    view.showFrame(selectedSnapshot(), history);
    view.resize(size);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.replotNow();
    const QStringList problems = figureGeometryProblems(*view.plot());
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    // Whatever the width, the caption says what the panel shows, in full or not at all.
    const QList<QCPItemText*> texts = view.plot()->findChildren<QCPItemText*>();
    bool captionShown = false;
    for (QCPItemText* t : texts)
        if (t->visible() && t->text().contains(QStringLiteral("radius ρ"))) captionShown = true;
    if (size.width() >= 560) QVERIFY(captionShown);
}

QTEST_MAIN(TestFigureSelection)
#include "tst_figure_selection.moc"
