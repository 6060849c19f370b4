#pragma once
// Shared axes for a comparison: two plots of the same kind get the union of their axis
// ranges and colour-scale ranges, so equal heights and colours mean equal magnitudes on
// both sides, and the same left and right margins, so their plotting areas line up
// edge to edge. Called after both sides took their frame and before the (queued) replot.

class QCustomPlot;

namespace gradflow::ui {

/// Widens every axis (matched by axis-rect index and side) and every colour scale (by
/// order) of `a` and `b` to cover both. Ranges that are not finite, or not positive on a
/// logarithmic axis, are left out of the union rather than poisoning it.
void shareAxisRanges(QCustomPlot& a, QCustomPlot& b);

/// From now on every axis rect of `a` (matched by order with `b`'s) is
/// laid out with the larger of the two left margins and of the two right margins, so
/// tick labels of different widths ("5" beside "20") no longer shift one side's plot;
/// and legends in a row above the plot take the taller of the two heights, so one
/// side's legend wrapping onto a second row does not push its plot down.
void alignMargins(QCustomPlot& a, QCustomPlot& b);
/// Each plot back to its own margins and legend height.
void unalignMargins(QCustomPlot& a, QCustomPlot& b);

}  // namespace gradflow::ui
