#include "ui/plots/plot_geometry.h"

#include <qcustomplot.h>
#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {

/// Collects problems with the name of the thing they are in.
class Report {
public:
    void add(const QString& where, const QString& what) { m_lines << where + QStringLiteral(": ") + what; }
    QStringList lines() const { return m_lines; }

private:
    QStringList m_lines;
};

QString num(double v) { return QString::number(v, 'g', 4); }
QString rangeText(const QCPRange& r) { return QStringLiteral("[%1, %2]").arg(num(r.lower), num(r.upper)); }

QString nameOf(const QCPLayerable* l) {
    const QString type = QString::fromLatin1(l->metaObject()->className());
    if (const auto* p = qobject_cast<const QCPAbstractPlottable*>(l)) return QStringLiteral("%1 '%2'").arg(type, p->name());
    if (const auto* t = qobject_cast<const QCPItemText*>(l))
        return QStringLiteral("%1 '%2'").arg(type, t->text().section(QLatin1Char('\n'), 0, 0));
    return type;
}

/// Inside the axis range, give or take rounding: relative to the span on a linear axis,
/// to each bound on a log axis (where 0 is far below a floor of 1e-14).
bool within(double v, const QCPAxis* axis) {
    const QCPRange r = axis->range();
    if (axis->scaleType() == QCPAxis::stLogarithmic) return v >= r.lower * (1 - 1e-9) && v <= r.upper * (1 + 1e-9);
    const double slack = 1e-9 * r.size();
    return v >= r.lower - slack && v <= r.upper + slack;
}

void checkValue(Report& report, const QCPLayerable* l, const char* what, double v, const QCPAxis* axis) {
    if (std::isnan(v)) return;  // a gap: nothing is drawn
    if (!std::isfinite(v) || !within(v, axis))
        report.add(nameOf(l), QStringLiteral("%1 %2 outside %3").arg(QLatin1String(what), num(v), rangeText(axis->range())));
}

void checkPlottable(Report& report, QCPAbstractPlottable* p) {
    const QCPAxis* key = p->keyAxis();
    const QCPAxis* value = p->valueAxis();
    if (!key || !value) return;
    if (value->scaleType() == QCPAxis::stLogarithmic && !(value->range().lower > 0))
        report.add(nameOf(p), QStringLiteral("log axis range %1 is not positive").arg(rangeText(value->range())));
    if (auto* g = qobject_cast<QCPGraph*>(p)) {
        for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
            if (std::isnan(it->value)) continue;
            checkValue(report, p, "key", it->key, key);
            checkValue(report, p, "value", it->value, value);
        }
    } else if (auto* c = qobject_cast<QCPCurve*>(p)) {
        for (auto it = c->data()->constBegin(); it != c->data()->constEnd(); ++it) {
            if (std::isnan(it->key) || std::isnan(it->value)) continue;
            checkValue(report, p, "key", it->key, key);
            checkValue(report, p, "value", it->value, value);
        }
    } else if (auto* b = qobject_cast<QCPBars*>(p)) {
        if (b->data()->isEmpty()) return;
        checkValue(report, p, "base", b->baseValue(), value);
        // Bars stand on the axis (a log axis has no 0 to stand on: its floor then).
        const double floor = value->scaleType() == QCPAxis::stLogarithmic ? value->range().lower : 0.0;
        if (std::abs(b->baseValue() - floor) > 1e-9 * std::max(std::abs(floor), 1e-300) && within(floor, value))
            report.add(nameOf(p), QStringLiteral("bars float: base %1, axis floor %2").arg(num(b->baseValue()), num(floor)));
        const double half = b->widthType() == QCPBars::wtPlotCoords ? b->width() / 2 : 0.0;
        for (auto it = b->data()->constBegin(); it != b->data()->constEnd(); ++it) {
            if (std::isnan(it->value)) continue;
            checkValue(report, p, "bar edge", it->key - half, key);
            checkValue(report, p, "bar edge", it->key + half, key);
            checkValue(report, p, "bar top", it->value, value);
        }
    } else if (auto* e = qobject_cast<QCPErrorBars*>(p)) {
        QCPPlottableInterface1D* main = e->dataPlottable() ? e->dataPlottable()->interface1D() : nullptr;
        if (!main) return;
        const auto& errors = *e->data();
        for (int i = 0; i < std::min<int>(main->dataCount(), int(errors.size())); ++i) {
            const double v = main->dataMainValue(i);
            if (std::isnan(v)) continue;
            checkValue(report, p, "whisker", v - errors[i].errorMinus, value);
            checkValue(report, p, "whisker", v + errors[i].errorPlus, value);
        }
    } else if (auto* m = qobject_cast<QCPColorMap*>(p)) {
        const QCPColorMapData* d = m->data();
        QCPRange keys = d->keyRange(), values = d->valueRange();
        if (!m->tightBoundary()) {
            // Cells are centred on the range ends: the image reaches half a cell further.
            const double hk = d->keySize() > 1 ? keys.size() / (d->keySize() - 1) / 2 : 0.5;
            const double hv = d->valueSize() > 1 ? values.size() / (d->valueSize() - 1) / 2 : 0.5;
            keys = QCPRange(keys.lower - hk, keys.upper + hk);
            values = QCPRange(values.lower - hv, values.upper + hv);
        }
        checkValue(report, p, "image edge", keys.lower, key);
        checkValue(report, p, "image edge", keys.upper, key);
        checkValue(report, p, "image edge", values.lower, value);
        checkValue(report, p, "image edge", values.upper, value);
    }
}

