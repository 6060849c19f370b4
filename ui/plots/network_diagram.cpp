#include "ui/plots/network_diagram.h"

#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace gradflow::ui {

namespace {

/// Black or white, whichever reads on `fill`.
QColor textOn(const QColor& fill) { return fill.lightnessF() > 0.55 ? QColor(0x22, 0x22, 0x22) : QColor(Qt::white); }

double penScale(const Theme& theme) { return theme.presenter ? 1.5 : 1.0; }

}  // namespace

NetworkDiagram::NetworkDiagram(QCustomPlot* plot) : QCPAbstractItem(plot) {
    setClipToAxisRect(true);
    setClipAxisRect(plot->axisRect());
    setSelectable(false);
}

void NetworkDiagram::setPicture(core::NetworkPicturePtr picture, const LayoutInputs& inputs) {
    m_picture = std::move(picture);
    m_inputs = inputs;
    updateLayout();
}

void NetworkDiagram::setClipNote(const QString& text, bool clipped) {
    m_clipNote = text;
    m_clipped = clipped;
}

void NetworkDiagram::updateLayout() {
    m_layout = NetworkLayout{};
    if (!m_picture || !clipAxisRect()) return;
    // Room at the right for the clip note's line is taken from the top band, not the width.
    m_inputs.area = QRectF(clipAxisRect()->rect()).adjusted(4, 2, -4, -2);
    m_layout = layOutNetwork(*m_picture, m_inputs);
}

double NetworkDiagram::selectTest(const QPointF&, bool, QVariant*) const { return -1.0; }

void NetworkDiagram::draw(QCPPainter* painter) {
    updateLayout();
    if (m_layout.columns.empty()) return;
    painter->setRenderHint(QPainter::Antialiasing, true);
    for (const DiagramEdge& e : m_layout.edges) {
        QPen pen(e.style.color, e.style.width);
        pen.setCapStyle(e.band ? Qt::FlatCap : Qt::RoundCap);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        if (e.band) {
            painter->drawLine(e.from, e.to);
            continue;
        }
        // The same curve as pointOnEdge(), which hovering measures against.
        const double dx = (e.to.x() - e.from.x()) * 0.5;
        QPainterPath path(e.from);
        path.cubicTo(e.from + QPointF(dx, 0), e.to - QPointF(dx, 0), e.to);
        painter->drawPath(path);
    }
    for (const DiagramArc& arc : m_layout.arcs) drawArc(painter, arc);
    for (const DiagramColumn& col : m_layout.columns) drawColumn(painter, col);
    drawMarks(painter);
}

void NetworkDiagram::drawArc(QCPPainter* painter, const DiagramArc& arc) const {
    const Theme& theme = m_inputs.theme;
    const double lift = m_inputs.textHeight * 1.1;
    const QPointF start = arc.start - QPointF(0, 2), end = arc.end - QPointF(0, 2);
    // Clear of a norm box above the end column, and above every column between.
    const double top = std::min(arc.top + lift * 0.2, std::min(start.y(), end.y()) - lift);
    QPainterPath path(start);
    path.cubicTo(QPointF(start.x(), top), QPointF(end.x(), top), end);
    painter->setPen(QPen(theme.secondary, 1.6 * penScale(theme)));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path);
    // An arrowhead: the skip adds into the layer it lands on.
    const double a = 5.0 * penScale(theme);
    QPolygonF head;
    head << end << end + QPointF(-a * 0.7, -a * 1.3) << end + QPointF(a * 0.7, -a * 1.3);
    painter->setBrush(theme.secondary);
    painter->setPen(Qt::NoPen);
    painter->drawPolygon(head);
}

