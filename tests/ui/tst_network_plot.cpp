// The Network view: an edge's width and colour follow its weight's gradient (or the weight)
// on the run's fixed scale, and stay put between frames; layers switch from nodes to a
// block past 16 units; every residual skip is an arc; the exported figure shows the edges
// where the layout put them; and a click on a layer picks it in the other views.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "core/analysis/snapshot_builder.h"
#include "core/training/trainer.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/distributions_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/network_plot.h"
#include "ui/plots/plot_geometry.h"

using namespace gradflow;
using namespace gradflow::ui;

namespace {

const QColor kViridisLow(0x44, 0x01, 0x54), kViridisHigh(0xfd, 0xe7, 0x25);
const QColor kNegative(0x21, 0x66, 0xac), kPositive(0xb2, 0x18, 0x2b), kZero(0xf7, 0xf7, 0xf7);

bool near(double a, double b) { return std::abs(a - b) < 1e-9; }

/// Within QCustomPlot's colour table steps (it looks colours up in 350 levels).
bool near(const QColor& a, const QColor& b) {
    return std::abs(a.red() - b.red()) <= 2 && std::abs(a.green() - b.green()) <= 2 && std::abs(a.blue() - b.blue()) <= 2;
}

/// A layer whose W(i, j) and dL/dW(i, j) are given (column-major, units x inputs).
core::PictureLayer layer(int units, int inputs, std::vector<double> weights, std::vector<double> grads) {
    core::PictureLayer l;
    l.units = units;
    l.inputs = inputs;
    l.detailed = units <= core::kMaxDrawnUnits && inputs <= core::kMaxDrawnUnits;
    l.weights = std::move(weights);
    l.weightGrads = std::move(grads);
    l.weightRms = l.weightGradRms = l.activationGradNorm = 1e-2;
    return l;
}

/// Input 2 -> 3 units -> output 1, gradients on a [1e-4, 1] scale.
core::NetworkPicture smallPicture() {
    core::NetworkPicture p;
    p.step = 4;
    p.inputDimension = 2;
    p.outputDimension = 1;
    p.scale = {-4.0, 0.0, 1.0};
    p.layers.push_back(layer(3, 2, {0.5, -1.0, 0.0, 2.0, -0.25, 1.0}, {1e-4, 1e-2, 1.0, 1e3, 0.0, std::nan("")}));
    p.layers.push_back(layer(1, 3, {0.1, 0.2, 0.3}, {1e-3, 1e-3, 1e-3}));
    return p;
}

LayoutInputs inputsFor(EdgeEncoding encoding, const QRectF& area = QRectF(0, 0, 600, 400)) {
    LayoutInputs in;
    in.area = area;
    in.encoding = encoding;
    in.theme = Theme::make(ThemeKind::Light, false);
    in.magnitudeColors = magnitudeGradient(in.theme);
    in.weightColors = divergingGradient(in.theme);
    return in;
}

const DiagramEdge* edgeOf(const NetworkLayout& l, int unit, int row, int column) {
    for (const DiagramEdge& e : l.edges)
        if (e.unit == unit && e.row == row && e.column == column) return &e;
    return nullptr;
}

core::ExperimentConfig spiralConfig(std::vector<int> widths) {
    core::ExperimentConfig c;
    c.seed = 4;
    c.data.samples = 128;
    c.training.batchSize = 32;
    c.layers.clear();
    for (int w : widths) {
        core::LayerSpec l;
        l.width = w;
        l.activation.kind = core::ActivationKind::Tanh;
        c.layers.push_back(l);
    }
    return c;
}

/// A snapshot after `steps` steps with every step's distributions and picture collected.
SnapshotPtr trainedSnapshot(const core::ExperimentConfig& config, int steps) {
    auto trainer = core::Trainer::create(config);
    core::DistributionCollector collector(config);
    trainer->setStepInspector([&](std::int64_t step, const core::LayerValues& values) { collector.collect(step, values); });
    core::StepStats last;
    for (int i = 0; i < steps; ++i) last = trainer->step();
    trainer->setStepInspector({});
    return core::buildFullSnapshot(*trainer, &last, 1, -1, collector.latest());
}

/// `base` with its picture replaced.
SnapshotPtr withPicture(const SnapshotPtr& base, core::NetworkPicture picture) {
    auto distributions = std::make_shared<core::LayerDistributions>(*base->distributions);
    distributions->network = std::make_shared<const core::NetworkPicture>(std::move(picture));
    auto s = std::make_shared<Snapshot>(*base);
    s->distributions = distributions;
    return s;
}

}  // namespace

