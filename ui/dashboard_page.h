#pragma once
// One run's seven views, laid out so the key ones (gradient magnitudes, spectrum, heat
// map, loss) are visible at once and the rest sit in tabs. The Dashboard shows one page,
// or two side by side when comparing.

#include <QList>
#include <QWidget>

#include "core/training_history.h"
#include "ui/snapshot.h"
#include "ui/theme.h"

class QSplitter;
class QTabWidget;

namespace gradflow::ui {

class PlotView;
class GradientBarsPlot;

class DashboardPage : public QWidget {
    Q_OBJECT
public:
    explicit DashboardPage(QWidget* parent = nullptr);

    /// Feeds every view, then queues one replot of the visible ones. Unless forced, cheap
    /// when neither the snapshot nor the history changed since the last call.
    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history, bool force = false);
    void clear();
    void setTheme(const Theme& theme);
    /// Compact: the spectrum and loss views join the tabs, so half a screen (one side of
    /// a comparison) still gives every visible view a readable width.
    void setCompact(bool compact);

    /// Names: gradients, heatmap, spectrum, loss, decision, health, phase.
    QList<PlotView*> views() const { return m_views; }
    PlotView* view(const QString& name) const;
    QTabWidget* tabs() const { return m_tabs; }
    SnapshotPtr lastSnapshot() const { return m_last; }

signals:
    /// 0-based depth unit clicked in the gradient view.
    void unitSelected(int unit);

private:
    QList<PlotView*> m_views;
    GradientBarsPlot* m_gradients = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_bottom = nullptr;
    QSplitter* m_top = nullptr;
    PlotView* m_loss = nullptr;
    PlotView* m_spectrum = nullptr;
    bool m_compact = false;
    SnapshotPtr m_last;
    std::size_t m_lastHistorySize = 0;
    std::int64_t m_lastHistoryStep = -1;
};

}  // namespace gradflow::ui
