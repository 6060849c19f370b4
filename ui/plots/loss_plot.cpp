#include "ui/plots/loss_plot.h"

#include "core/training/divergence.h"
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
    // log10(loss) on a linear axis, so the axis follows an exploding loss up to 1e300.
    p->yAxis->setTicker(QSharedPointer<Log10Ticker>::create());
    p->yAxis->setLabel(tr("loss (log)"));
    p->xAxis->setLabel(tr("training step"));
    p->xAxis->setTicker(integerTicker());  // steps are whole updates: no "step 2.5"
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
    m_testAccuracy = p->addGraph(p->xAxis, acc);
    m_testAccuracy->setName(tr("test accuracy"));
    m_testLoss = p->addGraph(p->xAxis, p->yAxis);
    m_testLoss->setName(tr("test loss"));
    m_diverged = p->addGraph(p->xAxis, p->yAxis);
    m_diverged->setLineStyle(QCPGraph::lsNone);
    m_diverged->setName(tr("diverged (loss not finite)"));
    // Where the run diverged: a line across the plot and its step. Positions are x in steps
    // and y as a fraction of the axis rect, so both stay inside it whatever the range.
    m_divergenceLine = new QCPItemLine(p);
    m_divergenceLabel = new QCPItemText(p);
    for (QCPItemPosition* pos : {m_divergenceLine->start, m_divergenceLine->end, m_divergenceLabel->position}) {
        pos->setTypeX(QCPItemPosition::ptPlotCoords);
        pos->setTypeY(QCPItemPosition::ptAxisRectRatio);
    }
    m_divergenceLabel->setPadding(QMargins(4, 2, 4, 2));
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
    // The training curves' colours, dashed and marked: "the same quantity, other data".
    for (auto [graph, colour] : {std::pair{m_testLoss, theme.accent}, std::pair{m_testAccuracy, theme.secondary}}) {
        graph->setPen(QPen(colour, theme.lineWidth, Qt::DashLine));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 1.0), theme.background, theme.markerSize));
    }
    m_diverged->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(theme.warning, 1.5), theme.warning, theme.markerSize * 1.8));
    m_divergenceLine->setPen(QPen(theme.warning, theme.lineWidth, Qt::DashLine));
    m_divergenceLabel->setColor(theme.warning);
    m_divergenceLabel->setFont(theme.font(1.0, true));
    m_baseline->setPen(QPen(theme.mutedText, theme.lineWidth, Qt::DashLine));
    styleClipAxis(plot()->xAxis2, theme);
}

