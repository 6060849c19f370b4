#include "ui/plots/curve_trend.h"

#include <algorithm>
#include <cmath>

namespace gradflow::ui {

CurveTrend curveTrend(const QVector<double>& x, const QVector<double>& y, bool logScale, int window, int maxPoints) {
    CurveTrend trend;
    const qsizetype n = std::min(x.size(), y.size());
    if (n == 0) return trend;
    const double keep = 1.0 - 2.0 / (std::max(window, 1) + 1.0);  // the usual EMA span
    const qsizetype stride = std::max<qsizetype>(1, (n + maxPoints - 1) / std::max(maxPoints, 1));
    double average = 0.0, weight = 0.0;
    qsizetype lastUsable = -1;
    double lastValue = 0.0;
    for (qsizetype i = 0; i < n; ++i) {
        const double v = y[i];
        if (!std::isfinite(v) || (logScale && v <= 0.0)) continue;
        average = keep * average + (1.0 - keep) * (logScale ? std::log10(v) : v);
        weight = keep * weight + (1.0 - keep);  // 1 - keep^t: the debiasing divisor
        const double smoothed = logScale ? std::pow(10.0, average / weight) : average / weight;
        lastUsable = i;
        lastValue = smoothed;
        if (i % stride == 0) {
            trend.x << x[i];
            trend.y << smoothed;
        }
    }
    if (lastUsable >= 0 && (trend.x.isEmpty() || trend.x.back() != x[lastUsable])) {
        trend.x << x[lastUsable];
        trend.y << lastValue;
    }
    return trend;
}

}  // namespace gradflow::ui
