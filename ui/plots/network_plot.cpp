#include "ui/plots/network_plot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSignalBlocker>
#include <cmath>

#include "ui/plots/network_diagram.h"
#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {

/// The key under the diagram, longest first; fitText() takes the first that fits.
/// What the diagram holds, so the key and the colour bar name only what is drawn.
struct Drawn {
    bool blocks = false;  ///< a wide layer's block
    bool units = false;   ///< a node with an activation function
};

Drawn drawnIn(const core::NetworkPicture& picture) {
    Drawn d;
    for (const core::PictureLayer& l : picture.layers) {
        d.blocks = d.blocks || l.units > core::kMaxDrawnUnits;
        d.units = d.units || !l.unitSaturation.empty();
    }
    return d;
}

/// The key under the diagram, longest first; fitText() takes the first that fits.
QStringList keyForms(const core::NetworkPicture& picture, EdgeEncoding encoding) {
    const QString at = QObject::tr("step %1").arg(picture.step + 1);
    if (picture.unrolled) {
        return {QObject::tr("%1 · one block per time step t: the hidden state, coloured by ‖∂L/∂h_t‖ (strip below: "
                            "saturated share); the cell's weights are shared by every step")
                    .arg(at),
                QObject::tr("%1 · a block per time step, colour ‖∂L/∂h_t‖; strip: saturated share").arg(at),
                QObject::tr("%1 · colour ‖∂L/∂h_t‖").arg(at), at};
    }
    const Drawn drawn = drawnIn(picture);
    QString edges;
    if (encoding == EdgeEncoding::WeightGradient)
        edges = drawn.blocks ? QObject::tr("edges |∂L/∂W|, blocks ‖∂L/∂h‖ (scale fixed at step 1; grey: exactly 0)")
                             : QObject::tr("edges |∂L/∂W| (scale fixed at step 1; grey: exactly 0)");
    else
        edges = drawn.blocks ? QObject::tr("edges: weights (red +, blue −), bands: RMS weight")
                             : QObject::tr("edges: weights (red +, blue −)");
    QStringList fills, briefFills;
    if (drawn.units)
        fills << QObject::tr("node fill: share of the batch saturated, ✕ dead"),
            briefFills << QObject::tr("fill: saturated, ✕ dead");
    if (drawn.blocks) fills << QObject::tr("gauge: saturated, dead (dark)"), briefFills << QObject::tr("gauge: saturated");
    const QString separator = QStringLiteral(" · ");
    QStringList forms;
    if (!fills.isEmpty()) forms << QStringList{at, edges, fills.join(separator)}.join(separator);
    if (!briefFills.isEmpty()) forms << QStringList{at, edges, briefFills.join(separator)}.join(separator);
    forms << at + separator + edges << at;
    return forms;
}

QString percent(double share) { return QStringLiteral("%1%").arg(100.0 * share, 0, 'f', share < 0.1 ? 1 : 0); }

}  // namespace

NetworkPlot::NetworkPlot(QWidget* parent) : PlotView(QStringLiteral("network"), tr("Network graph"), parent) {
    // "graph": the window's Network panel is the layer editor.
    setShortTitle(tr("Graph"));
    m_encodingBox = new QComboBox(this);
    m_encodingBox->addItem(tr("|∂L/∂W|"), int(EdgeEncoding::WeightGradient));
    m_encodingBox->addItem(tr("Weights"), int(EdgeEncoding::Weight));
    m_encodingBox->setToolTip(
        tr("What the edges' width and colour show: each weight's gradient magnitude (log scale, "
           "fixed for the run) or the weight itself"));
    toolRow()->addWidget(new QLabel(tr("Edges:"), this));
    toolRow()->addWidget(m_encodingBox);
    toolRow()->addStretch(1);
    connect(m_encodingBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setEncoding(EdgeEncoding(m_encodingBox->currentData().toInt())); });

    QCustomPlot* p = plot();
    for (QCPAxis* axis : p->axisRect()->axes()) {
        axis->setVisible(false);
        axis->setRange(0, 1);
    }
    p->axisRect()->setAutoMargins(QCP::msNone);
    p->axisRect()->setMargins(QMargins(2, 2, 2, 2));
    m_diagram = new NetworkDiagram(p);
    m_scale = new QCPColorScale(p);
    body()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setDataScaleType(QCPAxis::stLinear);
    m_scale->setBarWidth(10);
    auto* group = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_key = new QCPTextElement(p, QString());
    p->plotLayout()->addElement(2, 0, m_key);
    p->plotLayout()->setRowStretchFactor(2, 0.001);
    connect(p, &QCustomPlot::mousePress, this, &NetworkPlot::onMousePress);
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

