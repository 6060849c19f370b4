// A comparison is a fair A/B: one control drives both sides, both spectra are binned on
// the same edges, both sides' plotting areas line up, and at 1366x768 every visible view
// keeps a readable size with nothing cut (titles, legends, tab labels). Stopping a
// comparison drops B and leaves A where it stood.
#include <QComboBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QtTest>

#include "plot_test_data.h"
#include "tests/support/exact_compare.h"
#include "ui/dashboard.h"
#include "ui/layer_stack_editor.h"
#include "ui/main_window.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/spectrum_plot.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;
using State = TrainingWorker::State;

namespace {

/// A comparison settles two runs with fresh Jacobian spectra: seconds under AddressSanitizer.
constexpr int kSlowWaitMs = 180000;

/// The dashboard's share of a 1366x768 window with the lesson dock beside it.
const QSize kDashboardAt1366(1010, 680);

QComboBox* selectorOf(PlotView* view) { return view->findChild<QComboBox*>(); }

/// Where a plot's axis rects sit in the dashboard, so both sides can be compared.
QList<QRect> axisRectsIn(const Dashboard& d, PlotView* view) {
    QList<QRect> out;
    const QPoint origin = view->plot()->mapTo(&d, QPoint(0, 0));
    for (QCPAxisRect* rect : view->plot()->axisRects()) out << rect->rect().translated(origin);
    return out;
}

/// Every title, sub-title and legend entry of a drawn plot lies inside the plot and is at
/// least as wide as its text: nothing is cut or runs over its neighbour.
void verifyTextFits(PlotView* view) {
    QCustomPlot* p = view->plot();
    const QRect viewport = p->viewport();
    const QString where = view->name() + QLatin1Char('@') + QString::number(p->width());
    for (QCPLayoutElement* e : p->plotLayout()->elements(true)) {
        if (!e || !e->visible() || !e->realVisibility()) continue;
        if (auto* text = qobject_cast<QCPTextElement*>(e)) {
            if (text->text().isEmpty()) continue;
            int width = 0;
            for (const QString& line : text->text().split(QLatin1Char('\n')))
                width = std::max(width, QFontMetrics(text->font()).horizontalAdvance(line));
            QVERIFY2(
                width <= text->rect().width(),
                qPrintable(where +
                           QStringLiteral(": \"%1\" is %2 px in %3 px").arg(text->text()).arg(width).arg(text->rect().width())));
            QVERIFY2(viewport.contains(text->outerRect()), qPrintable(where + QStringLiteral(": ") + text->text()));
        } else if (auto* item = qobject_cast<QCPAbstractLegendItem*>(e)) {
            QVERIFY2(viewport.contains(item->outerRect()), qPrintable(where + QStringLiteral(": legend entry outside")));
            QVERIFY2(item->minimumOuterSizeHint().width() <= item->outerRect().width(),
                     qPrintable(where + QStringLiteral(": legend entry squeezed")));
        }
    }
}

/// Every visible tab label shows whole and the bar needs no scroll buttons.
void verifyTabsFit(QTabWidget* tabs) {
    QTabBar* bar = tabs->tabBar();
    for (QToolButton* button : bar->findChildren<QToolButton*>()) QVERIFY2(!button->isVisible(), "tab scroll buttons");
    for (int i = 0; i < bar->count(); ++i) {
        if (!bar->isTabVisible(i)) continue;
        const QRect r = bar->tabRect(i);
        QVERIFY2(r.left() >= 0 && r.right() < bar->width(), qPrintable(bar->tabText(i)));
        QVERIFY2(QFontMetrics(bar->font()).horizontalAdvance(bar->tabText(i)) < r.width(), qPrintable(bar->tabText(i)));
    }
}

}  // namespace

class TestComparison : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void oneStatisticDrivesBothSides();
    void spectrumBinsAndScalesShared();
    void sidesLineUpAt1366_data();
    void sidesLineUpAt1366();
    void windowAt1366KeepsTextWhole_data();
    void windowAt1366KeepsTextWhole();
    void stopComparingKeepsSideA();
};

void TestComparison::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
    QCoreApplication::setOrganizationName(QStringLiteral("GradFlowTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_comparison"));
}

