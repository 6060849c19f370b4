#include "ui/frame_stats.h"

#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <numeric>

namespace gradflow::ui {

namespace {
QString describe(const char* name, std::vector<double> values)
{
    if (values.empty()) return QStringLiteral("%1: no samples\n").arg(QLatin1String(name));
    std::sort(values.begin(), values.end());
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    const double p95 = values[std::min(values.size() - 1, values.size() * 95 / 100)];
    return QStringLiteral("%1: n=%2 mean=%3 ms p95=%4 ms max=%5 ms\n")
        .arg(QLatin1String(name))
        .arg(values.size())
        .arg(mean, 0, 'f', 2)
        .arg(p95, 0, 'f', 2)
        .arg(values.back(), 0, 'f', 2);
}
}  // namespace

bool FrameStats::enabled() { return qEnvironmentVariableIntValue("GRADFLOW_FRAME_STATS") != 0; }

FrameStats::FrameStats(QObject* parent) : QObject(parent), m_probeTimer(new QTimer(this))
{
    m_clock.start();
    m_probeTimer->setInterval(100);
    connect(m_probeTimer, &QTimer::timeout, this, &FrameStats::probe);
    m_probeTimer->start();
}

FrameStats::~FrameStats() { std::fputs(qPrintable(summary()), stderr); }

void FrameStats::probe()
{
    // Posted now, handled when the event loop gets to it: the wait an input event sees.
    const qint64 posted = m_clock.nsecsElapsed();
    QMetaObject::invokeMethod(
        this, [this, posted] { m_latencies.push_back((m_clock.nsecsElapsed() - posted) / 1e6); },
        Qt::QueuedConnection);
}

void FrameStats::frameShown(bool running, double paintMs)
{
    const qint64 now = m_clock.nsecsElapsed();
    if (running && m_lastFrameNs >= 0) m_intervals.push_back((now - m_lastFrameNs) / 1e6);
    if (running) m_paints.push_back(paintMs);
    m_lastFrameNs = running ? now : -1;
}

QString FrameStats::summary() const
{
    return QStringLiteral("GradFlow frame stats\n") + describe("frame interval (training)", m_intervals) +
           describe("showFrame time (training)", m_paints) + describe("event-loop latency", m_latencies) +
           QStringLiteral("peak worker rate: %1 steps/s\n").arg(m_stepsPerSecond, 0, 'f', 0);
}

}  // namespace gradflow::ui
