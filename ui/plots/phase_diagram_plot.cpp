#include "ui/plots/phase_diagram_plot.h"

#include <QTimer>
#include <algorithm>
#include <chrono>
#include <cmath>

#include "ui/plots/label_placer.h"
#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {
// Interpolated on screen, so 80 x 48 cells look smooth; 120 x 72 cost 2.25x the
// quadrature (seconds for GELU) for no visible gain.
constexpr int kColumns = 80;
constexpr int kRows = 48;
constexpr double kChiSpan = 10.0;  ///< colour scale covers chi_1 in [1/10, 10]
}  // namespace

PhaseDiagramPlot::PhaseDiagramPlot(QWidget* parent) : PlotView(QStringLiteral("phase"), tr("Mean-field phase diagram"), parent) {
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
    // Texts over the map are positioned by arrangeLabels(), after each layout.
    m_orderedLabel = new QCPItemText(p);
    m_orderedTexts = {tr("ordered: χ₁ < 1\ngradients vanish"), tr("ordered: χ₁ < 1")};
    m_chaoticLabel = new QCPItemText(p);
    m_chaoticLabel->setTextAlignment(Qt::AlignRight);
    m_chaoticTexts = {tr("chaotic: χ₁ > 1\ngradients explode"), tr("chaotic: χ₁ > 1")};
    m_note = new QCPItemText(p);
    m_note->setTextAlignment(Qt::AlignLeft);
    m_note->setPadding(QMargins(7, 5, 7, 5));
    m_note->setVisible(false);
    // A row of its own under the title: which model the whole map describes.
    m_model = new QCPTextElement(p, QString());
    p->plotLayout()->insertRow(1);
    p->plotLayout()->addElement(1, 0, m_model);
    p->plotLayout()->setRowStretchFactor(1, 0.001);
    p->xAxis->setLabel(tr("σ_w²  (weight variance × fan-in)"));
    p->yAxis->setLabel(tr("σ_b²  (bias variance)"));
    p->legend->setVisible(false);
    connect(p, &QCustomPlot::afterLayout, this, &PhaseDiagramPlot::arrangeLabels);
    setTheme(Theme::make(ThemeKind::Light, false));
    fitText(p->width());
    clear();
}

void PhaseDiagramPlot::setTheme(const Theme& t) {
    PlotView::setTheme(t);
    styleAxis(m_scale->axis(), t);
    m_map->setGradient(divergingGradient(t));
    m_critical->setPen(QPen(t.critical, t.lineWidth * 1.2, Qt::DashLine));
    m_currentLabel->setFont(t.font(0.9, true));
    m_currentLabel->setColor(t.foreground);
    m_currentLabel->setBrush(t.panel);
    m_currentLabel->setPen(QPen(t.grid));
    m_model->setFont(t.font(0.95));
    m_model->setTextColor(t.mutedText);
    m_model->setMargins(QMargins(4, 0, 4, 2));
    m_note->setFont(t.font(0.95));
    m_note->setColor(t.foreground);
    m_note->setBrush(t.panel);
    m_note->setPen(QPen(t.mutedText));
    applyMarkerStyle(t);
    // The diverging map is pale in the middle, so region labels use dark text on both themes.
    for (QCPItemText* l : {m_orderedLabel, m_chaoticLabel}) {
        l->setFont(t.font(0.95, true));
        l->setColor(QColor(0x22, 0x22, 0x22));
        l->setBrush(QColor(255, 255, 255, 200));
        l->setPadding(QMargins(5, 3, 5, 3));
    }
}

void PhaseDiagramPlot::applyMarkerStyle(const Theme& t) {
    // Greyed when the map is not this network's (remedies on): a position, not a verdict.
    const QColor colour = m_plainStack ? t.mutedText : t.critical;
    const double width = t.presenter ? 3.0 : 2.0;
    m_current->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(colour, width), Qt::NoBrush, t.markerSize * 2.4));
    m_currentRing->setPen(QPen(colour, width, m_plainStack ? Qt::DashLine : Qt::SolidLine));
    m_currentRing->setSize(t.markerSize * 3.2);
}

void PhaseDiagramPlot::clear() {
    m_current->data()->clear();
    m_markerShown = false;
    m_currentLabel->setVisible(false);
    m_currentRing->setVisible(false);
    m_noteTexts.clear();
    m_note->setVisible(false);
    rememberSnapshot(nullptr);
    if (!m_hasDiagram) {
        m_map->setVisible(false);
        m_orderedShown = m_chaoticShown = false;
        plot()->xAxis->setRange(0, 4);
        plot()->yAxis->setRange(0, 0.5);
        setEmptyMessage(tr("Press Train to start:\nthe order-to-chaos map\nappears here"));
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
    m_orderedShown = ordered;
    m_orderedTexts = chaotic ? QStringList{tr("ordered: χ₁ < 1\ngradients vanish"), tr("ordered: χ₁ < 1")}
                             : QStringList{tr("ordered everywhere: χ₁ < 1\n(no critical line for this activation)"),
                                           tr("ordered everywhere: χ₁ < 1"), tr("ordered: χ₁ < 1")};
    m_chaoticShown = chaotic;
    plot()->xAxis->setRange(d.sigmaW2Min, d.sigmaW2Max);
    plot()->yAxis->setRange(d.sigmaB2Min, d.sigmaB2Max);
}

bool PhaseDiagramPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    return next.runId != shown.runId;  // it shows the configuration, fixed for a run
}