void TestComparison::oneStatisticDrivesBothSides() {
    Dashboard d;
    d.setComparison(true, QStringLiteral("without batch norm"), QStringLiteral("with batch norm"));
    auto* barsA = qobject_cast<GradientBarsPlot*>(d.views()[0]);
    auto* barsB = qobject_cast<GradientBarsPlot*>(d.comparisonViews()[0]);
    QVERIFY(barsA && barsB);
    // The user picks a statistic on either side: both show it, selectors and axes alike.
    QComboBox* selectorA = selectorOf(barsA);
    selectorA->setCurrentIndex(selectorA->findData(int(UnitStatistic::ActivationGradient)));
    QCOMPARE(barsB->statistic(), UnitStatistic::ActivationGradient);
    QCOMPARE(selectorOf(barsB)->currentIndex(), selectorA->currentIndex());
    QCOMPARE(barsB->plot()->yAxis->label(), barsA->plot()->yAxis->label());
    QComboBox* selectorB = selectorOf(barsB);
    selectorB->setCurrentIndex(selectorB->findData(int(UnitStatistic::UpdateRatio)));
    QCOMPARE(barsA->statistic(), UnitStatistic::UpdateRatio);

    auto* heatA = qobject_cast<GradientHeatmap*>(d.views()[1]);
    auto* heatB = qobject_cast<GradientHeatmap*>(d.comparisonViews()[1]);
    QVERIFY(heatA && heatB);
    QComboBox* colourA = selectorOf(heatA);
    colourA->setCurrentIndex(colourA->findData(int(UnitStatistic::ActivationGradient)));
    QCOMPARE(heatB->statistic(), UnitStatistic::ActivationGradient);
    QCOMPARE(selectorOf(heatB)->currentIndex(), colourA->currentIndex());
    QCOMPARE(heatB->colorScale()->axis()->label(), heatA->colorScale()->axis()->label());
}

void TestComparison::spectrumBinsAndScalesShared() {
    Dashboard d;
    d.resize(kDashboardAt1366);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setComparison(true, QStringLiteral("A"), QStringLiteral("B"));
    // A: a near-isometric spectrum (quarter-decade bins alone); B: 40 decades (wide bins).
    auto a = makeSnapshot(8, 19, 0.9);
    auto b = makeSnapshot(8, 19, 0.1);
    auto narrow = std::make_shared<core::JacobianSpectrum>(*a->spectrum);
    narrow->log10SingularValues = {{0.3, 0.1, -0.2, -0.6}, {0.2, 0.0, -0.4, -0.9}};
    a->spectrum = narrow;
    auto wide = std::make_shared<core::JacobianSpectrum>(*b->spectrum);
    wide->log10SingularValues = {{0.5, -3.0, -12.0, -25.0, -39.5}, {0.1, -6.0, -18.0, -30.0, -38.0}};
    b->spectrum = wide;
    // B's selected layer has eigenvalues ten times as large as A's.
    b->selectedUnitSpectrum->eigenvalues = {{12.0, 0.0}, {-3.0, 4.0}, {-3.0, -4.0}};
    b->selectedUnitSpectrum->spectralRadius = 12.0;
    b->selectedUnitSpectrum->maxSingularValue = 13.0;
    core::TrainingHistory ha, hb;
    fillHistory(ha, 8, 20, 0.9);
    fillHistory(hb, 8, 20, 0.1);
    d.showFrames(a, ha, b, hb);

    auto* specA = qobject_cast<SpectrumPlot*>(d.view(QStringLiteral("spectrum")));
    auto* specB = qobject_cast<SpectrumPlot*>(d.comparisonViews()[2]);
    QVERIFY(specA && specB);
    QCOMPARE(specA->binWidth(), specB->binWidth());
    QVERIFY(specA->binWidth() > SpectrumPlot::kMinBinDecades);  // B's 40 decades decide
    // Identical edges: every bar of either side is centred on the same grid.
    for (SpectrumPlot* s : {specA, specB}) {
        QVERIFY(!s->histogram()->data()->isEmpty());
        for (auto it = s->histogram()->data()->constBegin(); it != s->histogram()->data()->constEnd(); ++it) {
            const double k = it->key / specA->binWidth();
            QVERIFY2(std::abs(k - std::round(k)) < 1e-9, qPrintable(QString::number(it->key)));
        }
    }
    QCOMPARE(specA->plot()->yAxis->label(), specB->plot()->yAxis->label());
    QVERIFY(specA->histogramRect()->axis(QCPAxis::atBottom)->range() == specB->histogramRect()->axis(QCPAxis::atBottom)->range());
    // The complex planes at one scale: drawn, both show the same axes.
    d.revealView(specA);
    for (SpectrumPlot* s : {specA, specB}) s->replotNow();
    QVERIFY(specA->eigenRect()->axis(QCPAxis::atLeft)->range() == specB->eigenRect()->axis(QCPAxis::atLeft)->range());
    QVERIFY(specA->eigenRect()->axis(QCPAxis::atBottom)->range() == specB->eigenRect()->axis(QCPAxis::atBottom)->range());
    QVERIFY(specA->eigenRect()->axis(QCPAxis::atLeft)->range().upper >= 12.0);
    // The 40-decade span on half a screen still has more than one labelled decade.
    for (SpectrumPlot* s : {specA, specB}) {
        QCPAxis* decades = s->histogramRect()->axis(QCPAxis::atBottom);
        int labelled = 0;
        for (double tick : decades->tickVector()) labelled += decades->range().contains(tick) ? 1 : 0;
        QVERIFY2(labelled >= 2, qPrintable(QString::number(labelled)));
    }
}

