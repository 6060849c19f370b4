#pragma once
// Base of every dashboard view: one QCustomPlot (views with several panels use several
// axis rects inside it, so export always has exactly one plot to render), an optional
// tool row above it, a title, an empty-state message, and the frame contract: fill the
// plottables in bulk from a snapshot, then ask for one queued replot.

#include <qcustomplot.h>
#include <QString>
#include <QWidget>

#include "core/training/training_history.h"
#include "ui/snapshot.h"
#include "ui/theme.h"

class QCustomPlot;
class QCPItemText;
class QCPTextElement;
class QCPLayoutGrid;
class QHBoxLayout;

namespace gradflow::ui {

class PlotView : public QWidget {
    Q_OBJECT
public:
    /// `name` is the stable id used by export and `--view NAME` (e.g. "gradients").
    PlotView(const QString& name, const QString& title, QWidget* parent = nullptr);
    ~PlotView() override;

    QString name() const { return m_name; }
    QString title() const { return m_title; }
    QCustomPlot* plot() const { return m_plot; }

    /// Updates the plottables from a frame; does not replot (the dashboard does, once).
    virtual void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) = 0;
    /// Whether going from the frame on show to `next` changes what this view draws. Views
    /// fed only by the run's configuration or by the periodic expensive parts (spectrum,
    /// prediction grid) answer no for most frames, so they are not redrawn 40 times a
    /// second while training (their replots were most of a frame's drawing).
    virtual bool redrawsFor(const Snapshot& shown, const Snapshot& next) const;
    /// The live path: shows `snapshot` and queues a replot if it changes this view, else
    /// only remembers it (captions and export read the newest snapshot).
    void present(const SnapshotPtr& snapshot, const core::TrainingHistory& history);
    /// Back to the empty state (a new run begins).
    virtual void clear() = 0;
    /// Finishes work a view does in the background, so the next drawing is complete
    /// (export calls it; the screen does not wait).
    virtual void settle() {}
    /// Whether the user's selection (a clicked unit) is highlighted. On in the window;
    /// figures turn it off unless the export asks for it (ExportOptions::showSelection).
    virtual void setSelectionShown(bool shown) { Q_UNUSED(shown); }
    /// Whether a view's plain-language verdict line is drawn. On in the window; figures
    /// carry it only when the export asks (ExportOptions::diagnosis).
    virtual void setDiagnosisShown(bool shown) { Q_UNUSED(shown); }
    /// Restyles everything; subclasses extend and call the base first.
    virtual void setTheme(const Theme& theme);
    const Theme& theme() const { return m_theme; }

    /// One queued replot (coalesces), skipped while the view is not visible.
    void requestReplot();
    /// Replots now even if hidden (export uses this).
    void replotNow();

    /// Adapts text to a plot `width` pixels wide, so nothing is cut or runs together at
    /// narrow sizes (a comparison's half-width views, small exports): as many legend
    /// entries per row as fit, the short title if the full one does not, fewer x ticks.
    void fitTo(int width);
    /// Lays the plot out at `size` and fits its text to that layout, so the drawing that
    /// follows at that size (an export's toPainter) fits text to the real axis rects, not
    /// to the ones of the last drawing at another size.
    void layOut(const QSize& size);
    /// The title used when the full one does not fit ("Gradient flow").
    void setShortTitle(const QString& title);

    /// The last frame's snapshot (export captions read the configuration from it).
    SnapshotPtr snapshot() const { return m_snapshot; }

    /// The text shown at `pos` (plot coordinates) that a tooltip explains: a readout, a
    /// legend entry, an axis title, a curve's name; empty over the title or bare plot.
    QString textAt(const QPoint& pos) const;
    /// The tooltip for `pos`: the terms of textAt() explained, else the view's summary.
    virtual QString toolTipAt(const QPoint& pos) const;
    /// Export / copy this view or the dashboard, and its help page (right click).
    void showContextMenu(const QPoint& globalPos);

signals:
    /// "What am I looking at?" was picked in the context menu.
    void helpRequested(PlotView* view);

protected:
    void rememberSnapshot(const SnapshotPtr& snapshot) { m_snapshot = snapshot; }
    /// The row above the plot for selectors; created on first use.
    QHBoxLayout* toolRow();
    /// A centred message over the plot ("Press Train to start"); empty text hides it.
    void setEmptyMessage(const QString& text);
    QCPTextElement* titleElement() const { return m_titleElement; }
    /// The grid below the title; the default axis rect sits at (0, 0).
    QCPLayoutGrid* body() const { return m_body; }
    /// A view's own text fitting, after the generic part of fitTo(): `width` is the plot
    /// width the next drawing will have.
    virtual void fitText(int width) { Q_UNUSED(width); }
    /// A view's own fitting to the laid-out rects, after every layout (screen and export),
    /// for text whose room is only known then (boxes inside a panel).
    virtual void fitToRects() {}
    /// Moves the legend out of the axis rect into a row above it, laid out horizontally,
    /// so it never covers data (bars of any height, diverging curves).
    void placeLegendAbove();
    void contextMenuEvent(QContextMenuEvent* event) override;
    /// The plot's tooltips (explanations from view_help.h) and its right-button menu.
    bool eventFilter(QObject* watched, QEvent* event) override;
    /// A view that becomes visible (tab switch) redraws from the data it already holds.
    void showEvent(QShowEvent* event) override;

private:
    /// After every layout (screen and export, any size): axis labels that are longer
    /// than their axis give way to a shorter form, and text boxes placed in data
    /// coordinates are moved inside their axis rect, so no text is cut at any size.
    void fitToLayout();
    /// Centres the empty-state message on the plot area and shrinks it to fit narrow views.
    void fitEmptyMessage(int width);
    /// QCustomPlot 2.1.0 reads the device pixel ratio only at construction: follow
    /// screen changes (and high-DPI screens) before each replot.
    void syncDevicePixelRatio();

    QString m_name, m_title, m_shortTitle;
    QCustomPlot* m_plot = nullptr;
    QCPTextElement* m_titleElement = nullptr;
    QCPLayoutGrid* m_body = nullptr;
    bool m_legendAbove = false;
    QCPItemText* m_emptyText = nullptr;
    QHBoxLayout* m_toolRow = nullptr;
    Theme m_theme;
    SnapshotPtr m_snapshot;
    QString m_shownToolTip;  ///< the last explanation shown, to tell it from a view's own hover text
};

}  // namespace gradflow::ui
