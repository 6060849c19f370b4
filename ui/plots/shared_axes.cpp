#include "ui/plots/shared_axes.h"

#include <qcustomplot.h>
#include <QPointer>
#include <cmath>
#include <optional>

namespace gradflow::ui {

namespace {

bool usable(const QCPRange& range, bool logarithmic) {
    if (!std::isfinite(range.lower) || !std::isfinite(range.upper) || range.upper <= range.lower) return false;
    return !logarithmic || range.lower > 0.0;
}

std::optional<QCPRange> unite(const QCPRange& a, const QCPRange& b, bool logarithmic) {
    const bool useA = usable(a, logarithmic), useB = usable(b, logarithmic);
    if (useA && useB) return QCPRange(std::min(a.lower, b.lower), std::max(a.upper, b.upper));
    if (useA) return a;
    if (useB) return b;
    return std::nullopt;
}

void shareAxis(QCPAxis* a, QCPAxis* b) {
    if (!a || !b || !a->visible() || !b->visible()) return;
    const bool logarithmic = a->scaleType() == QCPAxis::stLogarithmic || b->scaleType() == QCPAxis::stLogarithmic;
    if (const auto range = unite(a->range(), b->range(), logarithmic)) {
        a->setRange(*range);
        b->setRange(*range);
    }
}

QList<QCPColorScale*> colorScales(QCustomPlot& plot) {
    QList<QCPColorScale*> scales;
    for (QCPLayoutElement* element : plot.plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element)) scales << scale;
    return scales;
}

/// The axis rects, in a stable order. Colour scales size themselves from their own axis,
/// whose range is shared: they need no group.
QList<QCPLayoutElement*> framedElements(QCustomPlot& plot) {
    QList<QCPLayoutElement*> out;
    for (QCPAxisRect* rect : plot.axisRects()) out << rect;
    return out;
}

constexpr QCP::MarginSides kAlignedSides = QCP::msLeft | QCP::msRight;
const char* const kLegendAligner = "gradflowLegendAligner";

/// A legend laid out in a row above the plot (not floating inside it), or null.
QCPLegend* legendInRow(QCustomPlot& plot) {
    QCPLegend* legend = plot.legend;
    if (!legend || !legend->visible() || !legend->layout() || qobject_cast<QCPLayoutInset*>(legend->layout())) return nullptr;
    return legend;
}

/// Both legends as tall as the taller: one side's entries wrapping onto a second row
/// would otherwise push its plot down against the other's. Each legend's own height
/// (its size hint) is unaffected by the minimum set here, so it can shrink back.
void equaliseLegendRows(QCustomPlot& a, QCustomPlot& b) {
    QCPLegend* legendA = legendInRow(a);
    QCPLegend* legendB = legendInRow(b);
    if (!legendA || !legendB) return;
    const int height = std::max(legendA->minimumOuterSizeHint().height(), legendB->minimumOuterSizeHint().height());
    for (QCPLegend* legend : {legendA, legendB}) {
        const QMargins m = legend->margins();
        legend->setMinimumSize(0, height - m.top() - m.bottom());
    }
}

}  // namespace

void alignMargins(QCustomPlot& a, QCustomPlot& b) {
    const QList<QCPLayoutElement*> elementsA = framedElements(a), elementsB = framedElements(b);
    for (qsizetype i = 0; i < std::min(elementsA.size(), elementsB.size()); ++i) {
        if (elementsA[i]->marginGroup(QCP::msLeft)) continue;  // already aligned
        // A margin group does not care which plot its members live in: each plot's layout
        // asks both members for their margin and takes the larger.
        auto* group = new QCPMarginGroup(&a);
        elementsA[i]->setMarginGroup(kAlignedSides, group);
        elementsB[i]->setMarginGroup(kAlignedSides, group);
    }
    if (a.findChild<QObject*>(QLatin1String(kLegendAligner), Qt::FindDirectChildrenOnly)) return;
    // Legend rows follow the entries' wrapping, chosen just before each replot (resize,
    // new frame): equalised then, from whichever plot replots first.
    auto* aligner = new QObject(&a);
    aligner->setObjectName(QLatin1String(kLegendAligner));
    // The aligner dies with `a`; `b` may go first (the two sides are separate widgets).
    const QPointer<QCustomPlot> other(&b);
    for (QCustomPlot* plot : {&a, &b})
        QObject::connect(plot, &QCustomPlot::beforeReplot, aligner, [&a, other] {
            if (other) equaliseLegendRows(a, *other);
        });
}

void unalignMargins(QCustomPlot& a, QCustomPlot& b) {
    const QList<QCPLayoutElement*> elementsA = framedElements(a), elementsB = framedElements(b);
    for (qsizetype i = 0; i < std::min(elementsA.size(), elementsB.size()); ++i) {
        QCPMarginGroup* group = elementsA[i]->marginGroup(QCP::msLeft);
        if (!group) continue;
        elementsA[i]->setMarginGroup(kAlignedSides, nullptr);
        elementsB[i]->setMarginGroup(kAlignedSides, nullptr);
        delete group;
    }
    delete a.findChild<QObject*>(QLatin1String(kLegendAligner), Qt::FindDirectChildrenOnly);
    for (QCustomPlot* plot : {&a, &b})
        if (QCPLegend* legend = legendInRow(*plot)) legend->setMinimumSize(0, 0);
}

void shareAxisRanges(QCustomPlot& a, QCustomPlot& b) {
    const QList<QCPAxisRect*> rectsA = a.axisRects(), rectsB = b.axisRects();
    for (qsizetype i = 0; i < std::min(rectsA.size(), rectsB.size()); ++i) {
        for (const auto side : {QCPAxis::atLeft, QCPAxis::atBottom, QCPAxis::atRight, QCPAxis::atTop}) {
            const QList<QCPAxis*> axesA = rectsA[i]->axes(side), axesB = rectsB[i]->axes(side);
            for (qsizetype k = 0; k < std::min(axesA.size(), axesB.size()); ++k) shareAxis(axesA[k], axesB[k]);
        }
    }
    const QList<QCPColorScale*> scalesA = colorScales(a), scalesB = colorScales(b);
    for (qsizetype i = 0; i < std::min(scalesA.size(), scalesB.size()); ++i) {
        const bool logarithmic = scalesA[i]->dataScaleType() == QCPAxis::stLogarithmic;
        if (const auto range = unite(scalesA[i]->dataRange(), scalesB[i]->dataRange(), logarithmic)) {
            scalesA[i]->setDataRange(*range);
            scalesB[i]->setDataRange(*range);
        }
    }
    // Tick labels for the shared ranges now: with aligned margins, whichever plot replots
    // first measures the other's labels, and they must not be the last frame's.
    for (QCustomPlot* plot : {&a, &b}) plot->plotLayout()->update(QCPLayoutElement::upPreparation);
}

}  // namespace gradflow::ui