void TestComparison::sidesLineUpAt1366_data() {
    QTest::addColumn<bool>("presenter");
    QTest::newRow("normal") << false;
    QTest::newRow("presenter") << true;
}

void TestComparison::sidesLineUpAt1366() {
    QFETCH(bool, presenter);
    Dashboard d;
    d.resize(kDashboardAt1366);
    d.setPresenterMode(presenter);
    d.show();
    QVERIFY(QTest::qWaitForWindowExposed(&d));
    d.setComparison(true, QStringLiteral("A"), QStringLiteral("B"));
    auto a = makeSnapshot(8, 19, 0.9);
    auto b = makeSnapshot(8, 19, 0.5);
    // Tick labels of different widths on the two sides: |lambda| ~ 1 against ~ 12.
    b->selectedUnitSpectrum->eigenvalues = {{12.0, 0.0}, {-3.0, 4.0}, {-3.0, -4.0}};
    b->selectedUnitSpectrum->maxSingularValue = 13.0;
    // No theory for B (batch norm, say): its gradient legend has one entry, A's two.
    b->predictedProfiles = core::GradientProfiles{};
    b->predictedProfiles.unavailableReason = "batch norm";
    core::TrainingHistory ha, hb;
    fillHistory(ha, 8, 20, 0.9);
    fillHistory(hb, 8, 20, 0.5);
    d.showFrames(a, ha, b, hb);
    const QList<PlotView*> viewsA = d.views(), viewsB = d.comparisonViews();

    // The heat map is on screen on both sides with a readable plotting area.
    for (PlotView* heat : {viewsA[1], viewsB[1]}) {
        if (presenter) break;  // presenter type at 1366x768 trades heat-map room for type size
        QVERIFY(heat->isVisible());
        heat->replotNow();
        const QRect r = heat->plot()->axisRect()->rect();
        QVERIFY2(r.height() >= 180 && r.width() >= 300,
                 qPrintable(QStringLiteral("heat map %1x%2").arg(r.width()).arg(r.height())));
    }
    // Every view, tab by tab: the plotting areas of A and B at the same place in each half.
    for (qsizetype i = 0; i < viewsA.size(); ++i) {
        d.revealView(viewsA[i]);
        QVERIFY(viewsA[i]->isVisible() && viewsB[i]->isVisible());
        viewsA[i]->replotNow();
        viewsB[i]->replotNow();
        const QList<QRect> ra = axisRectsIn(d, viewsA[i]), rb = axisRectsIn(d, viewsB[i]);
        QCOMPARE(ra.size(), rb.size());
        const int shift = viewsB[i]->mapTo(&d, QPoint(0, 0)).x() - viewsA[i]->mapTo(&d, QPoint(0, 0)).x();
        for (qsizetype k = 0; k < ra.size(); ++k) {
            const QString what = viewsA[i]->name() + QStringLiteral(" rect %1").arg(k);
            QCOMPARE(rb[k].left() - shift, ra[k].left());
            QVERIFY2(rb[k].width() == ra[k].width(), qPrintable(what));
            QVERIFY2(rb[k].top() == ra[k].top(), qPrintable(what));
        }
    }
}

