#pragma once
// For views that plot log10(x) on a linear axis instead of x on a logarithmic one:
// QCustomPlot refuses log ranges reaching 1e250 (it keeps the old range silently), so an
// exploding run's loss of 1e282 would leave the plot empty. In log10 coordinates every
// value a log axis could show (1e-300..1e300, see logSafe) has a place.

#include <qcustomplot.h>
#include <algorithm>
#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

/// log10 of the finite positive values seen, as a whole-decade range that only expands,
/// so an axis or colour scale does not jump every frame.
class Log10Extent {
public:
    /// log10(v), or NaN (a gap) where v has no place on a log scale; finite results widen the extent.
    double include(double v) {
        const double l = std::log10(logSafe(v));
        if (std::isfinite(l)) {
            m_lo = std::min(m_lo, l);
            m_hi = std::max(m_hi, l);
        }
        return l;
    }
    bool empty() const { return !(m_lo <= m_hi); }
    /// [floor lo, ceil hi] in log10 units, at least two decades (fewer have no decade tick
    /// to read), widened downwards; `fallback` when nothing was seen.
    QCPRange range(const QCPRange& fallback) const {
        if (empty()) return fallback;
        const double hi = std::ceil(m_hi);
        return QCPRange(std::min(std::floor(m_lo), hi - 2.0), hi);
    }
    void reset() { m_lo = HUGE_VAL, m_hi = -HUGE_VAL; }

private:
    double m_lo = HUGE_VAL, m_hi = -HUGE_VAL;
};

}  // namespace gradflow::ui