void LossPlot::clear() {
    m_range.reset();
    showDivergence(-1);
    m_seenEntries = 0;
    m_seenStep = -1;
    showClippedSteps(plot()->xAxis2, {});
    for (QCPGraph* g :
         {m_loss, m_accuracy, m_lossTrend, m_accuracyTrend, m_chance, m_diverged, m_baseline, m_testLoss, m_testAccuracy}) {
        g->data()->clear();
        g->removeFromLegend();
    }
    // An empty legend squeezes the plot to a strip in QCPLayoutGrid (seen in the empty
    // state), so the loss entry stays listed before the first step.
    m_lossTrend->addToLegend();
    plot()->xAxis->setRange(0, 100);
    plot()->yAxis->setRange(kEmptyRange);
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
    QVector<double> steps, loss, accSteps, acc, badSteps, clippedSteps, testSteps, testLoss, testAcc;
    steps.reserve(int(entries.size()));
    loss.reserve(int(entries.size()));
    std::int64_t divergedIndex = -1;
    for (const auto& e : entries) {
        const double x = double(e.step + 1);  // step number: entry k holds update k + 1's loss
        steps << x;
        loss << m_range.include(e.loss);  // log10; NaN = gap, never a point at the axis edge
        if (!std::isfinite(e.loss)) badSteps << x;
        if (e.diverged && divergedIndex < 0) divergedIndex = e.step;
        if (e.clipped) clippedSteps << x;
        if (std::isfinite(e.accuracy)) accSteps << x, acc << e.accuracy;
        // At the same x as the row's training loss: both describe the weights before update k + 1.
        if (e.tested) testSteps << x, testLoss << m_range.include(e.testLoss), testAcc << e.testAccuracy;
    }
    if (snapshot && snapshot->divergence.diverged) divergedIndex = snapshot->divergence.step;
    m_accuracy->setData(accSteps, acc, true);
    // The mean of log10 values is the geometric mean the log axis calls for.
    const CurveTrend lossTrend = curveTrend(steps, loss, /*logScale=*/false);
    const CurveTrend accuracyTrend = curveTrend(accSteps, acc, /*logScale=*/false);
    m_accuracyTrend->setData(accuracyTrend.x, accuracyTrend.y, true);
    // Inside the range, so the line the lesson talks about is always on screen (log10).
    const double baseline = snapshot ? m_range.include(meanPredictorLoss(*snapshot)) : std::numeric_limits<double>::quiet_NaN();
    const QCPRange y = m_range.range(kEmptyRange);
    plot()->yAxis->setRange(y);
    // Nothing may be painted outside the axis rect, in any format: lines are cut at its edges.
    const QCPRange keys(0.0, std::max(steps.back(), 10.0) * 1.02);
    const Polyline lossLine = clipPolyline(steps, loss, keys, y, false);
    const Polyline trendLine = clipPolyline(lossTrend.x, lossTrend.y, keys, y, false);
    m_loss->setData(lossLine.keys, lossLine.values, true);
    m_lossTrend->setData(trendLine.keys, trendLine.values, true);
    const Polyline testLine = clipPolyline(testSteps, testLoss, keys, y, false);
    m_testLoss->setData(testLine.keys, testLine.values, true);
    m_testAccuracy->setData(testSteps, testAcc, true);
    // One marker where the loss first went non-finite (the run stops there).
    if (badSteps.size() > 1) badSteps.resize(1);
    m_diverged->setData(badSteps, QVector<double>(badSteps.size(), y.upper - 0.04 * y.size()), true);
    const double xMax = std::max(steps.back(), 10.0);
    plot()->xAxis->setRange(0, xMax * 1.02);
    showDivergence(divergedIndex);
    const bool classification = !acc.isEmpty();
    const double chance = snapshot && snapshot->dataset ? snapshot->dataset->chanceAccuracy : 0.0;
    if (classification && chance > 0) m_chance->setData({0.0, xMax * 1.02}, {chance, chance}, true);
    else m_chance->data()->clear();
    plot()->yAxis2->setVisible(classification);
    showClippedSteps(plot()->xAxis2, clippedSteps);
    if (std::isfinite(baseline)) {
        m_baseline->setData({0.0, xMax * 1.02}, {baseline, baseline}, true);
        m_baseline->setName(tr("mean baseline %1").arg(std::pow(10.0, baseline), 0, 'g', 3));
    } else {
        m_baseline->data()->clear();
    }
    m_lossTrend->addToLegend();
    const bool tested = !testSteps.isEmpty();
    for (auto [g, on] : {std::pair{m_testLoss, tested}, std::pair{m_accuracyTrend, classification},
                         std::pair{m_testAccuracy, tested && classification}, std::pair{m_chance, classification && chance > 0},
                         std::pair{m_diverged, !badSteps.isEmpty()}, std::pair{m_baseline, std::isfinite(baseline)}}) {
        if (on) g->addToLegend();
        else g->removeFromLegend();
    }
    setEmptyMessage(QString());
}

}  // namespace gradflow::ui

namespace gradflow::ui {

void LossPlot::showDivergence(std::int64_t stepIndex) {
    const bool shown = stepIndex >= 0;
    m_divergenceLine->setVisible(shown);
    m_divergenceLabel->setVisible(shown);
    if (!shown) return;
    const double x = double(core::stepNumber(stepIndex));
    m_divergenceLine->start->setCoords(x, 0.0);
    m_divergenceLine->end->setCoords(x, 1.0);
    m_divergenceLabel->setText(QString::fromStdString(core::divergedAtStep(stepIndex)));
    // The label sits beside the line on the side with room: a run that diverges early has
    // its line near the left edge.
    const QCPRange xRange = plot()->xAxis->range();
    const bool leftHalf = x < xRange.center();
    m_divergenceLabel->position->setCoords(x, 0.12);  // below the top edge's marker
    m_divergenceLabel->setPositionAlignment((leftHalf ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
}

}  // namespace gradflow::ui
