// One step convention everywhere: after a headless run of N updates (and after a run that
// diverges during update D) every "step" number the user can read — headless stdout and
// stderr, the divergence message, the status bar, every view's legends and readouts, the
// heat map's and loss plot's last column, the figure caption — is the same N (or D).

#include <QtTest>

#include <QFile>
#include <QLabel>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <set>
#include <sstream>

#include "app/headless_run.h"
#include "core/training/trainer.h"
#include "core/training/training_history.h"
#include "ui/dashboard.h"
#include "ui/figure_caption.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/loss_plot.h"
#include "ui/run_status.h"
#include "ui/snapshot_builder.h"

using namespace gradflow;
using namespace gradflow::ui;

namespace {

struct HeadlessRun {
    std::string out, err;
    core::TrainingHistory history;
    SnapshotPtr snapshot;  ///< built at the end, as the headless figure export does
};

HeadlessRun runPreset(const std::string& preset, std::int64_t steps, const QString& logPath = {}) {
    HeadlessRun run;
    app::CommandLineOptions options;
    options.headless = true;
    options.presetName = preset;
    options.steps = steps;
    options.logPath = logPath.toStdString();
    app::HeadlessHooks hooks;
    core::StepStats last;
    hooks.afterStep = [&](const core::Trainer&, const core::StepStats& stats) {
        run.history.append(stats);
        last = stats;
        return std::string();
    };
    hooks.afterRun = [&](const core::Trainer& trainer) {
        run.snapshot = buildFullSnapshot(trainer, trainer.stepsDone() > 0 ? &last : nullptr, 1);
        return std::string();
    };
    std::ostringstream out, err;
    const int code = app::runHeadless(options, out, err, hooks);
    run.out = out.str();
    run.err = err.str();
    if (code != app::kExitOk) run.snapshot.reset();
    return run;
}

/// Every "step N" (any case) in `text`.
void collectStepNumbers(const QString& text, const QString& where, std::multimap<qint64, QString>& found) {
    static const QRegularExpression pattern(QStringLiteral("\\bstep\\s+([0-9][0-9,]*)"),
                                            QRegularExpression::CaseInsensitiveOption);
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        found.emplace(match.captured(1).remove(QLatin1Char(',')).toLongLong(), where + QStringLiteral(": ") + text);
    }
}

/// The texts of a view a reader may see: legend entries and text items (hidden ones too:
/// the spectrum's readout hides only when the plot is narrow).
void collectFromView(PlotView* view, std::multimap<qint64, QString>& found) {
    QCustomPlot* p = view->plot();
    for (int i = 0; i < p->legend->itemCount(); ++i)
        if (auto* item = qobject_cast<QCPPlottableLegendItem*>(p->legend->item(i)))
            collectStepNumbers(item->plottable()->name(), view->name() + QStringLiteral(" legend"), found);
    for (int i = 0; i < p->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(p->item(i)))
            collectStepNumbers(text->text(), view->name() + QStringLiteral(" text"), found);
}

QString describe(const std::multimap<qint64, QString>& found) {
    QStringList lines;
    for (const auto& [number, where] : found) lines << QStringLiteral("%1 <- %2").arg(number).arg(where);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace

class TestStepNumbers : public QObject {
    Q_OBJECT

private:
    /// Shows the run everywhere and checks that every step number read is `expected`.
    void checkEverywhere(const HeadlessRun& run, qint64 expected, bool diverged) {
        QVERIFY(run.snapshot);
        std::multimap<qint64, QString> found;
        collectStepNumbers(QString::fromStdString(run.out), QStringLiteral("stdout"), found);
        collectStepNumbers(QString::fromStdString(run.err), QStringLiteral("stderr"), found);
        collectStepNumbers(QString::fromStdString(run.snapshot->divergence.message), QStringLiteral("message"), found);

        RunStatus status;
        status.showState(diverged ? TrainingWorker::State::Diverged : TrainingWorker::State::Paused);
        status.showSnapshot(*run.snapshot);
        for (QLabel* label : status.findChildren<QLabel*>())
            collectStepNumbers(label->text(), QStringLiteral("status bar"), found);

        // Every view of the dashboard, each fed directly (the dashboard skips hidden ones).
        Dashboard dashboard;
        for (PlotView* view : dashboard.views()) {
            view->showFrame(run.snapshot, run.history);
            view->settle();
            view->replotNow();
            collectFromView(view, found);
        }
        collectStepNumbers(figureCaption(*run.snapshot), QStringLiteral("caption"), found);

        // The places that must say it, so a missing number cannot pass.
        const auto count = [&](const QString& where) {
            return std::count_if(found.begin(), found.end(), [&](const auto& f) { return f.second.startsWith(where); });
        };
        QVERIFY2(count(QStringLiteral("status bar")) >= (diverged ? 2 : 1), qPrintable(describe(found)));
        QVERIFY2(count(QStringLiteral("gradients legend")) == 1, qPrintable(describe(found)));
        QVERIFY2(count(QStringLiteral("caption")) >= (diverged ? 2 : 1), qPrintable(describe(found)));
        if (diverged) {
            QVERIFY2(count(QStringLiteral("stderr")) == 1, qPrintable(describe(found)));
            QVERIFY2(count(QStringLiteral("message")) == 1, qPrintable(describe(found)));
            QVERIFY2(count(QStringLiteral("loss text")) == 1, qPrintable(describe(found)));
        } else {
            QVERIFY2(count(QStringLiteral("spectrum text")) == 1, qPrintable(describe(found)));
        }
        for (const auto& [number, where] : found)
            QVERIFY2(number == expected,
                     qPrintable(QStringLiteral("expected step %1 everywhere:\n%2").arg(expected).arg(describe(found))));

        // The step axes end at the same number: the heat map's last column, the loss's last point.
        auto* heatmap = static_cast<GradientHeatmap*>(dashboard.view(QStringLiteral("heatmap")));
        QCOMPARE(heatmap->colorMap()->data()->keyRange().upper, double(expected));
        auto* loss = static_cast<LossPlot*>(dashboard.view(QStringLiteral("loss")));
        QCOMPARE((loss->lossGraph()->data()->constEnd() - 1)->key, double(expected));
        QCOMPARE(loss->divergenceLine()->visible(), diverged);
        if (diverged) QCOMPARE(loss->divergenceLine()->start->coords().x(), double(expected));
    }

private slots:
    void completedRun() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString logPath = dir.filePath(QStringLiteral("log.csv"));
        const HeadlessRun run = runPreset("deep-sigmoid-vanishing", 7, logPath);
        QVERIFY2(run.out.find("trained 7 steps") != std::string::npos, run.out.c_str());
        checkEverywhere(run, 7, false);
        // The CSV keeps its 0-based index, as the README explains: row k is step k + 1.
        QFile log(logPath);
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = log.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 1 + 7);
        QVERIFY(rows.last().startsWith("6,"));
    }

    void divergedRun() {
        const HeadlessRun run = runPreset("exploding-large-weights", 50);
        QVERIFY(run.snapshot && run.snapshot->divergence.diverged);
        // Update D broke: D updates were attempted, the stats of index D - 1 say so.
        const qint64 d = run.snapshot->stepsDone;
        QCOMPARE(run.snapshot->divergence.step + 1, d);
        QVERIFY2(run.err.find("diverged at step " + std::to_string(d)) != std::string::npos, run.err.c_str());
        checkEverywhere(run, d, true);
    }
};

QTEST_MAIN(TestStepNumbers)
#include "tst_step_numbers.moc"
