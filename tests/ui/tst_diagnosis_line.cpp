// The verdict line over the gradient bars: what the window shows for a lesson, set as
// a plot label (superscript powers, chi as a Greek letter), never cut at narrow widths,
// and carried into a figure only when the export asks for it.
#include <QtTest>

#include "export_dialog_probe.h"
#include "preset_run.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/gradient_bars_plot.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

class TestDiagnosisLine : public QObject {
    Q_OBJECT
private slots:
    void lessonShowsItsVerdict_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("start");
        QTest::newRow("vanishing") << "deep-sigmoid-vanishing" << "Vanishing: layer 1 receives 10⁻¹² of layer 20's ‖∂L/∂h‖";
        QTest::newRow("healthy") << "he-relu-healthy" << "Healthy: ‖∂L/∂h‖ within";
        QTest::newRow("dead") << "dead-relu-negative-bias" << "Dead: 95% of the ReLUs never fire";
    }
    void lessonShowsItsVerdict() {
        QFETCH(QString, preset);
        QFETCH(QString, start);
        const auto run = runPreset(preset.toStdString(), 1);
        QVERIFY2(run->error.isEmpty(), qPrintable(run->error));
        GradientBarsPlot view;
        view.layOut(QSize(1200, 500));
        view.showFrame(run->snapshot, run->history);
        QVERIFY2(view.diagnosisText().startsWith(start), qPrintable(view.diagnosisText()));
        QVERIFY(!view.diagnosisText().contains(QLatin1String("^")));
        QVERIFY(!view.diagnosisText().contains(QLatin1String("chi_1")));
    }

    void emptyBeforeTheFirstStep() {
        GradientBarsPlot view;
        view.showFrame(std::make_shared<Snapshot>(), core::TrainingHistory());
        QCOMPARE(view.diagnosisText(), QString());
    }

    void narrowViewShowsTheHeadlineWhole() {
        const auto run = runPreset("deep-sigmoid-vanishing", 1);
        GradientBarsPlot view;
        view.setTheme(Theme::make(ThemeKind::Light, false));
        view.resize(1400, 500);
        view.layOut(QSize(1400, 500));
        view.showFrame(run->snapshot, run->history);
        QVERIFY2(view.diagnosisText().contains(QStringLiteral("χ₁")), qPrintable(view.diagnosisText()));
        // Half a 1366-px comparison: the clauses after the verdict's own numbers go
        // first, then the per-layer factor; the headline itself is never cut.
        view.layOut(QSize(420, 400));
        const QString headline = view.diagnosisText();
        QCOMPARE(headline, QStringLiteral("Vanishing: layer 1 receives 10⁻¹² of layer 20's ‖∂L/∂h‖"));
        QVERIFY(QFontMetrics(view.theme().font(1.0, true)).horizontalAdvance(headline) <= 420 - 16);
    }

    void figureCarriesTheLineOnlyWhenAsked() {
        const auto run = runPreset("deep-sigmoid-vanishing", 1);
        Dashboard dashboard;
        dashboard.showFrame(run->snapshot, run->history);
        auto* bars = qobject_cast<GradientBarsPlot*>(dashboard.view(QStringLiteral("gradients")));
        QVERIFY(bars);
        ExportOptions options;
        options.size = QSize(1200, 560);
        QVERIFY(!options.diagnosis);  // the default: a slide makes its own point
        QVERIFY(!renderViewSvg(*bars, options).contains("Vanishing"));
        options.diagnosis = true;
        QVERIFY(renderViewSvg(*bars, options).contains("Vanishing"));
        // The window keeps its line whatever the figure did.
        QVERIFY(bars->diagnosisText().startsWith(QLatin1String("Vanishing")));
    }

    void exportDialogOffersTheLineOffByDefault() {
        const auto run = runPreset("deep-sigmoid-vanishing", 1);
        Dashboard dashboard;
        dashboard.showFrame(run->snapshot, run->history);
        QCOMPARE(exportDialogCheckBox(dashboard, QStringLiteral("gradients"), QStringLiteral("diagnosis")), std::optional(false));
    }
};

QTEST_MAIN(TestDiagnosisLine)
#include "tst_diagnosis_line.moc"