void PhaseDiagramPlot::showRecurrentNote() {
    m_map->setVisible(false);
    m_critical->data()->clear();
    m_current->data()->clear();
    m_markerShown = false;
    m_currentRing->setVisible(false);
    m_orderedShown = m_chaoticShown = false;
    m_hasDiagram = false;
    setEmptyMessage(QString());
    m_noteTexts = {tr("No map for recurrent nets: this theory\nis about deep feed-forward stacks.\n"
                      "For a recurrent net, see the Jacobian\nspectrum across time steps."),
                   tr("No map for recurrent nets:\nsee the Jacobian spectrum."), tr("Feed-forward nets only"),
                   tr("Feed-forward\nnets only")};
}

void PhaseDiagramPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (!snapshot) return;
    const core::ExperimentConfig& cfg = snapshot->config;
    if (cfg.model == core::ModelKind::Recurrent) {
        showRecurrentNote();
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

    // Normalisation and skips are outside the theory: the map stays (the plain stack with
    // the same weights), but it must not pass for a verdict on this network.
    const bool batchNorm = std::any_of(cfg.layers.begin(), cfg.layers.end(), [](const auto& l) { return l.batchNorm; });
    const bool layerNorm = std::any_of(cfg.layers.begin(), cfg.layers.end(), [](const auto& l) { return l.layerNorm; });
    const bool normalised = batchNorm || layerNorm;
    const bool residual = cfg.residual.every > 0;
    const bool plainStack = normalised || residual;
    if (plainStack != m_plainStack) {
        m_plainStack = plainStack;
        applyMarkerStyle(theme());
    }
    const QString chi = tr("χ₁ = %1").arg(th.chi1, 0, 'g', 3);
    if (plainStack) {
        const QString norm = batchNorm ? tr("Batch norm") : tr("Layer norm");
        const QString noNorm = batchNorm ? tr("no batch norm") : tr("no layer norm");
        const QString remedies = normalised && residual ? tr("%1 and residual connections change").arg(norm)
                                 : normalised           ? tr("%1 changes").arg(norm)
                                                        : tr("Residual connections change");
        const QString without = normalised && residual ? tr("%1, no skips").arg(noNorm) : normalised ? noNorm : tr("no skips");
        m_noteTexts = {tr("%1 the dynamics:\nthis map shows the plain stack\n(same weights, %2).\n"
                          "The gradient bars show this network.")
                           .arg(remedies, without),
                       tr("%1 the dynamics:\nthe map shows the plain stack.").arg(remedies),
                       tr("Plain stack only (%1)").arg(without), tr("Plain stack only\n(%1)").arg(without)};
        m_markerTexts = {tr("plain stack,\nsame weights\n%1").arg(chi), tr("plain stack\n%1").arg(chi), chi};
    } else {
        m_noteTexts.clear();
        QString depth;
        if (std::isinf(th.depthScale) || std::abs(th.chi1 - 1.0) < 1e-9) depth = tr("critical: no decay");
        else if (th.depthScale > 0) depth = tr("shrinks e-fold every %1 layers").arg(th.depthScale, 0, 'g', 3);
        else depth = tr("grows e-fold every %1 layers").arg(-th.depthScale, 0, 'g', 3);
        m_markerTexts = {tr("this network\n%1\n‖∂L/∂h‖² %2").arg(chi, depth), tr("this network\n%1").arg(chi), chi};
    }
    m_markerShown = true;
    setEmptyMessage(m_hasDiagram || !m_pendingRequest ? QString() : tr("Computing the order-to-chaos map\u2026"));
}

void PhaseDiagramPlot::fitText(int width) {
    const QStringList statements = {tr("Mean-field theory of a plain fully-connected stack at initialisation, infinitely wide"),
                                    tr("Mean field: plain fully-connected stack at initialisation, infinite width"),
                                    tr("Plain stack at initialisation, infinite width"), tr("Plain stack at init")};
    const QFontMetrics metrics(m_model->font());
    const int room = width - m_model->margins().left() - m_model->margins().right() - 8;
    QString chosen = statements.back();
    for (const QString& s : statements) {
        if (metrics.horizontalAdvance(s) <= room) {
            chosen = s;
            break;
        }
    }
    m_model->setText(chosen);
}

