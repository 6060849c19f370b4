#pragma once
// The trend through a noisy per-step curve (mini-batch loss and accuracy jump from batch
// to batch): an exponential moving average, debiased so its first points are not pulled
// toward zero, taken in log10 space for a log axis (a geometric mean, which a log axis
// shows undistorted), and thinned to a few hundred points. Drawn bold over the raw curve;
// the raw curve stays a thin line, which the raster engine draws 100x faster than a wide
// one (4096 points: 0.6 ms at 1 px, 76 ms at 1.6 px, measured), so the view keeps a frame
// under 33 ms while training.

#include <QVector>

namespace gradflow::ui {

struct CurveTrend {
    QVector<double> x, y;
};

/// Entries kept in the moving average's window: about 4% of TrainingHistory's entries.
inline constexpr int kTrendWindow = 25;
/// Points the trend keeps at most (about one per 2-3 px of a dashboard-sized plot).
inline constexpr int kTrendMaxPoints = 400;

/// Non-finite values (and, with `logScale`, values <= 0) are skipped: the trend ends where
/// the data stops being drawable. The last usable point is always kept.
CurveTrend curveTrend(const QVector<double>& x, const QVector<double>& y, bool logScale, int window = kTrendWindow,
                      int maxPoints = kTrendMaxPoints);

}  // namespace gradflow::ui
