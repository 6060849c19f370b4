#include "ui/plots/phase_diagram_plot.h"

#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {
// Interpolated on screen, so 80 x 48 cells look smooth; 120 x 72 cost 2.25x the
// quadrature (seconds for GELU) for no visible gain.
constexpr int kColumns = 80;
constexpr int kRows = 48;
constexpr double kChiSpan = 10.0;  ///< colour scale covers chi_1 in [1/10, 10]
}  // namespace

PhaseDiagramPlot::PhaseDiagramPlot(QWidget* parent)
    : PlotView(QStringLiteral("phase"), tr("Mean-field phase diagram"), parent) {
    setShortTitle(tr("Phase diagram"));
    m_poll = new QTimer(this);
    m_poll->setInterval(50);
    connect(m_poll, &QTimer::timeout, this, &PhaseDiagramPlot::collect);
    QCustomPlot* p = plot();
    m_map = new QCPColorMap(p->xAxis, p->yAxis);
    m_map->setInterpolate(true);
    m_map->setTightBoundary(true);
    m_scale = new QCPColorScale(p);
    body()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setDataScaleType(QCPAxis::stLogarithmic);
    makeLogAxis(m_scale->axis());
    m_scale->axis()->setNumberFormat("gb");
    m_scale->axis()->setLabel(tr("χ₁ (gradient growth per layer)"));
    m_scale->setBarWidth(12);
    m_scale->setDataRange(QCPRange(1.0 / kChiSpan, kChiSpan));
    m_map->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_critical = new QCPCurve(p->xAxis, p->yAxis);
    m_critical->setName(tr("critical line χ₁ = 1"));
    m_current = p->addGraph();
    m_current->setLineStyle(QCPGraph::lsNone);
    m_current->setName(tr("this network"));
    m_currentRing = new QCPItemTracer(p);
    m_currentRing->setClipToAxisRect(false);
    m_currentRing->setStyle(QCPItemTracer::tsCircle);
    m_currentRing->setVisible(false);
    m_currentLabel = new QCPItemText(p);
    m_currentLabel->setPadding(QMargins(6, 3, 6, 3));
    m_currentLabel->setTextAlignment(Qt::AlignLeft);
    m_orderedLabel = new QCPItemText(p);
    m_orderedLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_orderedLabel->position->setCoords(0.03, 0.04);
    m_orderedLabel->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_orderedLabel->setText(tr("ordered: χ₁ < 1\ngradients vanish"));
    m_chaoticLabel = new QCPItemText(p);
    m_chaoticLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_chaoticLabel->position->setCoords(0.97, 0.96);
    m_chaoticLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_chaoticLabel->setTextAlignment(Qt::AlignRight);
    m_chaoticLabel->setText(tr("chaotic: χ₁ > 1\ngradients explode"));
    p->xAxis->setLabel(tr("σ_w²  (weight variance × fan-in)"));
    p->yAxis->setLabel(tr("σ_b²  (bias variance)"));
    p->legend->setVisible(false);
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void PhaseDiagramPlot::setTheme(const Theme& t) {
    PlotView::setTheme(t);
    styleAxis(m_scale->axis(), t);
    m_map->setGradient(divergingGradient(t));
    m_critical->setPen(QPen(t.critical, t.lineWidth * 1.2, Qt::DashLine));
    m_current->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(t.critical, t.presenter ? 3.0 : 2.0),
                                               Qt::NoBrush, t.markerSize * 2.4));
    m_currentRing->setPen(QPen(t.critical, t.presenter ? 3.0 : 2.0));
    m_currentRing->setSize(t.markerSize * 3.2);
    m_currentLabel->setFont(t.font(0.9, true));
    m_currentLabel->setColor(t.foreground);
    m_currentLabel->setBrush(t.panel);
    m_currentLabel->setPen(QPen(t.grid));
    // The diverging map is pale in the middle, so region labels use dark text on both themes.
    for (QCPItemText* l : {m_orderedLabel, m_chaoticLabel}) {
        l->setFont(t.font(0.95, true));
        l->setColor(QColor(0x22, 0x22, 0x22));
        l->setBrush(QColor(255, 255, 255, 200));
        l->setPadding(QMargins(5, 3, 5, 3));
    }
}

