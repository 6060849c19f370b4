// The drawn geometry of every figure, for every lesson preset and every view, at the two
// screen sizes teachers use (1366x768, 1920x1080), alone and in the whole-dashboard
// grid: nothing is painted outside its axis rect (the SVG generator would draw it over
// the axes, ticks and caption), no coordinate far off the page reaches a painter (PDF
// viewers reject the page), and no title, legend entry, axis label or readout is wider
// than its room. Plus hand-made runs with values at the ends of double's range.
#include <QtTest>

#include "plot_test_data.h"
#include "preset_run.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/plot_geometry.h"
#include "ui/plots/plot_helpers.h"
#include "ui/plots/plot_view.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

constexpr int kSteps = 30;
const QList<QSize> kSizes{QSize(1366, 768), QSize(1920, 1080)};

/// The sanitizer pass (ASan+UBSan at -O1) paints several times slower and the whole CI
/// has 30 minutes: there every preset is drawn once, as the dashboard figure (all seven
/// views) at the smaller size, which still runs every view's drawing code on every
/// preset's data. The Release pass checks each view alone and both sizes as well.
#ifdef GRADFLOW_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

/// Every problem of every view after a view figure and after the dashboard figure, for
/// each size; `label` names the run in the messages. Presenter mode (type 1.6x as large)
/// is for full-screen projection: its figures are checked at the full-HD size only, as
/// seven views in 1.6x type do not fit 1366x768 (the layer-health rect would be 64 px).
QStringList figureProblems(Dashboard& dashboard, const QString& label, bool presenter = false) {
    QStringList problems;
    if (presenter) dashboard.setPresenterMode(true);
    const QList<QSize> sizes = presenter ? kSizes.mid(1) : kSanitized ? kSizes.mid(0, 1) : kSizes;
    for (const QSize& size : sizes) {
        ExportOptions options;
        options.size = size;
        const QString where = QStringLiteral("%1 %2x%3").arg(label).arg(size.width()).arg(size.height());
        for (PlotView* view : kSanitized ? QList<PlotView*>() : dashboard.views()) {
            view->resize(size);
            if (renderViewImage(*view, options).isNull()) problems << where + QStringLiteral(": no image");
            for (const QString& p : figureGeometryProblems(*view->plot()))
                problems << QStringLiteral("%1 %2 alone: %3").arg(where, view->name(), p);
        }
        renderDashboardImage(dashboard, options);
        for (PlotView* view : dashboard.views()) {
            if (!dashboardFigureViews().contains(view->name())) continue;  // not in the grid: checked alone
            for (const QString& p : figureGeometryProblems(*view->plot()))
                problems << QStringLiteral("%1 %2 in the dashboard: %3").arg(where, view->name(), p);
        }
    }
    return problems;
}

}  // namespace

class TestFigureGeometry : public QObject {
    Q_OBJECT
private slots:
    void everyPresetEveryView_data();
    void everyPresetEveryView();
    void extremeValues_data();
    void extremeValues();
    void axesKeepTheirTicks();
    void clippedPolylineStaysInside();
};

void TestFigureGeometry::everyPresetEveryView_data() {
    QTest::addColumn<QString>("preset");
    for (const core::Preset& p : core::presets()) {
        const QString name = QString::fromUtf8(p.name.data(), qsizetype(p.name.size()));
        QTest::newRow(qPrintable(name)) << name;
    }
}

