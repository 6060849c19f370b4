#pragma once
// Development instrumentation for the smoothness targets (a frame at least
// every 33 ms, input handled within 50 ms while training flat out). Enabled with
// GRADFLOW_FRAME_STATS=1; prints a summary to stderr when the window closes: frame-to-frame
// intervals while training (and, for runs over 3 minutes, the first and last minute
// apart), the time showFrame takes, each visible view's replot time, event-loop latency
// (a queued probe every 100 ms; input events wait in the same queue) and the worker's rate.

#include <QElapsedTimer>
#include <QObject>
#include <map>
#include <vector>

class QTimer;

namespace gradflow::ui {

class FrameStats : public QObject {
    Q_OBJECT
public:
    explicit FrameStats(QObject* parent = nullptr);
    ~FrameStats() override;

    static bool enabled();
    /// A frame was shown (training running) and took `paintMs` in showFrame.
    void frameShown(bool running, double paintMs);
    /// How long a view's last replot drew (QCustomPlot's own measure), sampled per frame.
    void viewReplotted(const QString& view, double ms) { m_replots[view].push_back(ms); }
    /// The worker's rate as shown in this frame (0 while it is not training).
    void sampleStepsPerSecond(double rate) {
        if (rate > 0.0) m_rates.push_back(rate);
    }
    QString summary() const;

private:
    void probe();

    QElapsedTimer m_clock;
    qint64 m_lastFrameNs = -1;
    std::vector<double> m_intervals, m_paints, m_latencies, m_rates;
    std::vector<double> m_intervalEnds;  ///< seconds since start, per interval (soak: first vs last minute)
    std::map<QString, std::vector<double>> m_replots;
    QTimer* m_probeTimer = nullptr;
};

}  // namespace gradflow::ui
