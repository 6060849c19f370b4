#pragma once
// Figure export for slides and scripts: any view or the whole dashboard to PNG
// (scale 1-4x), SVG and PDF (vector), the clipboard, and numbered PNG frame sequences.
// Everything paints through one routine, so the formats agree; the GUI's context menus
// and the headless command line call the same functions.

#include <QImage>
#include <QSize>
#include <QString>

#include "core/training/training_history.h"
#include "ui/snapshot.h"
#include "ui/theme.h"

class QWidget;

namespace gradflow::ui {

class Dashboard;
class PlotView;

enum class ExportFormat { Png, Svg, Pdf };

struct ExportOptions {
    /// Logical figure size in pixels (points for PDF). Empty: the widget's on-screen size.
    QSize size;
    /// PNG only: the file has size * scale pixels, fonts and lines scaled, not pixelated.
    double scale = 1.0;
    /// A line under the figure with depth, width, activation, init, mitigations, step.
    bool caption = true;
    /// Highlight the unit clicked in the window. Off: a figure shows what the run shows,
    /// not where the mouse last was.
    bool showSelection = false;
    /// The gradient view's verdict line ("Vanishing: layer 1 receives ..."). Off: a slide
    /// usually makes its own point; on, the figure carries the diagnosis the window shows.
    bool diagnosis = false;
};

/// Png/Svg/Pdf from the file suffix (case-insensitive); false if unknown.
bool formatFromPath(const QString& path, ExportFormat& format);

/// Each returns an empty string on success, or a message naming the problem.
QString exportView(PlotView& view, const QString& path, const ExportOptions& options);
/// The whole dashboard: every view, the ones the window keeps in tabs included (a grid
/// of all seven), or, while comparing, both sides as the window arranges them.
QString exportDashboard(Dashboard& dashboard, const QString& path, const ExportOptions& options);

/// Raster renderings (size * scale pixels) for the clipboard, frames and tests.
QImage renderViewImage(PlotView& view, const ExportOptions& options);
QImage renderDashboardImage(Dashboard& dashboard, const ExportOptions& options);
/// The views a whole-dashboard figure of one run draws in its grid: every view but
/// "distributions", whose figure is one layer's, and "network", whose diagram needs a
/// figure of its own to be read: both are exported alone.
QStringList dashboardFigureViews();
/// SVG documents (for the clipboard's image/svg+xml).
QByteArray renderViewSvg(PlotView& view, const ExportOptions& options);

/// Puts the image (and an image/svg+xml vector copy) on the clipboard. `view` null means
/// the whole dashboard.
void copyToClipboard(Dashboard* dashboard, PlotView* view, const ExportOptions& options = {});

/// What the export dialog lets the user export: exactly the figure asked for (a view's
/// context menu), or any view or the whole dashboard, starting at the one asked for
/// (File > Export).
enum class ExportChoice { Fixed, AnyFigure };

/// File dialog + export for the GUI (context menus, File > Export). `view` null means the
/// whole dashboard. Shows errors in a message box; returns true when a file was written.
bool exportWithDialog(QWidget* parent, Dashboard* dashboard, PlotView* view, ExportChoice choice = ExportChoice::Fixed);

/// Side B of a headless comparison figure (`--compare`).
struct HeadlessComparison {
    SnapshotPtr snapshot;
    const core::TrainingHistory* history = nullptr;
    QString baseLabel, changeLabel;  ///< the two sides' headings
};

/// The dashboard as the headless export draws it: themed, laid out at `size` (so each
/// side of a comparison picks its layout for that size) and showing the frame(s).
void prepareHeadlessDashboard(Dashboard& dashboard, const SnapshotPtr& snapshot, const core::TrainingHistory& history, QSize size,
                              ThemeKind theme, const HeadlessComparison* comparison = nullptr);

/// Headless rendering for `gradflow --headless ... --export FILE`: builds a dashboard off
/// screen at `size`, shows the frame and writes `path` (format from the suffix).
/// `viewName` empty exports the dashboard, else that view (see Dashboard::views()).
/// With `comparison`, the dashboard shows both sides (whole dashboard only). An empty
/// options.size means 1600 x 1000.
QString renderHeadless(const SnapshotPtr& snapshot, const core::TrainingHistory& history, const QString& path,
                       const ExportOptions& options, const QString& viewName = QString(), ThemeKind theme = ThemeKind::Light,
                       const HeadlessComparison* comparison = nullptr);

/// A numbered PNG sequence (frame_00001.png, ...) for `--frames DIR --every K` and the
/// GUI's "Export animation". Animated GIF is deliberately not offered: Qt's GIF plugin
/// only reads, and Debian's giflib/ImageMagick would add a dependency for a format that
/// any slide tool or `ffmpeg -i frame_%05d.png` makes from the PNGs.
class FrameSequenceWriter {
public:
    /// Creates `directory` if needed. `viewName` empty: whole dashboard.
    FrameSequenceWriter(const QString& directory, const ExportOptions& options, const QString& viewName = QString());
    /// Writes the next frame from the dashboard's current state; returns an error or "".
    QString writeFrame(Dashboard& dashboard);
    int framesWritten() const { return m_frames; }
    QString directory() const { return m_directory; }
    static QString frameFileName(int index);  ///< 1-based: frame_00001.png

private:
    QString m_directory;
    ExportOptions m_options;
    QString m_viewName;
    int m_frames = 0;
    bool m_ready = false;
};

}  // namespace gradflow::ui
