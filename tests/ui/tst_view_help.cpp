// Answers on screen: every view has a help page and a tooltip, the readouts' terms are
// explained where they are shown, the loss view draws the predict-the-mean baseline the
// recurrent lessons cite, clipped steps are marked, the heat map shows exact zeros as
// zeros (not as errors), and class dots stand out on their own decision region.

#include <QHelpEvent>
#include <QTest>
#include <QToolTip>
#include <cmath>

#include "core/data/dataset.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "plot_test_data.h"
#include "ui/dashboard.h"
#include "ui/plots/decision_boundary_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/phase_diagram_plot.h"
#include "ui/plots/spectrum_plot.h"
#include "ui/view_help.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

/// The centre of the first visible text item whose text contains `needle`, in plot pixels.
std::optional<QPoint> textItemCentre(QCustomPlot* plot, const QString& needle) {
    for (int i = 0; i < plot->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(plot->item(i));
        if (text && text->visible() && text->text().contains(needle))
            return ((text->topLeft->pixelPosition() + text->bottomRight->pixelPosition()) / 2).toPoint();
    }
    return std::nullopt;
}

/// WCAG contrast ratio of two colours (1 = same luminance, 21 = black on white).
double contrast(const QColor& a, const QColor& b) {
    const auto luminance = [](const QColor& c) {
        const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
    };
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

core::ExperimentConfig presetConfig(const char* name) {
    const core::Preset* preset = core::findPreset(name);
    return preset ? core::parseExperiment(preset->json).config : core::ExperimentConfig{};
}

void showAndReplot(PlotView& view) {
    view.resize(900, 560);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.replotNow();
}

}  // namespace

class TestViewHelp : public QObject {
    Q_OBJECT
private slots:
    void everyViewHasPageAndTooltip();
    void spectrumReadoutExplained();
    void phaseReadoutExplained();
    void toolTipEventShowsExplanation();
    void barTooltipSaturationIsAShare();
    void lossBaselineFromData();
    void clippedStepsMarked();
    void testCurvesExplained();
    void heatmapExactZerosAreNotErrors();
    void classDotsStandOut();
};

void TestViewHelp::everyViewHasPageAndTooltip() {
    Dashboard dashboard;
    for (PlotView* view : dashboard.views()) {
        const ViewHelp help = viewHelp(view->name());
        QCOMPARE(help.name, view->name());
        QVERIFY2(help.summary.size() > 80, qPrintable(view->name()));
        const QString page = viewHelpPage(view->name());
        // The four questions a student asks, each answered on the page.
        for (const char* part : {"What is drawn", "formula", "How to read", "healthy"})
            QVERIFY2(page.contains(QLatin1String(part), Qt::CaseInsensitive),
                     qPrintable(view->name() + QStringLiteral(": ") + QLatin1String(part)));
        // Over the bare plot, the tooltip is the view's summary.
        const QString tip = view->toolTipAt(QPoint(-100, -100));
        QVERIFY2(tip.contains(help.summary.toHtmlEscaped()), qPrintable(view->name()));
    }
    QVERIFY(viewHelpPage(QStringLiteral("spectrum")).contains(QStringLiteral("LSTM")));
    QVERIFY(viewHelpPage(QStringLiteral("no-such-view")).isEmpty());
}

void TestViewHelp::spectrumReadoutExplained() {
    SpectrumPlot view;
    view.showFrame(makeSnapshot(8, 10, 0.5), core::TrainingHistory{});
    showAndReplot(view);
    const auto centre = textItemCentre(view.plot(), QStringLiteral("log₁₀ condition"));
    QVERIFY(centre);
    const QString tip = view.toolTipAt(*centre);
    QVERIFY(tip.contains(QStringLiteral("σ_max / σ_min")));            // log₁₀ condition
    QVERIFY(tip.contains(QStringLiteral("between 0.5 and 2")));        // within ×2 of 1
    QVERIFY(tip.contains(QStringLiteral("typical end-to-end gain")));  // mean log₁₀σ
    // The histogram's axis title: what "fraction of σ per … decade" means.
    QCPAxisRect* rect = view.plot()->yAxis->axisRect();
    QPoint onTitle;
    for (int x = rect->left() - 1; x >= 0 && onTitle.isNull(); --x)
        if (view.textAt(QPoint(x, rect->center().y())).contains(QStringLiteral("fraction of σ")))
            onTitle = QPoint(x, rect->center().y());
    QVERIFY(!onTitle.isNull());
    QVERIFY(view.toolTipAt(onTitle).contains(QStringLiteral("heights add up to 1")));
}