class TestNetworkPlot : public QObject {
    Q_OBJECT
private slots:
    void gradientEncoding();
    void weightEncoding();
    void edgesJoinTheirUnits();
    void scaleStaysBetweenFrames();
    void narrowAndWideLayers();
    void residualSkipsAreArcs();
    void exportDrawsTheLayout();
    void clickSelectsEverywhere();
};

void TestNetworkPlot::gradientEncoding() {
    const Theme theme = Theme::make(ThemeKind::Light, false);
    QCPColorGradient colors = magnitudeGradient(theme);
    const core::PictureScale scale{-4.0, 0.0, 1.0};
    // Bottom of the scale (and 0, and anything below): thinnest, darkest.
    for (double g : {1e-4, 1e-9, -1e-4}) {
        const EdgeStyle s = gradientEdgeStyle(scale, g, colors, theme);
        QVERIFY(near(s.width, kThinnestEdge));
        QCOMPARE(s.color, kViridisLow);
    }
    // Exactly 0 (a dead unit's weights): thinnest, in the neutral grey the heat map uses.
    const EdgeStyle zero = gradientEdgeStyle(scale, 0.0, colors, theme);
    QVERIFY(near(zero.width, kThinnestEdge));
    QCOMPARE(zero.color, theme.zeroColor);
    // Top (and beyond): thickest, brightest.
    for (double g : {1.0, 1e3, -5.0}) {
        const EdgeStyle s = gradientEdgeStyle(scale, g, colors, theme);
        QVERIFY(near(s.width, kThickestEdge));
        QCOMPARE(s.color, kViridisHigh);
    }
    // Half way in decades is half way in width.
    QVERIFY(near(gradientEdgeStyle(scale, 1e-2, colors, theme).width, (kThinnestEdge + kThickestEdge) / 2));
    QVERIFY(near(logScalePosition(scale, 1e-3), 0.25));
    // Not finite: full width in the warning colour, never a colour of the scale.
    for (double g : {std::nan(""), HUGE_VAL}) {
        const EdgeStyle s = gradientEdgeStyle(scale, g, colors, theme);
        QVERIFY(near(s.width, kThickestEdge));
        QCOMPARE(s.color, theme.warning);
    }
    // Presenter mode: wider pens, same colours.
    const Theme presenter = Theme::make(ThemeKind::Light, true);
    QVERIFY(gradientEdgeStyle(scale, 1e-2, colors, presenter).width > gradientEdgeStyle(scale, 1e-2, colors, theme).width);
}

void TestNetworkPlot::weightEncoding() {
    const Theme theme = Theme::make(ThemeKind::Light, false);
    QCPColorGradient colors = divergingGradient(theme);
    const core::PictureScale scale{-4.0, 0.0, 2.0};
    const EdgeStyle positive = weightEdgeStyle(scale, 2.0, colors, theme);
    const EdgeStyle negative = weightEdgeStyle(scale, -3.0, colors, theme);
    const EdgeStyle zero = weightEdgeStyle(scale, 0.0, colors, theme);
    QCOMPARE(positive.color, kPositive);
    QCOMPARE(negative.color, kNegative);
    QVERIFY2(near(zero.color, kZero), qPrintable(zero.color.name()));
    QVERIFY(near(positive.width, kThickestEdge));
    QVERIFY(near(negative.width, kThickestEdge));
    QVERIFY(near(zero.width, kThinnestEdge));
    QVERIFY(near(weightEdgeStyle(scale, -1.0, colors, theme).width, (kThinnestEdge + kThickestEdge) / 2));
}

void TestNetworkPlot::edgesJoinTheirUnits() {
    const core::NetworkPicture p = smallPicture();
    const NetworkLayout l = layOutNetwork(p, inputsFor(EdgeEncoding::WeightGradient));
    QCOMPARE(l.edges.size(), std::size_t(6 + 3));
    // W(i, j) of layer 1 runs from input node j to unit i and shows dL/dW(i, j).
    const DiagramColumn* input = l.column(0);
    const DiagramColumn* hidden = l.column(1);
    QVERIFY(input && hidden);
    for (int j = 0; j < 2; ++j) {
        for (int i = 0; i < 3; ++i) {
            const DiagramEdge* e = edgeOf(l, 1, i, j);
            QVERIFY(e);
            QVERIFY(near(e->from.y(), input->nodes[std::size_t(j)].centre.y()));
            QVERIFY(near(e->to.y(), hidden->nodes[std::size_t(i)].centre.y()));
            const double g = p.layers[0].weightGrads[std::size_t(i + 3 * j)];
            QVERIFY(e->value == g || (std::isnan(e->value) && std::isnan(g)));
        }
    }
    QCOMPARE(edgeOf(l, 1, 0, 0)->style.color, kViridisLow);                                   // 1e-4: the bottom
    QCOMPARE(edgeOf(l, 1, 2, 0)->style.color, kViridisHigh);                                  // 1: the top
    QCOMPARE(edgeOf(l, 1, 2, 1)->style.color, Theme::make(ThemeKind::Light, false).warning);  // NaN
    // Thin edges are drawn first, so a thick one is never hidden under them.
    for (std::size_t k = 1; k < l.edges.size(); ++k) QVERIFY(l.edges[k - 1].style.width <= l.edges[k].style.width);
    // The weights instead: W(1, 0) = -1 is blue, W(0, 1) = 2 red.
    const NetworkLayout w = layOutNetwork(p, inputsFor(EdgeEncoding::Weight));
    QCOMPARE(edgeOf(w, 1, 1, 0)->style.color, kNegative);
    QCOMPARE(edgeOf(w, 1, 0, 1)->style.color, kPositive);
}