/// An item position in pixels. Viewport ratios are taken against the figure's viewport:
/// after an export the plot has its widget's viewport back, its elements not yet.
QPointF pixelOf(const QCPItemPosition* position, const QRectF& viewport) {
    if (position->type() != QCPItemPosition::ptViewportRatio) return position->pixelPosition();
    const QPointF c = position->coords();
    return {viewport.left() + c.x() * viewport.width(), viewport.top() + c.y() * viewport.height()};
}

void checkInside(Report& report, const QCPLayerable* l, const QRectF& painted, const QRectF& room) {
    if (!room.adjusted(-1, -1, 1, 1).contains(painted))
        report.add(nameOf(l), QStringLiteral("painted at (%1, %2) %3x%4, outside (%5, %6) %7x%8")
                                  .arg(painted.x())
                                  .arg(painted.y())
                                  .arg(painted.width())
                                  .arg(painted.height())
                                  .arg(room.x())
                                  .arg(room.y())
                                  .arg(room.width())
                                  .arg(room.height()));
}

void checkItem(Report& report, QCPAbstractItem* item, const QRectF& viewport) {
    const QRectF room = item->clipToAxisRect() && item->clipAxisRect() ? QRectF(item->clipAxisRect()->rect()) : viewport;
    if (auto* t = qobject_cast<QCPItemText*>(item)) {
        if (!t->text().isEmpty()) checkInside(report, item, textItemBox(*t, pixelOf(t->position, viewport)), room);
    } else if (auto* e = qobject_cast<QCPItemEllipse*>(item)) {
        checkInside(report, item, QRectF(e->topLeft->pixelPosition(), e->bottomRight->pixelPosition()).normalized(), room);
    } else if (auto* r = qobject_cast<QCPItemRect*>(item)) {
        checkInside(report, item, QRectF(r->topLeft->pixelPosition(), r->bottomRight->pixelPosition()).normalized(), room);
    } else if (auto* tr = qobject_cast<QCPItemTracer*>(item)) {
        const double r = tr->size() / 2;
        checkInside(report, item, QRectF(tr->position->pixelPosition() - QPointF(r, r), QSizeF(2 * r, 2 * r)), room);
    }
    // QCPItemStraightLine and QCPItemLine cut themselves at the clip rect.
}

/// Text of `font` no wider than `room` (multi-line text: its widest line).
void checkFits(Report& report, const QString& what, const QString& text, const QFont& font, double room) {
    if (text.isEmpty()) return;
    const double width = QFontMetricsF(font).boundingRect(QRectF(), Qt::TextDontClip, text).width();
    if (width > room + 1.0)
        report.add(what, QStringLiteral("'%1' is %2 px wide, has %3 px").arg(text).arg(width, 0, 'f', 0).arg(room, 0, 'f', 0));
}

void checkAxisLabels(Report& report, QCPAxisRect* rect) {
    for (QCPAxis* axis : rect->axes()) {
        if (!axis->visible()) continue;
        const double length = axis->orientation() == Qt::Horizontal ? rect->width() : rect->height();
        checkFits(report, QStringLiteral("axis label"), axis->label(), axis->labelFont(), length);
    }
}

void checkLayout(Report& report, QCustomPlot& plot, const QRectF& viewport) {
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true)) {
        if (!element || !element->realVisibility()) continue;
        if (auto* title = qobject_cast<QCPTextElement*>(element)) {
            checkFits(report, QStringLiteral("title"), title->text(), title->font(), title->rect().width());
        } else if (auto* rect = qobject_cast<QCPAxisRect*>(element)) {
            checkAxisLabels(report, rect);
        } else if (auto* scale = qobject_cast<QCPColorScale*>(element)) {
            checkFits(report, QStringLiteral("colour scale label"), scale->axis()->label(), scale->axis()->labelFont(),
                      scale->rect().height());
        } else if (auto* legend = qobject_cast<QCPLegend*>(element)) {
            for (int i = 0; i < legend->itemCount(); ++i) {
                QCPAbstractLegendItem* item = legend->item(i);
                if (!item || !item->realVisibility()) continue;
                const QRectF outer = item->outerRect();
                if (item->minimumOuterSizeHint().width() > outer.width() + 1)
                    report.add(QStringLiteral("legend"), QStringLiteral("an entry needs %1 px, has %2 px")
                                                             .arg(item->minimumOuterSizeHint().width())
                                                             .arg(outer.width()));
                checkInside(report, item, outer, viewport);
            }
        }
    }
}

}  // namespace

QStringList figureGeometryProblems(QCustomPlot& plot) {
    Report report;
    // toPainter() restores the widget's viewport but leaves the elements laid out at the
    // figure's size: their outer rects span the area that was drawn.
    QRectF viewport;
    for (QCPLayoutElement* e : plot.plotLayout()->elements(false))
        if (e) viewport = viewport.united(e->outerRect());
    for (int i = 0; i < plot.plottableCount(); ++i) {
        QCPAbstractPlottable* p = plot.plottable(i);
        if (p->realVisibility()) checkPlottable(report, p);
    }
    for (int i = 0; i < plot.itemCount(); ++i) {
        QCPAbstractItem* item = plot.item(i);
        if (item->realVisibility()) checkItem(report, item, viewport);
    }
    checkLayout(report, plot, viewport);
    return report.lines();
}

}  // namespace gradflow::ui
