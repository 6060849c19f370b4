// The Distributions view with real data: from a worker (the path the window uses) and from
// the snapshot builder's step inspector; it draws the chosen layer's histogram with the
// initialisation behind, shades the activation's saturation zones, draws the percentile
// bands, says so when a quantity does not exist, follows the other side in a comparison,
// shares its axes there, and explains a bin under the mouse. Offscreen, no sleeps.
#include <QComboBox>
#include <QSpinBox>
#include <QTest>
#include <numeric>

#include "core/analysis/snapshot_builder.h"
#include "core/training/trainer.h"
#include "ui/dashboard.h"
#include "ui/plots/distributions_plot.h"
#include "ui/plots/plot_helpers.h"
#include "ui/training_worker.h"

using namespace gradflow;
using core::LayerQuantity;

namespace {

core::ExperimentConfig smallConfig(core::ActivationKind activation = core::ActivationKind::Tanh) {
    core::ExperimentConfig config;
    config.seed = 4;
    config.data.samples = 128;
    config.layers.assign(4, core::LayerSpec{});
    for (auto& layer : config.layers) {
        layer.width = 16;
        layer.activation.kind = activation;
    }
    config.training.batchSize = 32;
    return config;
}

core::ExperimentConfig recurrentConfig() {
    core::ExperimentConfig config;
    config.model = core::ModelKind::Recurrent;
    config.data.kind = core::DataKind::Adding;
    config.data.samples = 64;
    config.data.sequenceLength = 5;
    config.training.loss = core::LossKind::MeanSquaredError;
    config.training.batchSize = 16;
    config.recurrent.hiddenSize = 8;
    return config;
}

/// A snapshot after `steps` steps with the distributions of every step collected (as a
/// headless run does; the worker's time budget would skip most steps of a short run).
ui::SnapshotPtr trainedSnapshot(const core::ExperimentConfig& config, int steps) {
    auto trainer = core::Trainer::create(config);
    core::DistributionCollector collector;
    trainer->setStepInspector([&](std::int64_t step, const core::LayerValues& values) { collector.collect(step, values); });
    core::StepStats last;
    for (int i = 0; i < steps; ++i) last = trainer->step();
    trainer->setStepInspector({});
    return core::buildFullSnapshot(*trainer, &last, 1, -1, collector.latest());
}

double graphTotal(const QCPGraph* graph) {
    // Step graph: one point per bin plus the closing point, which repeats the last bin.
    double sum = 0;
    for (int i = 0; i + 1 < graph->dataCount(); ++i) {
        const double v = (graph->data()->constBegin() + i)->value;
        if (std::isfinite(v)) sum += v;
    }
    return sum;
}

}  // namespace

class TestDistributionsPlot : public QObject {
    Q_OBJECT
private slots:
    void workerSnapshotsCarryDistributions();
    void showsHistogramBandsAndZones();
    void gradientsOnLogAxisAndTooltip();
    void missingQuantityIsSaid();
    void comparisonSidesFollowAndShareAxes();
    void presenterAndDarkThemes();
};

void TestDistributionsPlot::workerSnapshotsCarryDistributions() {
    ui::TrainingWorker worker;
    worker.reset(smallConfig());
    QVERIFY(QTest::qWaitFor([&] { return worker.state() == ui::TrainingWorker::State::Paused; }, 20000));
    worker.takeUpdate();
    worker.step(5);
    QVERIFY(
        QTest::qWaitFor([&] { return worker.stepsDone() == 5 && worker.state() == ui::TrainingWorker::State::Paused; }, 20000));
    const auto update = worker.takeUpdate();
    QVERIFY(update.snapshot);
    QVERIFY(update.snapshot->distributions);
    const core::LayerDistributions& d = *update.snapshot->distributions;
    // Always the first step (the initialisation the view draws behind) and the last of a
    // step request (where the window stands); in between, by time.
    QCOMPARE(d.initial->step, std::int64_t(0));
    QCOMPARE(d.current->step, std::int64_t(4));
    QCOMPARE(d.depthUnits, 5);
}

