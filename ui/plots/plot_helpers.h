#pragma once
// Small pure helpers shared by the views: guarding log axes against 0/NaN/Inf (QCP 2.1.0
// draws <= 0 outside the rect, silently ignores invalid ranges, and its rescale ignores
// Inf), decade-aligned ranges that do not jitter, and the per-unit statistics.

#include <qcustomplot.h>
#include <QSharedPointer>
#include <QString>
#include <cmath>

#include "core/training/step_stats.h"

namespace gradflow::ui {

/// Values a log axis can show: finite and inside 1e-300..1e300; NaN otherwise (a gap).
inline double logSafe(double v) {
    return (std::isfinite(v) && v >= 1e-300 && v <= 1e300) ? v : std::numeric_limits<double>::quiet_NaN();
}

enum class ValueClass { Finite, Overflow, Underflow, NotANumber };
/// Overflow: +-Inf or > 1e300; Underflow: 0 or below 1e-300 (flushed); NaN: not a number.
inline ValueClass classify(double v) {
    if (std::isnan(v)) return ValueClass::NotANumber;
    if (std::isinf(v) || v > 1e300) return ValueClass::Overflow;
    if (v < 1e-300) return ValueClass::Underflow;
    return ValueClass::Finite;
}

/// "3.2e-07", "overflow (inf)", "underflow (0)", "NaN".
QString formatValue(double v);

/// Tracks the finite positive extent seen so far and returns a whole-decade range that
/// only expands, so log axes do not jump every frame.
class DecadeRange {
public:
    void include(double v);
    bool empty() const { return !(m_lo <= m_hi); }
    /// [10^floor(log lo), 10^ceil(log hi)], at least one decade wide; `fallback` if empty.
    /// Always a range QCustomPlot accepts (it silently ignores bounds beyond 1e250 and
    /// spans whose ratio overflows): the lowest decades give way first.
    QCPRange range(const QCPRange& fallback = QCPRange(1e-3, 1.0)) const;
    void reset() {
        m_lo = HUGE_VAL;
        m_hi = -HUGE_VAL;
    }

private:
    double m_lo = HUGE_VAL, m_hi = -HUGE_VAL;
};

enum class UnitStatistic { WeightGradient, ActivationGradient, UpdateRatio, Saturation };
double statisticValue(const core::LayerStats& stats, UnitStatistic statistic);
QString statisticLabel(UnitStatistic statistic);  ///< "‖∂L/∂W‖" ...
bool statisticIsLog(UnitStatistic statistic);

/// Linear axis showing log10(x): ticks on whole decades labelled 10^k (superscript).
class Log10Ticker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;
};

/// Integer ticks (layer numbers) that thin out to 2, 5, 10, ... when crowded.
QSharedPointer<QCPAxisTicker> integerTicker();

/// "10⁻³" for k = -3.
QString powerOfTen(int exponent);

/// The box QCPItemText::draw fills (rotation 0, as all of ours) when its position lies
/// at `anchor` pixels: the text's bounds plus padding, placed by the position alignment.
QRectF textItemBox(const QCPItemText& text, const QPointF& anchor);

/// `font`, or a smaller one down to 70 % of its size, so that the item's widest line and
/// its padding fit `available` pixels: smaller type rather than text cut off at both ends.
QFont fontToFit(const QCPItemText& text, const QFont& font, int available);

/// `v` moved into `range` (NaN stays NaN). Values that reach a painter stay near the
/// axis rect: the SVG generator does not clip, and PDF content streams cannot hold the
/// coordinates of a value 1e200 times beyond its axis.
double clampTo(double v, const QCPRange& range);

/// A polyline cut at the edges of a key x value window: stretches outside are replaced
/// by the points where the line crosses the border and a NaN gap, so a line leaving the
/// axis rect is drawn up to its edge and no further, in every format. Keys stay sorted
/// when the input's are. `logValues`: the value axis is logarithmic (crossings are
/// interpolated in log10, as the line is drawn; values <= 0 are gaps).
struct Polyline {
    QVector<double> keys, values;
};
Polyline clipPolyline(const QVector<double>& keys, const QVector<double>& values, const QCPRange& keyRange,
                      const QCPRange& valueRange, bool logValues);

}  // namespace gradflow::ui