const NetworkLayout& NetworkPlot::diagramLayout() const { return m_diagram->layout(); }

void NetworkPlot::setTheme(const Theme& theme) {
    PlotView::setTheme(theme);
    styleAxis(m_scale->axis(), theme);
    m_key->setFont(theme.font(0.85));
    m_key->setTextColor(theme.mutedText);
    m_key->setMargins(QMargins(6, 0, 6, theme.presenter ? 6 : 3));
    if (m_picture) rebuild();
}

void NetworkPlot::clear() {
    m_picture.reset();
    m_selected = -1;
    m_diagram->setPicture(nullptr, {});
    m_scale->setVisible(false);
    m_key->setText(QString());
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nthe network and its gradients show here"));
}

bool NetworkPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    const bool clippedShown = shown.latest && shown.latest->clipped, clippedNext = next.latest && next.latest->clipped;
    return shown.runId != next.runId || shown.distributions != next.distributions || shown.selectedUnit != next.selectedUnit ||
           clippedShown != clippedNext;
}

void NetworkPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (snapshot && snapshot->runId != m_runId) {
        m_runId = snapshot->runId;
        m_selected = -1;
    }
    if (snapshot && snapshot->selectedUnit >= 0) m_selected = snapshot->selectedUnit;
    core::NetworkPicturePtr picture = snapshot && snapshot->distributions ? snapshot->distributions->network : nullptr;
    if (!picture) {
        if (m_picture) clear();
        rememberSnapshot(snapshot);
        return;
    }
    m_picture = std::move(picture);
    rebuild();
}

void NetworkPlot::setEncoding(EdgeEncoding encoding) {
    if (encoding == m_encoding) return;
    m_encoding = encoding;
    {
        const QSignalBlocker blocker(m_encodingBox);
        m_encodingBox->setCurrentIndex(m_encodingBox->findData(int(encoding)));
    }
    if (m_picture) rebuild();
    emit encodingChanged(encoding);
    requestReplot();
}

void NetworkPlot::setSelectedUnit(int unit) {
    m_selected = unit;
    m_diagram->setSelectedUnit(m_selectionShown ? unit : -1);
    requestReplot();
}

void NetworkPlot::setSelectionShown(bool shown) {
    m_selectionShown = shown;
    m_diagram->setSelectedUnit(shown ? m_selected : -1);
}

QString NetworkPlot::clipNote(const Snapshot& s, bool& clipped) const {
    const core::ClipSpec& clip = s.config.training.clip;
    clipped = s.latest && s.latest->clipped;
    if (clip.mode == core::ClipMode::Off) return {};
    const QString threshold = formatValue(clip.threshold);
    if (clip.mode == core::ClipMode::Value)
        return clipped ? tr("✂ clipped: each |g| to ≤ %1 at the last step").arg(threshold)
                       : tr("✂ clip each |g| at %1 (last step: not clipped)").arg(threshold);
    return clipped ? tr("✂ clipped: ‖g‖ %1 → %2 at the last step")
                         .arg(formatValue(s.latest->gradNorm), formatValue(s.latest->gradNormClipped))
                   : tr("✂ clip ‖g‖ at %1 (last step: not clipped)").arg(threshold);
}

void NetworkPlot::rebuild() {
    const Theme& t = theme();
    LayoutInputs in;
    in.encoding = m_encoding;
    in.magnitudeColors = magnitudeGradient(t);
    in.weightColors = divergingGradient(t);
    in.theme = t;
    in.textHeight = QFontMetricsF(t.font(0.85)).height();
    const SnapshotPtr s = snapshot();
    if (s && !m_picture->unrolled) {
        for (const core::LayerSpec& layer : s->config.layers)
            in.normalisation.push_back(layer.batchNorm   ? QStringLiteral("BN")
                                       : layer.layerNorm ? QStringLiteral("LN")
                                                         : QString());
    }
    m_diagram->setPicture(m_picture, in);
    m_diagram->setSelectedUnit(m_selectionShown ? m_selected : -1);
    bool clipped = false;
    m_diagram->setClipNote(s ? clipNote(*s, clipped) : QString(), clipped);
    updateLegend();
    setEmptyMessage(QString());
    fitText(plot()->width());
}