void TestNetworkPlot::scaleStaysBetweenFrames() {
    const SnapshotPtr base = trainedSnapshot(spiralConfig({4}), 2);
    NetworkPlot view;
    view.resize(700, 450);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    core::NetworkPicture first = smallPicture();
    core::NetworkPicture second = first;
    second.step = 40;
    // A hundred times smaller gradients later in the run; the scale the collector carries
    // is the same, so the view must not stretch its colours over the new ones.
    for (core::PictureLayer& l : second.layers)
        for (double& g : l.weightGrads) g *= 1e-2;
    view.showFrame(withPicture(base, first), core::TrainingHistory());
    view.replotNow();
    const QCPRange range = view.colorScale()->dataRange();
    const EdgeStyle before = edgeOf(view.diagramLayout(), 2, 0, 0)->style;  // 1e-3
    view.showFrame(withPicture(base, second), core::TrainingHistory());
    view.replotNow();
    QCOMPARE(view.colorScale()->dataRange().lower, range.lower);
    QCOMPARE(view.colorScale()->dataRange().upper, range.upper);
    QCOMPARE(range.lower, -4.0);
    QCOMPARE(range.upper, 0.0);
    const EdgeStyle after = edgeOf(view.diagramLayout(), 2, 0, 0)->style;  // 1e-5: below the scale
    QVERIFY(after.width < before.width);
    QCOMPARE(after.color, kViridisLow);
    QVERIFY(before.color != kViridisLow);
}

void TestNetworkPlot::narrowAndWideLayers() {
    core::NetworkPicture p;
    p.inputDimension = 2;
    p.outputDimension = 2;
    p.layers.push_back(layer(16, 2, std::vector<double>(32, 0.1), std::vector<double>(32, 1e-3)));
    p.layers.push_back(layer(17, 16, {}, {}));
    p.layers.push_back(layer(2, 17, {}, {}));
    const NetworkLayout l = layOutNetwork(p, inputsFor(EdgeEncoding::WeightGradient, QRectF(0, 0, 800, 500)));
    QCOMPARE(l.columns.size(), std::size_t(4));
    QVERIFY(!l.columns[1].block);
    QCOMPARE(l.columns[1].nodes.size(), std::size_t(16));
    QVERIFY(l.columns[2].block);
    QCOMPARE(l.columns[2].width, 17);
    QVERIFY(l.columns[2].nodes.empty());
    QVERIFY(!l.columns[3].block);
    // 32 edges into the 16 units, then one band into and one out of the wide layer.
    int bands = 0, edges = 0;
    for (const DiagramEdge& e : l.edges) (e.band ? bands : edges)++;
    QCOMPARE(edges, 32);
    QCOMPARE(bands, 2);
}