void PhaseDiagramPlot::arrangeLabels() {
    QCustomPlot* p = plot();
    QCPAxisRect* rect = p->axisRect();
    LabelPlacer placer(rect->rect().adjusted(2, 2, -2, -2));
    const QRect area = placer.area();

    // Axis titles in their long form only where they fit along their axis.
    const auto fitLabel = [](QCPAxis* axis, const QStringList& texts, int length) {
        const QFontMetrics metrics(axis->labelFont());
        qsizetype i = 0;
        while (i + 1 < texts.size() && metrics.horizontalAdvance(texts[i]) > length) ++i;
        if (axis->label() != texts[i]) axis->setLabel(texts[i]);
    };
    fitLabel(p->xAxis, {tr("σ_w²  (weight variance × fan-in)"), tr("σ_w²")}, rect->width());
    fitLabel(p->yAxis, {tr("σ_b²  (bias variance)"), tr("σ_b²")}, rect->height());
    fitLabel(m_scale->axis(), {tr("χ₁ (gradient growth per layer)"), tr("χ₁ per layer"), tr("χ₁")}, rect->height());

    // The star and its ring are never covered.
    QPoint star;
    if (m_markerShown && !m_current->data()->isEmpty()) {
        const auto& d = *m_current->data()->constBegin();
        star = QPoint(int(p->xAxis->coordToPixel(d.key)), int(p->yAxis->coordToPixel(d.value)));
        const int r = int(std::ceil(m_currentRing->size() / 2.0)) + 2;
        placer.block(QRect(star - QPoint(r, r), star + QPoint(r, r)));
    }
    using Spot = LabelPlacer::Spot;
    const int gap = 6;
    // Most needed first: the note (what the map is, when it is not this network), the
    // marker's reading, then the region names.
    if (!m_noteTexts.isEmpty()) {
        placer.place(m_note, m_noteTexts,
                     {{QPoint(area.right() - gap, area.top() + gap), Qt::AlignRight | Qt::AlignTop},
                      {QPoint(area.left() + gap, area.bottom() - gap), Qt::AlignLeft | Qt::AlignBottom},
                      {QPoint(area.center().x(), area.top() + gap), Qt::AlignHCenter | Qt::AlignTop},
                      {QPoint(area.left() + gap, area.top() + gap), Qt::AlignLeft | Qt::AlignTop},
                      {QPoint(area.right() - gap, area.bottom() - gap), Qt::AlignRight | Qt::AlignBottom},
                      {QPoint(area.center().x(), area.center().y()), Qt::AlignCenter}});
    } else {
        m_note->setVisible(false);
    }
    if (m_markerShown) {
        // Clear of the blocked ring (its half size + 2) and the air around boxes.
        const int r = int(std::ceil(m_currentRing->size() / 2.0)) + 6;
        // Beside the star, on the side with more room first; then above or below it.
        const bool right = star.x() < area.center().x();
        const bool below = star.y() < area.center().y();
        QList<Spot> spots;
        for (const bool h : {right, !right})
            spots << Spot{star + QPoint(h ? r : -r, 0), (h ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter};
        for (const bool v : {below, !below})
            for (const bool h : {right, !right})
                spots << Spot{star + QPoint(h ? r / 2 : -r / 2, v ? r : -r),
                              (h ? Qt::AlignLeft : Qt::AlignRight) | (v ? Qt::AlignTop : Qt::AlignBottom)};
        placer.place(m_currentLabel, m_markerTexts, spots);
    } else {
        m_currentLabel->setVisible(false);
    }
    // A region's name goes only where the map shows that region (the corner at the
    // spot, where the box starts, sampled).
    const auto inRegion = [&](const QList<Spot>& spots, bool chaotic) {
        QList<Spot> out;
        for (const Spot& spot : spots) {
            const double chi =
                m_map->data()->data(p->xAxis->pixelToCoord(spot.point.x()), p->yAxis->pixelToCoord(spot.point.y()));
            if (std::isfinite(chi) && (chaotic ? chi > 1.0 : chi < 1.0)) out << spot;
        }
        return out;
    };
    const QPoint topLeft(area.left() + gap, area.top() + gap), topRight(area.right() - gap, area.top() + gap);
    const QPoint bottomLeft(area.left() + gap, area.bottom() - gap), bottomRight(area.right() - gap, area.bottom() - gap);
    if (m_orderedShown) {
        placer.place(m_orderedLabel, m_orderedTexts,
                     inRegion({{topLeft, Qt::AlignLeft | Qt::AlignTop},
                               {bottomLeft, Qt::AlignLeft | Qt::AlignBottom},
                               {topRight, Qt::AlignRight | Qt::AlignTop}},
                              false));
    } else {
        m_orderedLabel->setVisible(false);
    }
    if (m_chaoticShown) {
        placer.place(
            m_chaoticLabel, m_chaoticTexts,
            inRegion({{bottomRight, Qt::AlignRight | Qt::AlignBottom}, {topRight, Qt::AlignRight | Qt::AlignTop}}, true));
    } else {
        m_chaoticLabel->setVisible(false);
    }
}

}  // namespace gradflow::ui