void NetworkPlot::updateLegend() {
    const core::PictureScale& scale = m_picture->scale;
    const Theme& t = theme();
    m_scale->setVisible(true);
    if (m_encoding == EdgeEncoding::WeightGradient || m_picture->unrolled) {
        m_scale->setGradient(magnitudeGradient(t));
        m_scale->axis()->setTicker(QSharedPointer<Log10Ticker>::create());
        m_scale->setDataRange(QCPRange(scale.log10Low, scale.log10High));
        m_scale->axis()->setLabel(m_picture->unrolled          ? tr("‖∂L/∂h_t‖ (fixed)")
                                  : drawnIn(*m_picture).blocks ? tr("|∂L/∂W|, ‖∂L/∂h‖ (fixed)")
                                                               : tr("|∂L/∂W| (fixed)"));
    } else {
        m_scale->setGradient(divergingGradient(t));
        m_scale->axis()->setTicker(QSharedPointer<QCPAxisTicker>::create());
        m_scale->setDataRange(QCPRange(-scale.weightMax, scale.weightMax));
        m_scale->axis()->setLabel(tr("weight (fixed)"));
    }
}

void NetworkPlot::fitText(int width) {
    if (!m_picture) {
        m_key->setText(QString());
        return;
    }
    const QStringList forms = keyForms(*m_picture, m_encoding);
    const QFontMetricsF metrics(m_key->font());
    QString chosen = forms.last();
    for (const QString& form : forms) {
        if (metrics.horizontalAdvance(form) + 16 <= width) {
            chosen = form;
            break;
        }
    }
    m_key->setText(chosen);
}

void NetworkPlot::onMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int unit = diagramLayout().unitAt(event->position());
    if (unit < 0) return;
    setSelectedUnit(unit);
    emit unitSelected(unit);
}

QString NetworkPlot::toolTipAt(const QPoint& pos) const {
    if (!m_picture) return PlotView::toolTipAt(pos);
    const NetworkLayout& l = diagramLayout();
    const QPointF p(pos);
    const QString unitName = QString::fromStdString(snapshot() ? snapshot()->depthUnitName : "layer");
    for (const DiagramColumn& col : l.columns) {
        if (col.unit < 1) continue;
        const core::PictureLayer& layer = m_picture->layers[std::size_t(col.unit - 1)];
        for (std::size_t i = 0; i < col.nodes.size(); ++i) {
            const DiagramNode& node = col.nodes[i];
            const QPointF d = p - node.centre;
            if (std::hypot(d.x(), d.y()) > node.radius + 2) continue;
            QString text = tr("%1 %2, unit %3").arg(unitName).arg(col.unit).arg(i + 1);
            if (node.dead) text += tr("\ndead: φ′ = 0 on every sample of the batch");
            else if (std::isfinite(node.saturation))
                text += tr("\nsaturated (φ′ < 5% of max) on %1 of the batch").arg(percent(node.saturation));
            return text;
        }
        if (col.block && col.box.adjusted(-2, -2, col.box.width() * 0.22 + 4, 2).contains(p)) {
            QString text = tr("%1 %2: %3 units\n‖∂L/∂h‖ = %4")
                               .arg(unitName)
                               .arg(col.unit)
                               .arg(col.width)
                               .arg(formatValue(layer.activationGradNorm));
            if (std::isfinite(layer.saturation)) text += tr("\nsaturated: %1 of (unit, sample)").arg(percent(layer.saturation));
            if (std::isfinite(layer.deadFraction) && !m_picture->unrolled)
                text += tr(", dead units: %1").arg(percent(layer.deadFraction));
            return text;
        }
    }
    // The nearest weight's edge within a few pixels (a time step's links carry no number).
    const DiagramEdge* nearest = nullptr;
    double best = 4.0;
    for (const DiagramEdge& e : l.edges) {
        const double d = l.unrolled ? HUGE_VAL : distanceToEdge(e, p) - e.style.width / 2;
        if (d <= best) best = d, nearest = &e;
    }
    if (nearest) {
        const core::PictureLayer& layer = m_picture->layers[std::size_t(nearest->unit - 1)];
        if (nearest->band)
            return tr("%1 %2: RMS weight %3, RMS |∂L/∂W| %4")
                .arg(unitName)
                .arg(nearest->unit)
                .arg(formatValue(layer.weightRms), formatValue(layer.weightGradRms));
        const std::size_t k = std::size_t(nearest->row) + std::size_t(nearest->column) * std::size_t(layer.units);
        return tr("%1 %2: W(%3, %4) = %5, ∂L/∂W = %6")
            .arg(unitName)
            .arg(nearest->unit)
            .arg(nearest->row + 1)
            .arg(nearest->column + 1)
            .arg(formatValue(layer.weights[k]), formatValue(layer.weightGrads[k]));
    }
    return PlotView::toolTipAt(pos);
}

}  // namespace gradflow::ui
