#include "ui/plots/layer_health_plot.h"

#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {
/// Activation axis limit: values beyond (a diverged net) sit at the edge.
constexpr double kMaxActivation = 1e200;
}  // namespace

LayerHealthPlot::LayerHealthPlot(QWidget* parent) : PlotView(QStringLiteral("health"), tr("Layer health"), parent) {
    QCustomPlot* p = plot();
    p->setNotAntialiasedElements(QCP::aePlottables);
    m_saturation = new QCPBars(p->xAxis, p->yAxis);
    m_saturation->setWidth(0.72);
    m_saturation->setName(tr("saturated / dead units (φ′ < 5% of max)"));
    m_gate = p->addGraph(p->xAxis, p->yAxis);
    m_gate->setName(tr("gate mean (forget / update)"));
    m_dropped = p->addGraph(p->xAxis, p->yAxis);
    m_dropped->setName(tr("dropped by dropout (training only)"));
    m_dropped->setLineStyle(QCPGraph::lsNone);
    m_mean = p->addGraph(p->xAxis, p->yAxis2);
    m_mean->setName(tr("activation mean ± std"));
    m_mean->setLineStyle(QCPGraph::lsNone);
    m_spread = new QCPErrorBars(p->xAxis, p->yAxis2);
    m_spread->setDataPlottable(m_mean);
    m_spread->removeFromLegend();
    p->yAxis->setLabel(tr("fraction of units"));
    p->yAxis->setRange(0, 1.05);
    p->yAxis2->setVisible(true);
    p->yAxis2->setLabel(tr("activation value"));
    p->xAxis->setTicker(integerTicker());
    p->xAxis->grid()->setVisible(false);
    p->legend->setVisible(true);
    placeLegendAbove();
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void LayerHealthPlot::setTheme(const Theme& t) {
    PlotView::setTheme(t);
    m_saturation->setPen(Qt::NoPen);
    m_saturation->setBrush(t.categorical.value(3));
    m_mean->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, t.accent, t.markerSize));
    m_spread->setPen(QPen(t.accent, t.presenter ? 2.5 : 1.4));
    m_spread->setWhiskerWidth(t.presenter ? 10 : 6);
    m_gate->setPen(QPen(t.secondary, t.lineWidth));
    // A bar's colour would read as more saturation: a marker on the same 0..1 axis instead.
    m_dropped->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangleInverted, QPen(t.background, 1.0), t.secondary, t.markerSize * 2.2));
}

void LayerHealthPlot::clear() {
    m_saturation->data()->clear();
    m_mean->data()->clear();
    m_spread->data()->clear();
    m_gate->data()->clear();
    m_dropped->data()->clear();
    plot()->xAxis->setRange(0.4, 8.6);
    plot()->yAxis2->setRange(-1, 1);
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nsaturated and dead units per layer show here"));
}

void LayerHealthPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (!snapshot || !snapshot->latest) return;
    const auto& layers = snapshot->latest->layers;
    QVector<double> keys, sat, meanKeys, mean, err, gateKeys, gate, droppedKeys, dropped;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (int i = 0; i < int(layers.size()); ++i) {
        const auto& l = layers[i];
        const double k = i + 1;
        if (std::isfinite(l.saturation)) keys << k, sat << l.saturation;
        if (std::isfinite(l.activationMean)) {
            const double sd = std::isfinite(l.activationStd) ? l.activationStd : 0.0;
            meanKeys << k;
            mean << l.activationMean;
            err << sd;
            lo = std::min(lo, l.activationMean - sd);
            hi = std::max(hi, l.activationMean + sd);
        }
        if (std::isfinite(l.gateMean)) gateKeys << k, gate << l.gateMean;
        if (std::isfinite(l.droppedFraction)) droppedKeys << k, dropped << l.droppedFraction;
    }
    m_saturation->setData(keys, sat, true);
    m_gate->setData(gateKeys, gate, true);
    m_dropped->setData(droppedKeys, dropped, true);
    QString name = QString::fromStdString(snapshot->depthUnitName);
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    plot()->xAxis->setLabel(tr("%1 (input side → output)").arg(name));
    plot()->xAxis->setRange(0.4, std::max<int>(1, int(layers.size())) + 0.6);
    // Explicit, padded, symmetric-ish range; huge activations (a diverging net) are
    // clamped so the axis stays valid.
    if (lo <= hi) {
        lo = std::max(lo, -kMaxActivation);
        hi = std::min(hi, kMaxActivation);
        const double pad = std::max(0.05, (hi - lo) * 0.1);
        plot()->yAxis2->setRange(std::min(lo - pad, -0.1), std::max(hi + pad, 0.1));
    }
    // Means and whiskers end at the axis: a diverging net's 1e250 would otherwise reach
    // the painter as a coordinate far outside the figure (PDF viewers reject the page).
    const QCPRange range = plot()->yAxis2->range();
    QVector<double> below(mean.size()), above(mean.size());
    for (qsizetype i = 0; i < mean.size(); ++i) {
        mean[i] = clampTo(mean[i], range);
        below[i] = std::min(err[i], mean[i] - range.lower);
        above[i] = std::min(err[i], range.upper - mean[i]);
    }
    m_mean->setData(meanKeys, mean, true);
    m_spread->setData(below, above);
    auto legendIf = [](QCPAbstractPlottable* pl, bool on) {
        if (on) pl->addToLegend();
        else pl->removeFromLegend();
    };
    legendIf(m_saturation, !keys.isEmpty());
    legendIf(m_mean, !meanKeys.isEmpty());
    legendIf(m_gate, !gateKeys.isEmpty());
    legendIf(m_dropped, !droppedKeys.isEmpty());
    setEmptyMessage(keys.isEmpty() && meanKeys.isEmpty() ? tr("No activation statistics at this step") : QString());
}

}  // namespace gradflow::ui