void TestComparison::windowAt1366KeepsTextWhole_data() {
    QTest::addColumn<bool>("comparing");
    QTest::addColumn<bool>("presenter");
    QTest::newRow("comparison") << true << false;
    QTest::newRow("comparison, presenter") << true << true;
    QTest::newRow("single run") << false << false;
    QTest::newRow("single run, presenter") << false << true;
}

void TestComparison::windowAt1366KeepsTextWhole() {
    QFETCH(bool, comparing);
    QFETCH(bool, presenter);
    auto window = std::make_unique<MainWindow>();
    window->resize(1920, 1080);
    QVERIFY(window->openPreset(QStringLiteral("deep-sigmoid-vanishing")));
    window->layerEditor()->buildUniform(6, 16);  // small: sanitizer builds stay quick
    window->resetRun();
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    if (comparing) QVERIFY(window->startComparison(QStringLiteral("batch-norm-on")));
    window->worker()->step(3);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
            return a && a->stepsDone == 3 && !a->running && (!comparing || (b && b->stepsDone == 3));
        },
        kSlowWaitMs));
    if (presenter) window->dashboard()->setPresenterMode(true);
    // The teacher's laptop: the window shrinks after the plots were drawn wide.
    window->resize(1366, 768);
    QVERIFY(QTest::qWaitFor([&] { return window->size() == QSize(1366, 768); }, 5000));
    Dashboard* d = window->dashboard();
    QVERIFY(QTest::qWaitFor([&] { return d->width() < 1100; }, 5000));
    QCoreApplication::processEvents();
    for (QTabWidget* tabs : d->findChildren<QTabWidget*>()) {
        if (tabs->isVisible()) verifyTabsFit(tabs);
        if (QTest::currentTestFailed()) return;
    }
    // Every view a click can show, as drawn (no refit here: the resize alone must do).
    for (PlotView* view : d->views()) {
        d->revealView(view);
        QCoreApplication::processEvents();
        for (PlotView* v : d->visibleViews()) {
            v->plot()->replot(QCustomPlot::rpImmediateRefresh);
            verifyTextFits(v);
            if (QTest::currentTestFailed()) return;
            QVERIFY2(v->plot()->width() >= 300 && v->plot()->height() >= 250,
                     qPrintable(QStringLiteral("%1 %2x%3").arg(v->name()).arg(v->plot()->width()).arg(v->plot()->height())));
        }
    }
}

void TestComparison::stopComparingKeepsSideA() {
    auto window = std::make_unique<MainWindow>();
    window->resize(1366, 768);
    QVERIFY(window->openPreset(QStringLiteral("deep-sigmoid-vanishing")));
    QVERIFY(QTest::qWaitFor([&] { return window->worker()->state() == State::Paused; }, kSlowWaitMs));
    window->layerEditor()->buildUniform(6, 16);
    window->resetRun();
    QVERIFY(window->startComparison(QStringLiteral("batch-norm-on")));
    window->worker()->step(12);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
            return a && b && a->stepsDone == 12 && b->stepsDone == 12 && !a->running;
        },
        kSlowWaitMs));
    const double lossAt12 = window->lastSnapshot()->latest->loss;
    const std::size_t kept = window->history().entries().size();
    const QString toolTip = window->compareAction()->toolTip();
    QVERIFY2(toolTip.contains(QStringLiteral("A goes on")), qPrintable(toolTip));

    window->compareAction()->trigger();  // Stop Comparing
    QVERIFY(!window->dashboard()->comparing());
    QVERIFY(window->comparisonChange().isEmpty());
    // A stands where it stood: same step count, same history, same numbers.
    QCOMPARE(window->worker()->stepsDone(), std::int64_t(12));
    window->worker()->step(3);
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto a = window->lastSnapshot();
            return a && a->stepsDone == 15 && !a->running;
        },
        kSlowWaitMs));
    QCOMPARE(window->history().entries().size(), kept + 3);
    GRADFLOW_COMPARE_BITS(window->history().entries()[kept - 1].loss, lossAt12);
    QVERIFY(!window->lastComparisonSnapshot());
    QVERIFY(window->comparisonHistory().entries().empty());
    QCOMPARE(window->worker()->takeUpdate().lanes, 1);
}

QTEST_MAIN(TestComparison)
#include "tst_comparison.moc"
