#include "ui/plots/plot_helpers.h"

#include <algorithm>

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
    // QCPRange::validRange: |bounds| < 1e250, size > 1e-280, upper / lower finite.
    hi = std::clamp(hi, -278.0, 249.0);
    lo = std::clamp(lo, std::max(-299.0, hi - 300.0), hi - 2.0);
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

QString Log10Ticker::getTickLabel(double tick, const QLocale&, QChar, int) { return powerOfTen(int(std::lround(tick))); }

QRectF textItemBox(const QCPItemText& text, const QPointF& anchor) {
    const QRectF body = QFontMetricsF(text.font()).boundingRect(QRectF(), Qt::TextDontClip | text.textAlignment(), text.text());
    const QMargins pad = text.padding();
    QRectF box(anchor, body.size() + QSizeF(pad.left() + pad.right(), pad.top() + pad.bottom()));
    const Qt::Alignment a = text.positionAlignment();
    if (a & Qt::AlignHCenter) box.moveLeft(anchor.x() - box.width() / 2);
    else if (a & Qt::AlignRight) box.moveLeft(anchor.x() - box.width());
    if (a & Qt::AlignVCenter) box.moveTop(anchor.y() - box.height() / 2);
    else if (a & Qt::AlignBottom) box.moveTop(anchor.y() - box.height());
    return box;
}

double clampTo(double v, const QCPRange& range) { return std::isnan(v) ? v : std::clamp(v, range.lower, range.upper); }

namespace {

/// Liang-Barsky: the part of the segment a-b inside the box, as parameters t0 <= t1.
bool clipSegment(const QPointF& a, const QPointF& b, const QRectF& box, double& t0, double& t1) {
    t0 = 0.0;
    t1 = 1.0;
    const double d[2] = {b.x() - a.x(), b.y() - a.y()};
    const double lo[2] = {box.left() - a.x(), box.top() - a.y()};
    const double hi[2] = {box.right() - a.x(), box.bottom() - a.y()};
    for (int axis = 0; axis < 2; ++axis) {
        if (d[axis] == 0.0) {
            if (lo[axis] > 0.0 || hi[axis] < 0.0) return false;
            continue;
        }
        double enter = lo[axis] / d[axis], leave = hi[axis] / d[axis];
        if (enter > leave) std::swap(enter, leave);
        t0 = std::max(t0, enter);
        t1 = std::min(t1, leave);
        if (t0 > t1) return false;
    }
    return true;
}

}  // namespace

Polyline clipPolyline(const QVector<double>& keys, const QVector<double>& values, const QCPRange& keyRange,
                      const QCPRange& valueRange, bool logValues) {
    const auto toY = [logValues](double v) {
        if (!logValues) return v;
        return v > 0.0 ? std::log10(v) : std::numeric_limits<double>::quiet_NaN();
    };
    const auto fromY = [logValues](double y) { return logValues ? std::pow(10.0, y) : y; };
    const QRectF box(QPointF(keyRange.lower, toY(valueRange.lower)), QPointF(keyRange.upper, toY(valueRange.upper)));
    const qsizetype n = std::min(keys.size(), values.size());
    Polyline out;
    bool penDown = false;  // the last point written continues into the next segment
    const auto gap = [&](double key) {
        if (!penDown) return;
        out.keys << key;
        out.values << std::numeric_limits<double>::quiet_NaN();
        penDown = false;
    };
    const auto put = [&](const QPointF& p) {
        out.keys << p.x();
        out.values << fromY(p.y());
    };
    for (qsizetype i = 0; i < n; ++i) {
        const QPointF p(keys[i], toY(values[i]));
        const bool finite = std::isfinite(p.x()) && std::isfinite(p.y());
        if (!finite) {
            gap(keys[i]);
            continue;
        }
        const bool hasNext = i + 1 < n && std::isfinite(keys[i + 1]) && std::isfinite(toY(values[i + 1]));
        if (!hasNext) {
            // The end of a stretch: a lone point (the stretch's last is already out) is
            // kept if inside; the NaN after it becomes a gap.
            if (!penDown && box.contains(p)) {
                put(p);
                penDown = true;
            }
            continue;
        }
        const QPointF q(keys[i + 1], toY(values[i + 1]));
        double t0, t1;
        if (!clipSegment(p, q, box, t0, t1)) {
            gap(p.x());
            continue;
        }
        const QPointF a = p + (q - p) * t0, b = p + (q - p) * t1;
        if (t0 > 0.0) {
            gap(a.x());
            put(a);
        } else if (!penDown) {
            put(a);
        }
        put(b);
        penDown = true;
        if (t1 < 1.0) gap(b.x());
    }
    return out;
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

QFont fontToFit(const QCPItemText& text, const QFont& font, int available) {
    const QStringList lines = text.text().split(QLatin1Char('\n'));
    const int padding = text.padding().left() + text.padding().right();
    const auto widest = [&](const QFont& f) {
        const QFontMetrics metrics(f);
        int width = 0;
        for (const QString& line : lines) width = std::max(width, metrics.horizontalAdvance(line));
        return width + padding;
    };
    QFont fitted = font;
    const double full = font.pointSizeF();
    while (widest(fitted) > available && fitted.pointSizeF() > 0.7 * full) fitted.setPointSizeF(fitted.pointSizeF() - 0.5);
    return fitted;
}

}  // namespace gradflow::ui
