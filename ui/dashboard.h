#pragma once
// The dashboard: one run's views (a DashboardPage), or, while comparing, two runs side by
// side under headings that name each side, with every pair of views sharing its axes so
// magnitudes compare at a glance. The main window's frame timer calls showFrame() (or
// showFrames()); views that are hidden are not replotted.

#include <QList>
#include <QRect>
#include <QWidget>
#include <array>

#include "core/training/training_history.h"
#include "ui/snapshot.h"
#include "ui/theme.h"

class QGridLayout;
class QLabel;

namespace gradflow::ui {

class PlotView;
class DashboardPage;

class Dashboard : public QWidget {
    Q_OBJECT
public:
    explicit Dashboard(QWidget* parent = nullptr);
    ~Dashboard() override;

    /// The experiment's frame (side A). Cheap when nothing changed since the last call.
    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history);
    /// While comparing: both sides' frames, then the shared axes. Every view recomputes
    /// its own ranges first, so the union follows the data down as well as up.
    void showFrames(const SnapshotPtr& snapshot, const core::TrainingHistory& history, const SnapshotPtr& comparison,
                    const core::TrainingHistory& comparisonHistory);
    /// Empty state for a new run (both sides).
    void clear();

    /// Shows side B beside side A, headed by the two labels ("without batch norm" /
    /// "with batch norm"); off shows side A alone, without a heading.
    void setComparison(bool on, const QString& baseLabel = {}, const QString& changeLabel = {});
    bool comparing() const { return m_comparing; }
    /// The label of side 0 (A) or 1 (B), as given to setComparison().
    QString sideLabel(int side) const { return m_labels[std::size_t(side & 1)]; }

    void setPresenterMode(bool on);
    bool presenterMode() const { return m_theme.presenter; }
    void setTheme(ThemeKind kind);
    const Theme& theme() const { return m_theme; }

    /// Side A's views, in a stable order; names: gradients, heatmap, spectrum, loss,
    /// decision, health, phase, distributions, network.
    QList<PlotView*> views() const;
    /// Side B's views (same names), whether shown or not.
    QList<PlotView*> comparisonViews() const;
    PlotView* view(const QString& name) const;
    /// Views currently on screen on either side (the figure "whole dashboard" exports).
    QList<PlotView*> visibleViews() const;
    /// A side's heading as the figure export draws it, in dashboard coordinates.
    struct Heading {
        QRect rect;
        QString text;
        QColor color;
    };
    QList<Heading> visibleHeadings() const;
    /// Brings a view's tab forward on both sides (for `--view NAME` and menus).
    void revealView(PlotView* view);

    SnapshotPtr lastSnapshot() const;
    SnapshotPtr comparisonSnapshot() const;

signals:
    /// 0-based depth unit clicked in either side's gradient view.
    void unitSelected(int unit);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateCompactness();
    void shareAxes();
    void updateHeading(int side);

    QGridLayout* m_grid = nullptr;
    std::array<DashboardPage*, 2> m_pages{};
    std::array<QLabel*, 2> m_headings{};
    std::array<QString, 2> m_labels;
    bool m_comparing = false;
    Theme m_theme;
};

}  // namespace gradflow::ui
