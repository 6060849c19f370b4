#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

QString formatValue(double v) {
    switch (classify(v)) {
    case ValueClass::NotANumber: return QStringLiteral("NaN");
    case ValueClass::Overflow: return v < 0 ? QStringLiteral("overflow (−inf)") : QStringLiteral("overflow (inf)");
    case ValueClass::Underflow:
        return v == 0.0 ? QStringLiteral("underflow (0)") : QStringLiteral("%1 (underflow)").arg(v, 0, 'g', 2);
    case ValueClass::Finite: break;
    }
    return QString::number(v, 'g', 3);
}

void DecadeRange::include(double v) {
    if (!std::isfinite(logSafe(v))) return;
    m_lo = std::min(m_lo, v);
    m_hi = std::max(m_hi, v);
}

QCPRange DecadeRange::range(const QCPRange& fallback) const {
    if (empty()) return fallback;
    double lo = std::floor(std::log10(m_lo));
    double hi = std::ceil(std::log10(m_hi));
    // At least two decades: below 1.6 decades QCPAxisTickerLog falls back to linear
    // ticks labelled "2·10⁻¹, 3·10⁻¹ ...". Widen downwards, where gradients go.
    if (hi - lo < 2.0) lo = hi - 2.0;
    lo = std::max(lo, -299.0);
    hi = std::min(hi, 299.0);
    return QCPRange(std::pow(10.0, lo), std::pow(10.0, hi));
}

double statisticValue(const core::LayerStats& stats, UnitStatistic statistic) {
    switch (statistic) {
    case UnitStatistic::WeightGradient: return stats.weightGradNorm;
    case UnitStatistic::ActivationGradient: return stats.activationGradNorm;
    case UnitStatistic::UpdateRatio: return stats.updateRatio;
    case UnitStatistic::Saturation: return stats.saturation;
    }
    return core::kNotApplicable;
}

QString statisticLabel(UnitStatistic statistic) {
    switch (statistic) {
    case UnitStatistic::WeightGradient: return QStringLiteral("weight gradient ‖∂L/∂W‖");
    case UnitStatistic::ActivationGradient: return QStringLiteral("activation gradient ‖∂L/∂h‖");
    case UnitStatistic::UpdateRatio: return QStringLiteral("update ratio ‖ΔW‖/‖W‖");
    case UnitStatistic::Saturation: return QStringLiteral("saturated units (fraction)");
    }
    return {};
}

bool statisticIsLog(UnitStatistic statistic) { return statistic != UnitStatistic::Saturation; }

QString powerOfTen(int exponent) {
    static const QChar digits[] = {u'⁰', u'¹', u'²', u'³', u'⁴', u'⁵', u'⁶', u'⁷', u'⁸', u'⁹'};
    if (exponent == 0) return QStringLiteral("1");
    if (exponent == 1) return QStringLiteral("10");
    QString s = QStringLiteral("10");
    if (exponent < 0) s += u'⁻';
    const QString number = QString::number(std::abs(exponent));
    for (QChar c : number) s += digits[c.digitValue()];
    return s;
}

double Log10Ticker::getTickStep(const QCPRange& range) {
    // Whole decades only; 1, 2, 5, 10, 20, 50 ... decades per tick.
    const double raw = range.size() / std::max(1, tickCount());
    double step = 1.0;
    for (double mag = 1.0; step < raw; mag *= 10.0) {
        for (double m : {1.0, 2.0, 5.0}) {
            step = m * mag;
            if (step >= raw) break;
        }
    }
    return step;
}

QString Log10Ticker::getTickLabel(double tick, const QLocale&, QChar, int) {
    return powerOfTen(int(std::lround(tick)));
}

namespace {
class IntegerTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override {
        const double raw = range.size() / std::max(1, tickCount());
        for (double mag = 1.0;; mag *= 10.0) {
            for (double m : {1.0, 2.0, 5.0}) {
                if (m * mag >= raw) return m * mag;
            }
        }
    }
    int getSubTickCount(double) override { return 0; }
};
}  // namespace

QSharedPointer<QCPAxisTicker> integerTicker() {
    auto t = QSharedPointer<IntegerTicker>::create();
    t->setTickCount(8);
    return t;
}

}  // namespace gradflow::ui