void TestDistributionsPlot::showsHistogramBandsAndZones() {
    const ui::SnapshotPtr snapshot = trainedSnapshot(smallConfig(), 12);
    ui::DistributionsPlot view;
    view.resize(700, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showFrame(snapshot, core::TrainingHistory());
    view.setSelection(LayerQuantity::Preactivation, 2);
    view.replotNow();
    const core::LayerDistributions& d = *snapshot->distributions;
    const core::HistogramBins& bins = d.bins[core::quantityIndex(LayerQuantity::Preactivation)];
    QCOMPARE(view.currentGraph()->dataCount(), bins.count + 1);
    // What is drawn is the histogram: its inner counts, no more.
    const core::UnitHistogram* now = d.histogram(d.current.get(), LayerQuantity::Preactivation, 2);
    QVERIFY(now);
    const auto inner =
        std::accumulate(now->counts.begin() + bins.firstInner(), now->counts.begin() + bins.aboveBin(), std::int64_t(0));
    QCOMPARE(graphTotal(view.currentGraph()), double(inner));
    QVERIFY(view.initialGraph()->visible());
    QCOMPARE(view.currentGraph()->name(), QStringLiteral("step %1").arg(d.current->step + 1));
    // tanh: both tails shaded; the bands over the run end at the step shown.
    QCOMPARE(view.shadedZones(), 2);
    QVERIFY(view.medianGraph()->dataCount() >= 2);
    QCOMPARE((view.medianGraph()->data()->constEnd() - 1)->key, double(d.current->step + 1));
    // The axis is the fixed bins', whatever the data do.
    QCOMPARE(view.histogramRect()->axis(QCPAxis::atBottom)->range().lower, bins.lo);
    QCOMPARE(view.histogramRect()->axis(QCPAxis::atBottom)->range().upper, bins.hi);

    // ReLU: one shaded bin, the one holding 0, on the activations.
    const ui::SnapshotPtr relu = trainedSnapshot(smallConfig(core::ActivationKind::Relu), 3);
    view.showFrame(relu, core::TrainingHistory());
    view.setSelection(LayerQuantity::Activation, 1);
    view.replotNow();
    QCOMPARE(view.shadedZones(), 1);
    // A click on a bar in the gradient view picks the layer here (0-based there).
    view.selectUnit(3);
    QCOMPARE(view.unit(), 4);
}

void TestDistributionsPlot::gradientsOnLogAxisAndTooltip() {
    const ui::SnapshotPtr snapshot = trainedSnapshot(smallConfig(core::ActivationKind::Sigmoid), 4);
    ui::DistributionsPlot view;
    view.resize(700, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showFrame(snapshot, core::TrainingHistory());
    view.setSelection(LayerQuantity::WeightGrad, 1);
    view.replotNow();
    const core::HistogramBins& bins = snapshot->distributions->bins[core::quantityIndex(LayerQuantity::WeightGrad)];
    QVERIFY(bins.logarithmic());
    QCOMPARE(view.shadedZones(), 0);  // no saturation zones on gradients
    QVERIFY(view.histogramRect()->axis(QCPAxis::atBottom)->ticker().dynamicCast<ui::Log10Ticker>());
    // Hover the tallest bin: its range and its count.
    const core::UnitHistogram* now =
        snapshot->distributions->histogram(snapshot->distributions->current.get(), LayerQuantity::WeightGrad, 1);
    const auto tallest = std::max_element(now->counts.begin() + bins.firstInner(), now->counts.begin() + bins.aboveBin());
    const int inner = int(tallest - (now->counts.begin() + bins.firstInner()));
    const double middle = 0.5 * (bins.innerEdge(inner) + bins.innerEdge(inner + 1));
    QCPAxis* x = view.histogramRect()->axis(QCPAxis::atBottom);
    const QPoint pos(int(x->coordToPixel(middle)), view.histogramRect()->center().y());
    const QString tip = view.toolTipAt(pos);
    QVERIFY2(tip.contains(QStringLiteral("%1 of %2 values").arg(*tallest).arg(now->values)), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("magnitude")), qPrintable(tip));
}

void TestDistributionsPlot::missingQuantityIsSaid() {
    const ui::SnapshotPtr snapshot = trainedSnapshot(recurrentConfig(), 2);
    ui::DistributionsPlot view;
    view.resize(600, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showFrame(snapshot, core::TrainingHistory());
    view.setSelection(LayerQuantity::Weight, 3);
    view.replotNow();
    QCOMPARE(view.currentGraph()->dataCount(), 0);
    // The reason is on screen, in the view's empty-state text.
    bool said = false;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(view.plot()->item(i));
        if (text && text->visible() && text->text().contains(QStringLiteral("every time step"))) said = true;
    }
    QVERIFY(said);
    view.setSelection(LayerQuantity::ActivationGrad, 3);
    view.replotNow();
    QVERIFY(view.currentGraph()->dataCount() > 0);
}

void TestDistributionsPlot::comparisonSidesFollowAndShareAxes() {
    ui::Dashboard dashboard;
    dashboard.resize(1366, 700);
    dashboard.setComparison(true, QStringLiteral("tanh"), QStringLiteral("relu"));
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    core::TrainingHistory history;
    dashboard.showFrames(trainedSnapshot(smallConfig(), 6), history, trainedSnapshot(smallConfig(core::ActivationKind::Relu), 6),
                         history);
    auto* a = qobject_cast<ui::DistributionsPlot*>(dashboard.view(QStringLiteral("distributions")));
    QVERIFY(a);
    ui::DistributionsPlot* b = nullptr;
    for (ui::PlotView* v : dashboard.comparisonViews())
        if (v->name() == QLatin1String("distributions")) b = qobject_cast<ui::DistributionsPlot*>(v);
    QVERIFY(b);
    a->setSelection(LayerQuantity::Weight, 3);
    QCOMPARE(b->quantity(), LayerQuantity::Weight);
    QCOMPARE(b->unit(), 3);
    dashboard.showFrames(a->snapshot(), history, b->snapshot(), history);
    for (QCPAxis::AxisType type : {QCPAxis::atBottom, QCPAxis::atLeft}) {
        QCOMPARE(a->histogramRect()->axis(type)->range(), b->histogramRect()->axis(type)->range());
        QCOMPARE(a->bandRect()->axis(type)->range(), b->bandRect()->axis(type)->range());
    }
}

void TestDistributionsPlot::presenterAndDarkThemes() {
    ui::Dashboard dashboard;
    dashboard.resize(1366, 768);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    core::TrainingHistory history;
    dashboard.showFrame(trainedSnapshot(smallConfig(), 3), history);
    auto* view = qobject_cast<ui::DistributionsPlot*>(dashboard.view(QStringLiteral("distributions")));
    QVERIFY(view);
    dashboard.revealView(view);
    dashboard.setTheme(ui::ThemeKind::Dark);
    dashboard.setPresenterMode(true);
    view->replotNow();
    QVERIFY(view->isVisible());
    QVERIFY(view->currentGraph()->dataCount() > 0);
    QCOMPARE(view->theme().kind, ui::ThemeKind::Dark);
    QVERIFY(view->theme().presenter);
}

QTEST_MAIN(TestDistributionsPlot)
#include "tst_distributions_plot.moc"