void NetworkDiagram::drawColumn(QCPPainter* painter, const DiagramColumn& col) const {
    const Theme& theme = m_inputs.theme;
    const double th = m_inputs.textHeight;
    painter->setFont(theme.font(0.85));
    const QPen outline(theme.axis, 1.0 * penScale(theme));
    if (col.block) {
        painter->setPen(outline);
        painter->setBrush(col.blockFill);
        painter->drawRect(col.box);
        // Saturated (and, inside it, dead) share as a gauge beside the block, filling up
        // from the bottom, so the block's colour stays the gradient's.
        if (std::isfinite(col.saturation) && !m_layout.unrolled) {
            const double w = std::max(3.0, col.box.width() * 0.22);
            const QRectF gauge(col.box.right() + 1.5, col.box.top(), w, col.box.height());
            painter->setPen(QPen(theme.grid, 1.0));
            painter->setBrush(theme.panel);
            painter->drawRect(gauge);
            painter->setPen(Qt::NoPen);
            const double filled = gauge.height() * std::clamp(col.saturation, 0.0, 1.0);
            painter->setBrush(theme.warning);
            painter->drawRect(QRectF(gauge.left(), gauge.bottom() - filled, w, filled));
            if (std::isfinite(col.deadFraction) && col.deadFraction > 0) {
                const double dead = gauge.height() * std::clamp(col.deadFraction, 0.0, 1.0);
                painter->setBrush(theme.foreground);
                painter->drawRect(QRectF(gauge.left(), gauge.bottom() - dead, w, dead));
            }
        } else if (std::isfinite(col.saturation)) {
            // Time steps: the saturated share as a strip under each block.
            const QRectF strip(col.box.left(), col.box.bottom() + 3, col.box.width(), th * 0.45);
            painter->setPen(QPen(theme.grid, 1.0));
            painter->setBrush(saturationFill(col.saturation, theme));
            painter->drawRect(strip);
        }
        // The width, along the block when it is narrow.
        if (!m_layout.unrolled && col.width > 0) {
            const QString text = QString::number(col.width);
            painter->setPen(textOn(col.blockFill));
            const QFontMetricsF metrics(painter->font());
            const double advance = metrics.horizontalAdvance(text);
            if (advance + 4 <= col.box.width()) {
                painter->drawText(col.box, Qt::AlignCenter, text);
            } else if (metrics.height() <= col.box.width() + 2 && advance + 4 <= col.box.height()) {
                painter->save();
                painter->translate(col.box.center());
                painter->rotate(-90);
                painter->drawText(QRectF(-col.box.height() / 2, -col.box.width() / 2, col.box.height(), col.box.width()),
                                  Qt::AlignCenter, text);
                painter->restore();
            } else if (advance * 1.6 <= m_layout.spacing && col.normalisation.isEmpty() &&
                       std::none_of(m_layout.arcs.begin(), m_layout.arcs.end(), [&](const DiagramArc& arc) {
                           return std::abs(arc.start.x() - col.box.center().x()) < advance ||
                                  std::abs(arc.end.x() - col.box.center().x()) < advance;
                       })) {
                // Too thin to write on: above it, unless a skip arc starts or ends there.
                painter->setPen(theme.mutedText);
                painter->drawText(QRectF(col.box.center().x() - advance / 2 - 1, col.box.top() - metrics.height() - 2,
                                         advance + 2, metrics.height()),
                                  Qt::AlignCenter, text);
            }
        }
    } else {
        for (const DiagramNode& node : col.nodes) {
            painter->setPen(outline);
            painter->setBrush(saturationFill(node.saturation, theme));
            painter->drawEllipse(node.centre, node.radius, node.radius);
            if (node.dead) {
                // A dead unit: its slope is 0 on every sample, nothing passes back through it.
                const double r = node.radius * 0.62;
                painter->setPen(QPen(theme.foreground, 1.4 * penScale(theme)));
                painter->drawLine(node.centre + QPointF(-r, -r), node.centre + QPointF(r, r));
                painter->drawLine(node.centre + QPointF(-r, r), node.centre + QPointF(r, -r));
            }
        }
    }
    if (!col.normalisation.isEmpty()) {
        // Normalisation acts between the weighted sum and phi: a marked box on the column.
        const QFontMetricsF metrics(painter->font());
        const double w = metrics.horizontalAdvance(col.normalisation) + 6, h = metrics.height() + 2;
        const QRectF box(col.box.center().x() - w / 2, col.box.top() - h - 3, w, h);
        painter->setPen(QPen(theme.theory, 1.2 * penScale(theme)));
        painter->setBrush(theme.panel);
        painter->drawRoundedRect(box, 3, 3);
        painter->setPen(theme.theory);
        painter->drawText(box, Qt::AlignCenter, col.normalisation);
    }
    if (!col.label.isEmpty()) {
        const QRectF labelBox(col.box.center().x() - th * 1.6, m_layout.labelTop, th * 3.2, th * 1.3);
        painter->setPen(theme.mutedText);
        painter->drawText(labelBox, Qt::AlignCenter, col.label);
    }
    if (col.unit >= 1 && col.unit - 1 == m_selected) {
        painter->setPen(QPen(theme.accent, 2.0 * penScale(theme), Qt::DashLine));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(col.box.adjusted(-5, -5, 5 + (col.block ? col.box.width() * 0.22 + 2 : 0), 5), 4, 4);
    }
}

void NetworkDiagram::drawMarks(QCPPainter* painter) const {
    if (m_clipNote.isEmpty()) return;
    const Theme& theme = m_inputs.theme;
    painter->setFont(theme.font(0.85, m_clipped));
    painter->setPen(m_clipped ? theme.warning : theme.mutedText);
    const QRectF room(m_inputs.area.left(), m_inputs.area.top(), m_inputs.area.width(), m_inputs.textHeight * 1.2);
    const QFontMetricsF metrics(painter->font());
    painter->drawText(room, Qt::AlignRight | Qt::AlignTop, metrics.elidedText(m_clipNote, Qt::ElideRight, room.width()));
}

}  // namespace gradflow::ui