void TestNetworkPlot::residualSkipsAreArcs() {
    const SnapshotPtr plain = trainedSnapshot(spiralConfig({8, 8, 8, 8, 8, 8}), 1);
    // Odd layers wide (blocks), even ones narrow (nodes): skips join the odd ones, so arcs
    // start and land on blocks, and the edges between them go to and from nodes.
    core::ExperimentConfig residual = spiralConfig({20, 8, 20, 8, 20, 8, 20});
    residual.residual.every = 2;  // groups [2,3], [4,5], [6,7]
    residual.layers[2].batchNorm = true;
    const SnapshotPtr skipping = trainedSnapshot(residual, 1);
    NetworkPlot view;
    view.resize(900, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.showFrame(plain, core::TrainingHistory());
    view.replotNow();
    QCOMPARE(view.diagramLayout().arcs.size(), std::size_t(0));
    view.showFrame(skipping, core::TrainingHistory());
    view.replotNow();
    const NetworkLayout& l = view.diagramLayout();
    QCOMPARE(l.arcs.size(), std::size_t(3));
    const std::pair<int, int> expected[] = {{1, 3}, {3, 5}, {5, 7}};
    for (std::size_t k = 0; k < 3; ++k) {
        QCOMPARE(l.arcs[k].from, expected[k].first);
        QCOMPARE(l.arcs[k].to, expected[k].second);
        QVERIFY(l.arcs[k].top < l.column(l.arcs[k].to)->box.top());
    }
    QCOMPARE(l.column(3)->normalisation, QStringLiteral("BN"));
    QVERIFY(l.column(2)->normalisation.isEmpty());
}

void TestNetworkPlot::exportDrawsTheLayout() {
    QTemporaryDir dir;
    const SnapshotPtr snapshot = trainedSnapshot(spiralConfig({8, 8}), 5);
    Dashboard dashboard;
    dashboard.showFrame(snapshot, core::TrainingHistory());
    auto* view = qobject_cast<NetworkPlot*>(dashboard.view(QStringLiteral("network")));
    QVERIFY(view);
    ExportOptions o;
    o.size = QSize(900, 560);
    o.caption = false;
    const QString path = dir.filePath(QStringLiteral("network.png"));
    QCOMPARE(exportView(*view, path, o), QString());
    // Right after the export the plot is still laid out at the figure's size.
    const QStringList problems = figureGeometryProblems(*view->plot());
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    const NetworkLayout& l = view->diagramLayout();
    QCOMPARE(l.columns.size(), std::size_t(4));
    QCOMPARE(l.edges.size(), std::size_t(2 * 8 + 8 * 8 + 8 * 2));
    QImage image(path);
    QCOMPARE(image.size(), QSize(900, 560));
    // The thickest edge's colour is in the file, at the middle of the edge as laid out
    // (away from its ends, where other edges cross at the nodes).
    const DiagramEdge& thickest = l.edges.back();
    QVERIFY(thickest.style.width >= 2.0);
    const QPointF middle = pointOnEdge(thickest, 0.5);
    bool found = false;
    for (int dy = -1; dy <= 1 && !found; ++dy) {
        for (int dx = -1; dx <= 1 && !found; ++dx) {
            const QColor c = image.pixelColor(int(middle.x()) + dx, int(middle.y()) + dy);
            found = std::abs(c.red() - thickest.style.color.red()) + std::abs(c.green() - thickest.style.color.green()) +
                        std::abs(c.blue() - thickest.style.color.blue()) <
                    40;
        }
    }
    QVERIFY2(found,
             qPrintable(QStringLiteral("no %1 near (%2, %3)").arg(thickest.style.color.name()).arg(middle.x()).arg(middle.y())));
    // And the empty state exports too (no picture yet).
    NetworkPlot empty;
    QCOMPARE(exportView(empty, dir.filePath(QStringLiteral("empty.png")), o), QString());
}

void TestNetworkPlot::clickSelectsEverywhere() {
    const SnapshotPtr snapshot = trainedSnapshot(spiralConfig({8, 8, 8}), 3);
    Dashboard dashboard;
    dashboard.resize(1366, 768);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    auto* view = qobject_cast<NetworkPlot*>(dashboard.view(QStringLiteral("network")));
    dashboard.revealView(view);
    dashboard.showFrame(snapshot, core::TrainingHistory());
    QVERIFY(QTest::qWaitFor([view] { return view->isVisible() && view->plot()->width() > 200; }));
    view->replotNow();
    QSignalSpy picked(&dashboard, &Dashboard::unitSelected);
    // Layer 2's column (0-based unit 1).
    const DiagramColumn* column = view->diagramLayout().column(2);
    QVERIFY(column);
    QTest::mouseClick(view->plot(), Qt::LeftButton, {}, column->box.center().toPoint());
    QCOMPARE(picked.count(), 1);
    QCOMPARE(picked.front().front().toInt(), 1);
    QCOMPARE(view->selectedUnit(), 1);
    QCOMPARE(qobject_cast<GradientBarsPlot*>(dashboard.view(QStringLiteral("gradients")))->selectedUnit(), 1);
    QCOMPARE(qobject_cast<DistributionsPlot*>(dashboard.view(QStringLiteral("distributions")))->unit(), 2);
    // The input column picks nothing; a bar clicked in the gradient view is outlined here.
    QTest::mouseClick(view->plot(), Qt::LeftButton, {}, view->diagramLayout().column(0)->box.center().toPoint());
    QCOMPARE(picked.count(), 1);
    qobject_cast<GradientBarsPlot*>(dashboard.view(QStringLiteral("gradients")))->selectUnit(3);
    QCOMPARE(view->selectedUnit(), 3);
}

QTEST_MAIN(TestNetworkPlot)
#include "tst_network_plot.moc"