void TestViewHelp::phaseReadoutExplained() {
    PhaseDiagramPlot view;
    view.showFrame(makeSnapshot(8, 10, 0.2), core::TrainingHistory{});
    showAndReplot(view);
    const auto centre = textItemCentre(view.plot(), QStringLiteral("this network"));
    QVERIFY(centre);
    const QString tip = view.toolTipAt(*centre);
    QVERIFY(tip.contains(QStringLiteral("χ₁ = σ_w² E[φ′(z)²]")));
    QVERIFY(tip.contains(QStringLiteral("Depth scale")));  // "e-fold every … layers"
}

void TestViewHelp::toolTipEventShowsExplanation() {
    SpectrumPlot view;
    view.showFrame(makeSnapshot(8, 10, 0.5), core::TrainingHistory{});
    showAndReplot(view);
    const auto centre = textItemCentre(view.plot(), QStringLiteral("log₁₀ condition"));
    QVERIFY(centre);
    QHelpEvent event(QEvent::ToolTip, *centre, view.plot()->mapToGlobal(*centre));
    QApplication::sendEvent(view.plot(), &event);
    QVERIFY(QTest::qWaitFor([] { return QToolTip::isVisible(); }, 2000));
    QVERIFY(QToolTip::text().contains(QStringLiteral("σ_max / σ_min")));
    QToolTip::hideText();
}

void TestViewHelp::barTooltipSaturationIsAShare() {
    GradientBarsPlot view;
    auto snapshot = makeSnapshot(8, 10, 0.5);
    view.showFrame(snapshot, core::TrainingHistory{});
    showAndReplot(view);
    // Layer 1's saturation is exactly 0 in the test data: no saturated unit, not an underflow.
    const QPoint bar(int(view.plot()->xAxis->coordToPixel(1.0)), view.plot()->axisRect()->center().y());
    QTest::mouseMove(view.plot(), bar);
    QVERIFY(QTest::qWaitFor([] { return QToolTip::isVisible(); }, 2000));
    QVERIFY(QToolTip::text().contains(QStringLiteral("saturation = 0.0% of units")));
    QVERIFY(!QToolTip::text().contains(QStringLiteral("saturation = underflow")));
    QToolTip::hideText();
}

void TestViewHelp::lossBaselineFromData() {
    // The adding problem: targets are sums of two U(0, 1) numbers, variance 2/12.
    auto snapshot = makeSnapshot(4, 30, 0.5);
    snapshot->config = presetConfig("rnn-adding-forgets");
    QCOMPARE(snapshot->config.data.kind, core::DataKind::Adding);
    snapshot->dataset = std::make_shared<core::Dataset>(core::generateDataset(snapshot->config.data, 7));
    core::TrainingHistory history;
    fillHistory(history, 4, 30, 0.5);
    LossPlot view;
    view.showFrame(snapshot, history);
    const auto baseline = view.baselineGraph()->data();
    QCOMPARE(baseline->size(), 2);
    // The loss view plots log10 of the loss (its axis labels the decades).
    const double value = std::pow(10.0, baseline->begin()->value);
    QVERIFY2(std::abs(value - 1.0 / 6.0) < 0.02, qPrintable(QString::number(value)));
    QVERIFY(view.plot()->yAxis->range().contains(baseline->begin()->value));
    QVERIFY(view.baselineGraph()->name().contains(QStringLiteral("baseline")));
    QVERIFY(view.plot()->legend->hasItemWithPlottable(view.baselineGraph()));

    // Classification: the chance accuracy is the reference, no loss baseline.
    LossPlot spiral;
    spiral.showFrame(makeSnapshot(4, 30, 0.5), history);
    QVERIFY(spiral.baselineGraph()->data()->isEmpty());
    QVERIFY(!spiral.plot()->legend->hasItemWithPlottable(spiral.baselineGraph()));
}

void TestViewHelp::testCurvesExplained() {
    // Hovering a test curve's legend entry explains what "test" means, once per entry.
    for (const QString& entry : {QStringLiteral("test loss"), QStringLiteral("test accuracy")}) {
        const QStringList explanations = glossaryFor(entry);
        QCOMPARE(explanations.size(), 1);
        QVERIFY2(explanations.front().contains(QStringLiteral("held-out samples it never trains on")), qPrintable(entry));
    }
    QVERIFY(viewHelp(QStringLiteral("loss")).summary.contains(QStringLiteral("held-out test set")));
}