void PhaseDiagramPlot::clear() {
    m_current->data()->clear();
    m_currentLabel->setVisible(false);
    m_currentRing->setVisible(false);
    rememberSnapshot(nullptr);
    if (!m_hasDiagram) {
        m_map->setVisible(false);
        m_orderedLabel->setVisible(false);
        m_chaoticLabel->setVisible(false);
        plot()->xAxis->setRange(0, 4);
        plot()->yAxis->setRange(0, 0.5);
        setEmptyMessage(tr("Press Train to start\nthe order-to-chaos map for your activation appears here"));
    }
}

PhaseDiagramPlot::Computed PhaseDiagramPlot::compute(Request request) {
    core::PhaseDiagram d = core::computePhaseDiagram(request.activation, kColumns, kRows, request.w2Max, request.b2Max);
    // Saturating activations reach chi_1 = 1 only at larger sigma_w^2: look once on a
    // wider map; if there is still no critical line (sigmoid stays ordered), keep the
    // readable range around the configuration.
    if (d.criticalLine.empty()) {
        core::PhaseDiagram wide =
            core::computePhaseDiagram(request.activation, kColumns, kRows, request.w2Max * 5.0, request.b2Max);
        if (!wide.criticalLine.empty()) {
            d = std::move(wide);
            request.w2Max *= 5.0;
        }
    }
    return {request, std::move(d)};
}

