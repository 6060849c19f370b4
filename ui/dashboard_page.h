#pragma once
// One run's seven views, laid out so the key ones (gradient magnitudes, spectrum, heat
// map, loss) are visible at once and the rest sit in tabs. The Dashboard shows one page,
// or two side by side when comparing. Narrower pages show fewer views at once rather than
// squeezing them: every visible view keeps a readable size, and the tab labels always fit
// without scroll buttons.

#include <QList>
#include <QStringList>
#include <QWidget>

#include "core/training/training_history.h"
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
    /// How many views a page shows at once, by the room it has.
    enum class Arrangement {
        Wide,     ///< gradients | spectrum over heat map | loss | tabs (data, health, phase)
        Compact,  ///< gradients over heat map | tabs (loss, spectrum, data, health, phase)
        Narrow,   ///< gradients over tabs (heat map first, then the other five)
    };
    Q_ENUM(Arrangement)

    explicit DashboardPage(QWidget* parent = nullptr);

    /// Feeds every view, then queues one replot of the visible ones. Unless forced, cheap
    /// when neither the snapshot nor the history changed since the last call.
    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history, bool force = false);
    void clear();
    void setTheme(const Theme& theme);
    void setArrangement(Arrangement arrangement);
    Arrangement arrangement() const { return m_arrangement; }

    /// Names: gradients, heatmap, spectrum, loss, decision, health, phase, distributions, network.
    QList<PlotView*> views() const { return m_views; }
    PlotView* view(const QString& name) const;
    QTabWidget* tabs() const { return m_tabs; }
    /// Brings a view forward: its tab becomes current (and shown, if the labels had left
    /// it out for lack of room).
    void reveal(PlotView* view);
    SnapshotPtr lastSnapshot() const { return m_last; }

signals:
    /// 0-based depth unit clicked in the gradient view.
    void unitSelected(int unit);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct TabLabel {
        QString full, brief, toolTip;
    };
    TabLabel labelFor(const PlotView* view) const;
    /// Full tab labels if they fit the tab bar, else brief ones, else the least needed
    /// tabs are left out (never the current one) until the rest fit.
    void fitTabs();

    QList<PlotView*> m_views;
    GradientBarsPlot* m_gradients = nullptr;
    PlotView* m_heatmap = nullptr;
    PlotView* m_spectrum = nullptr;
    PlotView* m_loss = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_rows = nullptr;
    QSplitter* m_top = nullptr;
    QSplitter* m_bottom = nullptr;
    Arrangement m_arrangement = Arrangement::Wide;
    bool m_fittingTabs = false;
    SnapshotPtr m_last;
    std::size_t m_lastHistorySize = 0;
    std::int64_t m_lastHistoryStep = -1;
};

}  // namespace gradflow::ui