void TestViewHelp::clippedStepsMarked() {
    core::TrainingHistory history;
    for (int s = 0; s < 40; ++s) {
        core::StepStats stats = makeStats(s, 6, 0.5);
        stats.clipped = s % 10 == 3;  // steps 4, 14, 24, 34 in the views' 1-based numbering
        history.append(stats);
    }
    const auto snapshot = makeSnapshot(6, 39, 0.5);
    const QVector<double> expected{4, 14, 24, 34};
    LossPlot loss;
    loss.showFrame(snapshot, history);
    GradientHeatmap heatmap;
    heatmap.showFrame(snapshot, history);
    for (QCustomPlot* plot : {loss.plot(), heatmap.plot()}) {
        QCPAxis* top = plot->xAxis2;
        QVERIFY(top->visible());
        auto ticker = top->ticker().dynamicCast<QCPAxisTickerText>();
        QVERIFY(ticker);
        QCOMPARE(QVector<double>(ticker->ticks().keys()), expected);
        QCOMPARE(top->range(), plot->xAxis->range());  // ticks line up with the steps below
        QVERIFY(top->label().contains(QStringLiteral("clipped")));
    }
    // A run without clipping shows no clip axis.
    core::TrainingHistory clean;
    fillHistory(clean, 6, 40, 0.5);
    loss.clear();
    loss.showFrame(snapshot, clean);
    QVERIFY(!loss.plot()->xAxis2->visible());
}

void TestViewHelp::heatmapExactZerosAreNotErrors() {
    // A recurrent net: the first time step's weight gradient is exactly 0 (h₀ = 0).
    core::TrainingHistory history;
    for (int s = 0; s < 20; ++s) {
        core::StepStats stats = makeStats(s, 6, 0.5);
        stats.layers[0].weightGradNorm = 0.0;
        history.append(stats);
    }
    GradientHeatmap view;
    view.showFrame(makeSnapshot(6, 19, 0.5), history);
    showAndReplot(view);
    QCPColorMapData* zeros = view.zeroMap()->data();
    QVERIFY(view.zeroMap()->visible());
    for (int c = 0; c < zeros->keySize(); ++c) {
        QCOMPARE(zeros->cell(c, 0), 1.0);
        for (int r = 1; r < zeros->valueSize(); ++r) QVERIFY(std::isnan(zeros->cell(c, r)));
    }
    // Drawn in the neutral zero colour, over the map; only the zero note is shown.
    QCOMPARE(QColor::fromRgba(view.zeroMap()->gradient().color(1.0, QCPRange(0, 2))), view.theme().zeroColor);
    QVERIFY(view.zeroMap()->gradient().nanHandling() == QCPColorGradient::nhTransparent);
    QCOMPARE(view.zeroMap()->layer(), view.colorMap()->layer());
    const QList<QCPLayerable*> drawOrder = view.colorMap()->layer()->children();
    QVERIFY(drawOrder.indexOf(view.zeroMap()) > drawOrder.indexOf(view.colorMap()));
    QVERIFY(textItemCentre(view.plot(), QStringLiteral("exactly 0")));
    QVERIFY(!textItemCentre(view.plot(), QStringLiteral("not finite")));
    QVERIFY(view.toolTipAt(*textItemCentre(view.plot(), QStringLiteral("exactly 0"))).contains(QStringLiteral("h₀ = 0")));

    // A step that overflows still shows as not finite, in its own colour.
    history.append(makeStats(20, 6, 0.5, true));
    view.showFrame(makeSnapshot(6, 20, 0.5, true), history);
    view.replotNow();
    QVERIFY(textItemCentre(view.plot(), QStringLiteral("not finite")));
    QVERIFY(textItemCentre(view.plot(), QStringLiteral("exactly 0")));
    QVERIFY(view.theme().zeroColor != view.theme().nanColor);
}

void TestViewHelp::classDotsStandOut() {
    for (const ThemeKind kind : {ThemeKind::Light, ThemeKind::Dark}) {
        DecisionBoundaryPlot view;
        view.setTheme(Theme::make(kind, false));
        view.showFrame(makeSnapshot(6, 10, 0.5), core::TrainingHistory{});
        QCPColorMap* regions = nullptr;
        QList<QCPGraph*> classes;
        for (int i = 0; i < view.plot()->plottableCount(); ++i) {
            QCPAbstractPlottable* p = view.plot()->plottable(i);
            if (auto* map = qobject_cast<QCPColorMap*>(p)) regions = map;
            if (auto* graph = qobject_cast<QCPGraph*>(p); graph && graph->name().startsWith(QStringLiteral("class ")))
                classes << graph;
        }
        QVERIFY(regions);
        QCOMPARE(classes.size(), 2);
        const QCPRange range = regions->dataRange();
        for (QCPGraph* dots : classes) {
            const QColor rim = dots->scatterStyle().pen().color();
            // Against every class's most confident (strongest) region colour.
            for (int k = 0; k < 2; ++k) {
                const QColor region = QColor::fromRgba(regions->gradient().color(k + 0.999, range));
                QVERIFY2(contrast(rim, region) >= 3.0,
                         qPrintable(QStringLiteral("%1 on region %2: %3").arg(dots->name()).arg(k).arg(contrast(rim, region))));
            }
        }
    }
}

QTEST_MAIN(TestViewHelp)
#include "tst_view_help.moc"
