#pragma once
// Shared axes for a comparison: two plots of the same kind get the union of their axis
// ranges and colour-scale ranges, so equal heights and colours mean equal magnitudes on
// both sides. Called after both sides took their frame and before the (queued) replot.

class QCustomPlot;

namespace gradflow::ui {

/// Widens every axis (matched by axis-rect index and side) and every colour scale (by
/// order) of `a` and `b` to cover both. Ranges that are not finite, or not positive on a
/// logarithmic axis, are left out of the union rather than poisoning it.
void shareAxisRanges(QCustomPlot& a, QCustomPlot& b);

}  // namespace gradflow::ui
