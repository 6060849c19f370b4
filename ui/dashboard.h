#pragma once
// The dashboard: every view of a run, laid out so the key ones (gradient magnitudes,
// spectrum, heat map, loss) are visible at once and the rest sit in tabs. The main
// window's frame timer calls showFrame(); views that are hidden are not replotted.

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

class Dashboard : public QWidget {
    Q_OBJECT
public:
    explicit Dashboard(QWidget* parent = nullptr);
    ~Dashboard() override;

    /// Feeds every view, then replots the visible ones once (queued). Cheap when the
    /// snapshot has not changed since the last call.
    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history);
    /// Empty state for a new run.
    void clear();

    void setPresenterMode(bool on);
    bool presenterMode() const { return m_theme.presenter; }
    void setTheme(ThemeKind kind);
    const Theme& theme() const { return m_theme; }

    /// Every view, in a stable order; names: gradients, heatmap, spectrum, loss,
    /// decision, health, phase.
    QList<PlotView*> views() const { return m_views; }
    PlotView* view(const QString& name) const;
    /// Views currently on screen (the figure "whole dashboard" exports), with their
    /// geometry relative to the dashboard.
    QList<PlotView*> visibleViews() const;
    /// Brings a view's tab forward (for `--view NAME` and menus).
    void revealView(PlotView* view);

    SnapshotPtr lastSnapshot() const { return m_last; }

signals:
    /// 0-based depth unit clicked in the gradient view.
    void unitSelected(int unit);

private:
    void addView(PlotView* view);

    QList<PlotView*> m_views;
    GradientBarsPlot* m_gradients = nullptr;
    QTabWidget* m_tabs = nullptr;
    SnapshotPtr m_last;
    std::size_t m_lastHistorySize = 0;
    std::int64_t m_lastHistoryStep = -1;
    Theme m_theme;
};

}  // namespace gradflow::ui
