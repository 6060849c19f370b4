// Absurd settings on purpose: random activations x initialisers x gains up to
// 100 x learning rates up to 100, with and without the remedies, trained until they
// finish or diverge, then drawn. Whatever the run did, no value that is not finite or
// not positive reaches a logarithmic axis, every axis range is a finite interval, and a
// fresh run (Reset) draws cleanly on the same dashboard.

#include <QtTest>

#include <cmath>
#include <random>

#include "core/config/experiment_validation.h"
#include "core/model/initializer.h"
#include "core/training/trainer.h"
#include "ui/dashboard.h"
#include "ui/plots/plot_view.h"
#include "ui/snapshot_builder.h"

using namespace gradflow;

namespace {

core::ExperimentConfig randomConfig(std::mt19937_64& rng) {
    const auto pick = [&](int n) { return int(std::uniform_int_distribution<int>(0, n - 1)(rng)); };
    const auto logUniform = [&](double lo, double hi) {
        return std::pow(10.0, std::uniform_real_distribution<double>(std::log10(lo), std::log10(hi))(rng));
    };
    core::ExperimentConfig c;
    c.seed = rng();
    c.data.samples = 128;
    c.data.kind = pick(4) == 0 ? core::DataKind::Sine : core::DataKind::Spiral;
    c.training.loss = c.data.kind == core::DataKind::Sine ? core::LossKind::MeanSquaredError : core::LossKind::CrossEntropy;
    const int depth = 2 + pick(7);
    const int width = 4 + pick(21);
    const auto activations = core::activationRegistry();
    const auto inits = core::initializerRegistry();
    core::LayerSpec layer;
    layer.width = width;
    layer.activation.kind = activations[std::size_t(pick(int(activations.size())))].kind;
    layer.init.kind = inits[std::size_t(pick(int(inits.size())))].kind;
    layer.init.gain = logUniform(0.01, 100.0);
    layer.batchNorm = pick(4) == 0;
    c.layers.assign(std::size_t(depth), layer);
    c.residual.every = pick(4) == 0 ? 2 : 0;
    c.training.optimizer.kind = core::OptimizerKind(pick(4));
    c.training.optimizer.learningRate = logUniform(1e-4, 100.0);
    c.training.batchSize = 32;
    if (pick(3) == 0) c.training.clip = {core::ClipMode::Norm, logUniform(0.01, 10.0)};
    return c;
}

/// Every data point on a log axis finite and positive, except NaN in a graph's values:
/// QCustomPlot draws that as a gap (its documented contract), which is how a diverged
/// step is left out of a curve. Every axis range finite.
QString problemIn(const ui::PlotView& view) {
    QCustomPlot* plot = view.plot();
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            const QCPRange r = axis->range();
            if (!std::isfinite(r.lower) || !std::isfinite(r.upper) || !(r.upper > r.lower))
                return QStringLiteral("axis range [%1, %2]").arg(r.lower).arg(r.upper);
            if (axis->scaleType() == QCPAxis::stLogarithmic && !(r.lower > 0))
                return QStringLiteral("log axis from %1").arg(r.lower);
        }
    }
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot->plottable(i);
        const bool logValue = p->valueAxis() && p->valueAxis()->scaleType() == QCPAxis::stLogarithmic;
        const bool logKey = p->keyAxis() && p->keyAxis()->scaleType() == QCPAxis::stLogarithmic;
        const auto bad = [](double v, bool logarithmic) { return !std::isfinite(v) || (logarithmic && v <= 0); };
        if (auto* graph = qobject_cast<QCPGraph*>(p)) {
            for (const QCPGraphData& d : *graph->data())
                if ((!std::isnan(d.value) && bad(d.value, logValue)) || bad(d.key, logKey))
                    return QStringLiteral("graph \"%1\" holds %2 at %3").arg(p->name()).arg(d.value).arg(d.key);
        } else if (auto* bars = qobject_cast<QCPBars*>(p)) {
            for (const QCPBarsData& d : *bars->data())
                if (bad(d.value, logValue) || bad(d.key, logKey))
                    return QStringLiteral("bars \"%1\" hold %2 at %3").arg(p->name()).arg(d.value).arg(d.key);
        }
    }
    return {};
}

}  // namespace

class TestAbuseKeepsPlotsFinite : public QObject {
    Q_OBJECT
private slots:
    void randomConfigsDrawCleanly();
};

void TestAbuseKeepsPlotsFinite::randomConfigsDrawCleanly() {
    std::mt19937_64 rng(20261129);
    ui::Dashboard dashboard;
    dashboard.resize(1366, 700);
    int tried = 0, diverged = 0;
    while (tried < 12) {
        const core::ExperimentConfig config = randomConfig(rng);
        if (!core::validateExperiment(config).empty()) continue;
        ++tried;
        auto trainer = core::Trainer::create(config);
        QVERIFY(trainer);
        core::TrainingHistory history;
        core::StepStats last;
        for (int step = 0; step < 60 && !trainer->divergence().diverged; ++step) {
            last = trainer->step();
            history.append(last);
        }
        diverged += trainer->divergence().diverged ? 1 : 0;
        dashboard.clear();  // what Reset does to the views
        const ui::SnapshotPtr snapshot = ui::buildFullSnapshot(*trainer, &last, std::uint64_t(tried), 0);
        dashboard.showFrame(snapshot, history);
        for (ui::PlotView* view : dashboard.views()) {
            view->replotNow();
            const QString problem = problemIn(*view);
            QVERIFY2(problem.isEmpty(),
                     qPrintable(QStringLiteral("config %1, view %2: %3 (%4)")
                                    .arg(tried)
                                    .arg(view->name(), problem, QString::fromStdString(trainer->divergence().message))));
        }
    }
    // The grid must reach both outcomes, or it tests less than it claims.
    QVERIFY2(diverged > 0 && diverged < tried, qPrintable(QStringLiteral("%1 of %2 diverged").arg(diverged).arg(tried)));
}

QTEST_MAIN(TestAbuseKeepsPlotsFinite)
#include "tst_abuse_keeps_plots_finite.moc"