void TestFigureGeometry::everyPresetEveryView() {
    QFETCH(QString, preset);
    const auto run = runPreset(preset.toStdString(), kSteps);
    QVERIFY2(run->error.isEmpty(), qPrintable(run->error));
    Dashboard dashboard;
    prepareHeadlessDashboard(dashboard, run->snapshot, run->history, QSize(1600, 1000), ThemeKind::Light);
    const QStringList problems = figureProblems(dashboard, preset);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestFigureGeometry::extremeValues_data() {
    QTest::addColumn<int>("kind");
    QTest::newRow("zero, NaN and infinities") << 0;
    QTest::newRow("gradients 1e-300 to 1e300, activations 1e250") << 1;
    QTest::newRow("presenter mode") << 2;
}

void TestFigureGeometry::extremeValues() {
    QFETCH(int, kind);
    core::TrainingHistory history;
    std::shared_ptr<Snapshot> snapshot;
    if (kind == 0) {
        fillHistory(history, 10, 40, 0.5);
        history.append(makeStats(40, 10, 0.5, true));
        snapshot = makeSnapshot(10, 40, 0.5, true);
    } else {
        // Each layer 60 decades below the next; the last layers' activations overflow
        // any sensible axis: a diverging run's last frame.
        for (int step = 0; step < 20; ++step) {
            core::StepStats s = makeStats(step, 10, 1e-60);
            s.loss = std::pow(10.0, 15.0 * step);
            for (std::size_t l = 0; l < s.layers.size(); ++l) {
                s.layers[l].activationMean = l % 2 ? 1e250 : -1e250;
                s.layers[l].activationStd = 1e280;
            }
            history.append(s);
        }
        snapshot = makeSnapshot(10, 19, 1e-60);
        snapshot->latest = history.entries().back();
        snapshot->predictedProfiles.activationGradient.assign(9, 0.0);
        for (int l = 0; l < 9; ++l)
            snapshot->predictedProfiles.activationGradient[std::size_t(l)] = std::pow(10.0, 35.0 * (l - 4));
        snapshot->predictedProfiles.weightGradient = snapshot->predictedProfiles.activationGradient;
        auto spec = std::make_shared<core::JacobianSpectrum>(*snapshot->spectrum);
        spec->log10SingularValues = {{280.0, 120.0, -3.0, -290.0}};
        snapshot->spectrum = spec;
        core::UnitSpectrum unit;
        unit.eigenvalues = {{3e9, 0.0}, {0.5, 0.5}, {-2.0, 1e7}};
        unit.singularValues = {1e12, 1.0};
        unit.maxSingularValue = 1e12;
        unit.spectralRadius = 3e9;
        snapshot->selectedUnit = 3;
        snapshot->selectedUnitSpectrum = unit;
    }
    Dashboard dashboard;
    prepareHeadlessDashboard(dashboard, snapshot, history, QSize(1600, 1000), ThemeKind::Light);
    const QStringList problems = figureProblems(dashboard, QString::fromLatin1(QTest::currentDataTag()), kind == 2);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestFigureGeometry::axesKeepTheirTicks() {
    // Text was fitted to the layout of the plot's last drawing, not the figure's: in a
    // headless export the gradient view's layer axis kept one tick ("20") of 21 layers.
    const auto run = runPreset("deep-sigmoid-vanishing", kSteps);
    QVERIFY2(run->error.isEmpty(), qPrintable(run->error));
    Dashboard dashboard;
    prepareHeadlessDashboard(dashboard, run->snapshot, run->history, QSize(1366, 768), ThemeKind::Light);
    QStringList problems;
    for (const QSize& size : kSizes) {
        ExportOptions options;
        options.size = size;
        for (PlotView* view : dashboard.views()) {
            view->resize(size);
            renderViewImage(*view, options);
            for (QCPAxisRect* rect : view->plot()->axisRects()) {
                QCPAxis* x = rect->axis(QCPAxis::atBottom);
                if (x && x->visible() && x->tickVector().size() < 3)
                    problems << QStringLiteral("%1 at %2x%3: %4 x ticks")
                                    .arg(view->name())
                                    .arg(size.width())
                                    .arg(size.height())
                                    .arg(x->tickVector().size());
            }
        }
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

void TestFigureGeometry::clippedPolylineStaysInside() {
    // Up through the top edge, above it, down again, a gap, then inside: the line is cut
    // at the crossings and the outside stretch becomes a gap.
    const QVector<double> keys{0, 1, 2, 3, 4, 5};
    const QVector<double> values{1, 100, 1e6, 10, kNaN, 2};
    const Polyline p = clipPolyline(keys, values, QCPRange(0, 5), QCPRange(0.1, 1000), true);
    QCOMPARE(p.keys.size(), p.values.size());
    int gaps = 0;
    for (qsizetype i = 0; i < p.keys.size(); ++i) {
        if (std::isnan(p.values[i])) {
            ++gaps;
            continue;
        }
        QVERIFY(p.values[i] >= 0.1 * (1 - 1e-12) && p.values[i] <= 1000 * (1 + 1e-12));
        if (i > 0) QVERIFY(p.keys[i] >= p.keys[i - 1]);
    }
    QCOMPARE(gaps, 2);  // above the top, and the NaN
    QVERIFY(std::find_if(p.values.begin(), p.values.end(), [](double v) { return std::abs(v - 1000) < 1e-6; }) !=
            p.values.end());         // it reaches the edge
    QCOMPARE(p.values.last(), 2.0);  // the lone point after the NaN is kept
}

QTEST_MAIN(TestFigureGeometry)
#include "tst_figure_geometry.moc"