void PhaseDiagramPlot::ensureDiagram(const core::ActivationSpec& activation, double sigmaW2, double sigmaB2) {
    // Ranges in coarse steps so small config changes reuse the grid.
    double w2Max = std::max(4.0, std::ceil(sigmaW2 * 1.3));
    const double b2Max = std::max(0.5, std::ceil(sigmaB2 * 1.5 * 2.0) / 2.0);
    const bool sameActivation = m_hasDiagram && activation == m_shown.activation;
    if (sameActivation && w2Max <= m_shown.w2Max && b2Max <= m_shown.b2Max) return;
    if (sameActivation) w2Max = std::max(w2Max, m_shown.w2Max);
    const Request request{activation, w2Max, b2Max};
    if (m_pendingRequest && *m_pendingRequest == request) return;  // already on its way
    // A newer request replaces an unfinished one, whose result is simply not used. Its
    // future is kept aside: destroying it would wait for the computation here.
    if (m_pending.valid()) m_abandoned.push_back(std::move(m_pending));
    std::erase_if(m_abandoned, [](const std::future<Computed>& f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    m_pending = std::async(std::launch::async, &PhaseDiagramPlot::compute, request);
    m_pendingRequest = request;
    ++m_computations;
    m_poll->start();
}

void PhaseDiagramPlot::collect() {
    if (!m_pending.valid() || m_pending.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    Computed computed = m_pending.get();
    m_pendingRequest.reset();
    m_poll->stop();
    m_shown = computed.request;
    fillMap(computed.diagram);
    if (snapshot()) showFrame(snapshot(), core::TrainingHistory());  // place the marker label on the new ranges
    requestReplot();
}

void PhaseDiagramPlot::settle() {
    if (m_pending.valid()) m_pending.wait();
    collect();
}

void PhaseDiagramPlot::fillMap(const core::PhaseDiagram& d) {
    QCPColorMapData* data = m_map->data();
    data->setSize(d.columns, d.rows);
    data->setRange(QCPRange(d.sigmaW2Min, d.sigmaW2Max), QCPRange(d.sigmaB2Min, d.sigmaB2Max));
    bool ordered = false, chaotic = false;
    for (int r = 0; r < d.rows; ++r) {
        for (int c = 0; c < d.columns; ++c) {
            const double chi = d.chi1[std::size_t(r) * d.columns + c];
            ordered |= chi < 1.0;
            chaotic |= chi > 1.0;
            // chi_1 = 0 (sigma_w^2 = 0) is "maximally ordered": clamp into the scale.
            data->setCell(c, r, std::isfinite(chi) ? std::clamp(chi, 1.0 / kChiSpan, kChiSpan) : chi);
        }
    }
    QVector<double> t, x, y;
    for (std::size_t i = 0; i < d.criticalLine.size(); ++i) {
        t << double(i);
        x << d.criticalLine[i].first;
        y << d.criticalLine[i].second;
    }
    m_critical->setData(t, x, y, true);
    m_map->setVisible(true);
    m_hasDiagram = true;
    m_orderedLabel->setVisible(ordered);
    m_orderedLabel->setText(chaotic ? tr("ordered: χ₁ < 1\ngradients vanish")
                                    : tr("ordered everywhere: χ₁ < 1\n(no critical line for this activation)"));
    m_chaoticLabel->setVisible(chaotic);
    plot()->xAxis->setRange(d.sigmaW2Min, d.sigmaW2Max);
    plot()->yAxis->setRange(d.sigmaB2Min, d.sigmaB2Max);
}

bool PhaseDiagramPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    return next.runId != shown.runId;  // it shows the configuration, fixed for a run
}

void PhaseDiagramPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (!snapshot) return;
    const core::ExperimentConfig& cfg = snapshot->config;
    if (cfg.model == core::ModelKind::Recurrent) {
        m_map->setVisible(false);
        m_critical->data()->clear();
        m_current->data()->clear();
        m_currentLabel->setVisible(false);
        m_currentRing->setVisible(false);
        m_orderedLabel->setVisible(false);
        m_chaoticLabel->setVisible(false);
        m_hasDiagram = false;
        setEmptyMessage(tr("The mean-field phase diagram describes deep feed-forward nets.\n"
                           "For recurrent nets, watch the recurrent Jacobian's spectrum."));
        return;
    }
    if (cfg.layers.empty()) return;
    const core::ActivationSpec act = cfg.layers.size() > 1 ? cfg.layers[1].activation : cfg.layers[0].activation;
    const core::MeanFieldPrediction& th = snapshot->theory;
    if (!std::isfinite(th.sigmaW2) || !std::isfinite(th.sigmaB2)) return;
    ensureDiagram(act, th.sigmaW2, th.sigmaB2);
    m_current->setData({th.sigmaW2}, {th.sigmaB2});
    m_currentRing->position->setCoords(th.sigmaW2, th.sigmaB2);
    m_currentRing->setVisible(true);
    QString depth;
    if (std::isinf(th.depthScale) || std::abs(th.chi1 - 1.0) < 1e-9) depth = tr("critical: no decay");
    else if (th.depthScale > 0) depth = tr("shrinks e-fold every %1 layers").arg(th.depthScale, 0, 'g', 3);
    else depth = tr("grows e-fold every %1 layers").arg(-th.depthScale, 0, 'g', 3);
    m_currentLabel->setText(tr("this network\nχ₁ = %1\n‖∂L/∂h‖² %2").arg(th.chi1, 0, 'g', 3).arg(depth));
    // Label beside the star, on the side with more room.
    const bool right = th.sigmaW2 < (plot()->xAxis->range().center());
    const bool below = th.sigmaB2 > plot()->yAxis->range().center();
    m_currentLabel->position->setType(QCPItemPosition::ptPlotCoords);
    const double dx = plot()->xAxis->range().size() * 0.03, dy = plot()->yAxis->range().size() * 0.03;
    m_currentLabel->position->setCoords(th.sigmaW2 + (right ? dx : -dx), th.sigmaB2 + (below ? -dy : dy));
    m_currentLabel->setPositionAlignment((right ? Qt::AlignLeft : Qt::AlignRight) | (below ? Qt::AlignTop : Qt::AlignBottom));
    m_currentLabel->setPadding(QMargins(6, 3, 6, 3));
    m_currentLabel->setVisible(true);
    setEmptyMessage(m_hasDiagram || !m_pendingRequest ? QString() : tr("Computing the order-to-chaos map\u2026"));
}

}  // namespace gradflow::ui
