#include "ui/frame_stats.h"

#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <numeric>

namespace gradflow::ui {

namespace {
QString describe(const QString& name, std::vector<double> values, const QString& unit = QStringLiteral("ms")) {
    if (values.empty()) return QStringLiteral("%1: no samples\n").arg(name);
    std::sort(values.begin(), values.end());
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    const double p95 = values[std::min(values.size() - 1, values.size() * 95 / 100)];
    const double median = values[values.size() / 2];
    return QStringLiteral("%1: n=%2 mean=%3 median=%4 p95=%5 max=%6 %7\n")
        .arg(name)
        .arg(values.size())
        .arg(mean, 0, 'f', 2)
        .arg(median, 0, 'f', 2)
        .arg(p95, 0, 'f', 2)
        .arg(values.back(), 0, 'f', 2)
        .arg(unit);
}
}  // namespace

bool FrameStats::enabled() { return qEnvironmentVariableIntValue("GRADFLOW_FRAME_STATS") != 0; }

FrameStats::FrameStats(QObject* parent) : QObject(parent), m_probeTimer(new QTimer(this)) {
    m_clock.start();
    m_probeTimer->setInterval(100);
    connect(m_probeTimer, &QTimer::timeout, this, &FrameStats::probe);
    m_probeTimer->start();
}

FrameStats::~FrameStats() { std::fputs(qPrintable(summary()), stderr); }

void FrameStats::probe() {
    // Posted now, handled when the event loop gets to it: the wait an input event sees.
    const qint64 posted = m_clock.nsecsElapsed();
    QMetaObject::invokeMethod(
        this, [this, posted] { m_latencies.push_back((m_clock.nsecsElapsed() - posted) / 1e6); }, Qt::QueuedConnection);
}

void FrameStats::frameShown(bool running, double paintMs) {
    const qint64 now = m_clock.nsecsElapsed();
    if (running && m_lastFrameNs >= 0) {
        m_intervals.push_back((now - m_lastFrameNs) / 1e6);
        m_intervalEnds.push_back(now / 1e9);
    }
    if (running) m_paints.push_back(paintMs);
    m_lastFrameNs = running ? now : -1;
}

QString FrameStats::summary() const {
    // Issue 4's target: a frame at least every 33 ms.
    const auto late = std::count_if(m_intervals.begin(), m_intervals.end(), [](double ms) { return ms > 33.0; });
    QString text = QStringLiteral("GradFlow frame stats\n") + describe(QStringLiteral("frame interval (training)"), m_intervals) +
                   QStringLiteral("frames later than 33 ms: %1 of %2\n").arg(late).arg(m_intervals.size()) +
                   describe(QStringLiteral("showFrame time (training)"), m_paints) +
                   describe(QStringLiteral("event-loop latency"), m_latencies);
    // A long run (a soak) also compares its first and last minute: frame time must not creep.
    if (!m_intervalEnds.empty() && m_intervalEnds.back() - m_intervalEnds.front() > 180.0) {
        std::vector<double> first, last;
        for (std::size_t i = 0; i < m_intervals.size(); ++i) {
            if (m_intervalEnds[i] < m_intervalEnds.front() + 60.0) first.push_back(m_intervals[i]);
            if (m_intervalEnds[i] > m_intervalEnds.back() - 60.0) last.push_back(m_intervals[i]);
        }
        text += describe(QStringLiteral("frame interval, first minute"), first) +
                describe(QStringLiteral("frame interval, last minute"), last);
    }
    for (const auto& [view, times] : m_replots) text += describe(QStringLiteral("replot ") + view, times);
    return text + describe(QStringLiteral("worker rate"), m_rates, QStringLiteral("steps/s"));
}

}  // namespace gradflow::ui
