#include "ui/plots/loss_plot.h"

#include "ui/plots/clip_marks.h"
#include "ui/plots/curve_trend.h"

namespace gradflow::ui {

namespace {

/// The mean squared error of always answering the mean target, i.e. the targets' variance
/// (averaged over output units): the loss of a model that learnt nothing from its input.
/// NaN unless the run fits a regression set with the squared error.
double meanPredictorLoss(const Snapshot& snapshot) {
    const core::Dataset* data = snapshot.dataset.get();
    if (!data || data->classification || snapshot.config.training.loss != core::LossKind::MeanSquaredError ||
        data->targets.cols() < 2)
        return std::numeric_limits<double>::quiet_NaN();
    const Eigen::MatrixXd& y = data->targets;
    const Eigen::VectorXd mean = y.rowwise().mean();
    return (y.colwise() - mean).squaredNorm() / double(y.size());
}

}  // namespace

LossPlot::LossPlot(QWidget* parent) : PlotView(QStringLiteral("loss"), tr("Loss and accuracy"), parent) {
    setShortTitle(tr("Loss"));
    QCustomPlot* p = plot();
    QCPAxis* acc = p->yAxis2;
    acc->setVisible(true);
    acc->setRange(0, 1);
    acc->setLabel(tr("accuracy (batch)"));
    makeLogAxis(p->yAxis);
    p->yAxis->setLabel(tr("loss (log)"));
    p->xAxis->setLabel(tr("training step"));
    m_chance = p->addGraph(p->xAxis, acc);
    m_chance->setName(tr("chance accuracy"));
    // Every step's value as a thin line (thousands of points: thin and not antialiased, or
    // it costs 20-200 ms a frame; exports antialias it), its trend bold on top.
    m_accuracy = p->addGraph(p->xAxis, acc);
    m_accuracy->setName(tr("accuracy per batch"));
    m_loss = p->addGraph(p->xAxis, p->yAxis);
    m_loss->setName(tr("loss per batch"));
    for (QCPGraph* raw : {m_accuracy, m_loss}) raw->setAntialiased(false);
    m_accuracyTrend = p->addGraph(p->xAxis, acc);
    m_accuracyTrend->setName(tr("accuracy (smoothed)"));
    m_lossTrend = p->addGraph(p->xAxis, p->yAxis);
    m_lossTrend->setName(tr("loss (smoothed)"));
    m_diverged = p->addGraph(p->xAxis, p->yAxis);
    m_diverged->setLineStyle(QCPGraph::lsNone);
    m_diverged->setName(tr("diverged (loss not finite)"));
    m_baseline = p->addGraph(p->xAxis, p->yAxis);
    setUpClipAxis(p->xAxis2, p->xAxis);
    p->legend->setVisible(true);
    placeLegendAbove();
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void LossPlot::setTheme(const Theme& theme) {
    PlotView::setTheme(theme);
    const auto faint = [](QColor c) {
        c.setAlphaF(0.35);
        QPen pen(c, 1.0);
        pen.setCosmetic(true);  // one device pixel on high-DPI screens too: the fast path
        return pen;
    };
    m_loss->setPen(faint(theme.accent));
    m_accuracy->setPen(faint(theme.secondary));
    m_lossTrend->setPen(QPen(theme.accent, theme.lineWidth * 1.25));
    m_accuracyTrend->setPen(QPen(theme.secondary, theme.lineWidth * 1.25));
    m_chance->setPen(QPen(theme.mutedText, 1.0, Qt::DotLine));
    m_diverged->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(theme.warning, 1.5), theme.warning,
                                                theme.markerSize * 1.8));
    m_baseline->setPen(QPen(theme.mutedText, theme.lineWidth, Qt::DashLine));
    styleClipAxis(plot()->xAxis2, theme);
}

void LossPlot::clear() {
    m_range.reset();
    m_seenEntries = 0;
    m_seenStep = -1;
    showClippedSteps(plot()->xAxis2, {});
    for (QCPGraph* g : {m_loss, m_accuracy, m_lossTrend, m_accuracyTrend, m_chance, m_diverged, m_baseline}) {
        g->data()->clear();
        g->removeFromLegend();
    }
    // An empty legend squeezes the plot to a strip in QCPLayoutGrid (seen in the empty
    // state), so the loss entry stays listed before the first step.
    m_lossTrend->addToLegend();
    plot()->xAxis->setRange(0, 100);
    plot()->yAxis->setRange(1e-2, 10);
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nloss and accuracy are drawn here"));
}

void LossPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) {
    if (snapshot && snapshot->runId != m_runId) {
        m_runId = snapshot->runId;
        clear();
    }
    rememberSnapshot(snapshot);
    const auto& entries = history.entries();
    const std::int64_t lastStep = entries.empty() ? -1 : entries.back().step;
    if (entries.size() == m_seenEntries && lastStep == m_seenStep) return;
    m_seenEntries = entries.size();
    m_seenStep = lastStep;
    if (entries.empty()) return;

    // Rebuilt from the (bounded, thinned) history each time: thinning removes old points.
    QVector<double> steps, loss, accSteps, acc, badSteps, clippedSteps;
    steps.reserve(int(entries.size()));
    loss.reserve(int(entries.size()));
    for (const auto& e : entries) {
        const double x = double(e.step + 1);
        const double l = logSafe(e.loss);
        steps << x;
        loss << l;  // NaN = gap, never a point at the axis edge
        m_range.include(l);
        if (!std::isfinite(e.loss)) badSteps << x;
        if (e.clipped) clippedSteps << x;
        if (std::isfinite(e.accuracy)) accSteps << x, acc << e.accuracy;
    }
    m_accuracy->setData(accSteps, acc, true);
    const CurveTrend lossTrend = curveTrend(steps, loss, /*logScale=*/true);
    const CurveTrend accuracyTrend = curveTrend(accSteps, acc, /*logScale=*/false);
    m_accuracyTrend->setData(accuracyTrend.x, accuracyTrend.y, true);
    // Inside the range, so the line the lesson talks about is always on screen.
    const double baseline = snapshot ? logSafe(meanPredictorLoss(*snapshot)) : std::numeric_limits<double>::quiet_NaN();
    if (std::isfinite(baseline)) m_range.include(baseline);
    const QCPRange y = m_range.range(QCPRange(1e-2, 10));
    plot()->yAxis->setRange(y);
    // A loss beyond the axis (QCustomPlot takes no log range past 1e250) is drawn up to
    // its edge: nothing may be painted outside the axis rect, in any format.
    const QCPRange keys(0.0, std::max(steps.back(), 10.0) * 1.02);
    const Polyline lossLine = clipPolyline(steps, loss, keys, y, true);
    const Polyline trendLine = clipPolyline(lossTrend.x, lossTrend.y, keys, y, true);
    m_loss->setData(lossLine.keys, lossLine.values, true);
    m_lossTrend->setData(trendLine.keys, trendLine.values, true);
    // One marker where the loss first went non-finite (the run stops there).
    if (badSteps.size() > 1) badSteps.resize(1);
    m_diverged->setData(badSteps, QVector<double>(badSteps.size(), y.upper / std::pow(y.upper / y.lower, 0.04)), true);
    const double xMax = std::max(steps.back(), 10.0);
    plot()->xAxis->setRange(0, xMax * 1.02);
    const bool classification = !acc.isEmpty();
    const double chance = snapshot && snapshot->dataset ? snapshot->dataset->chanceAccuracy : 0.0;
    if (classification && chance > 0) m_chance->setData({0.0, xMax * 1.02}, {chance, chance}, true);
    else m_chance->data()->clear();
    plot()->yAxis2->setVisible(classification);
    showClippedSteps(plot()->xAxis2, clippedSteps);
    if (std::isfinite(baseline)) {
        m_baseline->setData({0.0, xMax * 1.02}, {baseline, baseline}, true);
        m_baseline->setName(tr("mean baseline %1").arg(baseline, 0, 'g', 3));
    } else {
        m_baseline->data()->clear();
    }
    m_lossTrend->addToLegend();
    for (auto [g, on] : {std::pair{m_accuracyTrend, classification}, std::pair{m_chance, classification && chance > 0},
                         std::pair{m_diverged, !badSteps.isEmpty()}, std::pair{m_baseline, std::isfinite(baseline)}}) {
        if (on) g->addToLegend(); else g->removeFromLegend();
    }
    setEmptyMessage(QString());
}

}  // namespace gradflow::ui
