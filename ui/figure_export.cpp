#include "ui/figure_export.h"

#include <qcustomplot.h>
#include <QApplication>
#include <QBuffer>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QMimeData>
#include <QPdfWriter>
#include <QSvgGenerator>

#include "ui/dashboard.h"
#include "ui/figure_caption.h"
#include "ui/plots/plot_view.h"

namespace gradflow::ui {

namespace {

constexpr double kScreenDpi = 96.0;  // layout unit: one logical pixel at 96 dpi

struct FigureCell {
    PlotView* view;
    QRectF rect;  ///< in figure coordinates (logical pixels)
};

/// A line of text drawn as on screen (a comparison side's heading).
struct FigureText {
    QRectF rect;
    QString text;
    QColor color;
};

struct Figure {
    QSize size;
    QList<FigureCell> cells;
    QList<FigureText> texts;
    QString caption;
    Theme theme;
    bool showSelection = false;
    bool diagnosis = false;
};

/// Where each view sits in a whole-dashboard figure, as fractions of the area above the
/// caption. The window keeps three or five views in tabs; a figure has no tabs, so it
/// shows all seven: the story (gradients by depth, the spectrum behind it) on top, the
/// run over time in the middle, the three supporting views below.
struct FigureSlot {
    const char* view;
    int row;
    double left, width;
};
constexpr FigureSlot kDashboardSlots[] = {{"gradients", 0, 0.0, 0.58},       {"spectrum", 0, 0.58, 0.42},
                                          {"heatmap", 1, 0.0, 0.5},          {"loss", 1, 0.5, 0.5},
                                          {"decision", 2, 0.0, 1.0 / 3.0},   {"health", 2, 1.0 / 3.0, 1.0 / 3.0},
                                          {"phase", 2, 2.0 / 3.0, 1.0 / 3.0}};
constexpr double kDashboardRows[] = {0.38, 0.31, 0.31};  ///< row heights, top to bottom
constexpr double kDashboardGap = 6.0;                    ///< between cells, logical pixels

double captionHeight(const Theme& theme) { return std::ceil(QFontMetricsF(theme.font(0.9)).height() * 1.9); }

/// Draws the figure with QCustomPlot's own painter path (toPainter: no label cache,
/// vector-friendly), antialiased, then restores each plot's on-screen settings.
void paintFigure(QCPPainter& painter, const Figure& figure) {
    painter.fillRect(QRectF(QPointF(0, 0), QSizeF(figure.size)), figure.theme.background);
    for (const FigureCell& cell : figure.cells) {
        QCustomPlot* plot = cell.view->plot();
        cell.view->setSelectionShown(figure.showSelection);
        cell.view->setDiagnosisShown(figure.diagnosis);
        const QCP::AntialiasedElements aa = plot->antialiasedElements();
        const QCP::AntialiasedElements notAa = plot->notAntialiasedElements();
        plot->setNotAntialiasedElements(QCP::aeNone);
        plot->setAntialiasedElements(QCP::aeAll);
        const QSize size(int(std::lround(cell.rect.width())), int(std::lround(cell.rect.height())));
        // toPainter restores the viewport it found, which layOut has set to the figure's:
        // the widget's own is put back here, or the window would draw into the figure's.
        const QRect screenViewport = plot->viewport();
        cell.view->layOut(size);
        painter.save();
        painter.translate(cell.rect.topLeft());
        plot->toPainter(&painter, size.width(), size.height());
        painter.restore();
        plot->setViewport(screenViewport);
        plot->setAntialiasedElements(aa);
        plot->setNotAntialiasedElements(notAa);
        cell.view->setSelectionShown(true);
        cell.view->setDiagnosisShown(true);
        // toPainter left the elements laid out at the export size, text fitted to it: the
        // screen gets its own fit and layout back with its next replot, queued, so the
        // figure's layout can still be inspected until the event loop runs.
        QMetaObject::invokeMethod(cell.view, &PlotView::requestReplot, Qt::QueuedConnection);
    }
    for (const FigureText& text : figure.texts) {
        painter.setFont(figure.theme.font(1.35, true));
        painter.setPen(text.color);
        painter.drawText(text.rect, Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetricsF(painter.font()).elidedText(text.text, Qt::ElideRight, text.rect.width()));
    }
    if (!figure.caption.isEmpty()) {
        const double h = captionHeight(figure.theme);
        const QRectF band(0, figure.size.height() - h, figure.size.width(), h);
        painter.setFont(figure.theme.font(0.9));
        painter.setPen(figure.theme.mutedText);
        const QRectF text = band.adjusted(12, 0, -12, 0);
        painter.drawText(text, Qt::AlignLeft | Qt::AlignVCenter,
                         QFontMetricsF(painter.font()).elidedText(figure.caption, Qt::ElideRight, text.width()));
    }
}

QString captionFor(const SnapshotPtr& snapshot, const ExportOptions& options) {
    if (!options.caption || !snapshot) return {};
    return QStringLiteral("GradFlow  ·  ") + figureCaption(*snapshot);
}

QSize viewDefaultSize(PlotView& view) {
    const QSize s = view.plot()->size();
    return (view.isVisible() && s.width() > 50 && s.height() > 50) ? s : QSize(900, 560);
}

Figure viewFigure(PlotView& view, const ExportOptions& options) {
    Figure f;
    f.showSelection = options.showSelection;
    f.diagnosis = options.diagnosis;
    f.theme = view.theme();
    f.caption = captionFor(view.snapshot(), options);
    f.size = options.size.isEmpty() ? viewDefaultSize(view) : options.size;
    if (options.size.isEmpty() && !f.caption.isEmpty()) f.size.rheight() += int(captionHeight(f.theme));
    const double plotHeight = f.size.height() - (f.caption.isEmpty() ? 0.0 : captionHeight(f.theme));
    view.settle();
    view.replotNow();  // make sure item positions and axes reflect the latest data
    f.cells << FigureCell{&view, QRectF(0, 0, f.size.width(), plotHeight)};
    return f;
}

/// Every view of side A in the kDashboardSlots grid over `area`.
QList<FigureCell> dashboardGrid(Dashboard& dashboard, const QSizeF& area) {
    QList<FigureCell> cells;
    for (const FigureSlot& slot : kDashboardSlots) {
        PlotView* v = dashboard.view(QString::fromLatin1(slot.view));
        if (!v) continue;
        double top = 0.0;
        for (int r = 0; r < slot.row; ++r) top += kDashboardRows[r];
        // Half a gap on each inner side, so neighbouring cells are kDashboardGap apart.
        const double left = slot.left * area.width() + (slot.left > 0.0 ? kDashboardGap / 2 : 0.0);
        const double right = (slot.left + slot.width) * area.width() - (slot.left + slot.width < 0.999 ? kDashboardGap / 2 : 0.0);
        const double y0 = top * area.height() + (slot.row > 0 ? kDashboardGap / 2 : 0.0);
        const double y1 = (top + kDashboardRows[slot.row]) * area.height() -
                          (slot.row + 1 < int(std::size(kDashboardRows)) ? kDashboardGap / 2 : 0.0);
        v->settle();
        v->replotNow();
        // Whole pixels: toPainter lays the plot out at an integer size.
        cells << FigureCell{v, QRectF(QPointF(std::round(left), std::round(y0)), QPointF(std::round(right), std::round(y1)))};
    }
    return cells;
}

Figure dashboardFigure(Dashboard& dashboard, const ExportOptions& options) {
    Figure f;
    f.showSelection = options.showSelection;
    f.diagnosis = options.diagnosis;
    f.theme = dashboard.theme();
    f.caption = captionFor(dashboard.lastSnapshot(), options);
    if (!f.caption.isEmpty() && dashboard.comparing())
        f.caption += QStringLiteral("  \u00b7  A: %1, B: %2").arg(dashboard.sideLabel(0), dashboard.sideLabel(1));
    const double capH = f.caption.isEmpty() ? 0.0 : captionHeight(f.theme);
    f.size = options.size.isEmpty() ? dashboard.size() + QSize(0, int(capH)) : options.size;
    const QSizeF area(f.size.width(), f.size.height() - capH);
    if (!dashboard.isVisible()) {
        // Off screen (headless): lay the widgets out at exactly the figure size.
        dashboard.resize(area.toSize());
        dashboard.setAttribute(Qt::WA_DontShowOnScreen, true);
        dashboard.show();
        QCoreApplication::sendPostedEvents();
        if (dashboard.layout()) dashboard.layout()->activate();
    }
    if (!dashboard.comparing()) {
        f.cells = dashboardGrid(dashboard, area);
        return f;
    }
    // Comparing: both sides as the window arranges them, scaled to the requested size.
    const double sx = area.width() / std::max(1, dashboard.width());
    const double sy = area.height() / std::max(1, dashboard.height());
    for (PlotView* v : dashboard.visibleViews()) {
        // The whole view (tool row included, which export does not draw), so titles of
        // neighbouring views line up.
        const QRect r(v->mapTo(&dashboard, QPoint(0, 0)), v->size());
        v->settle();
        v->replotNow();
        f.cells << FigureCell{v, QRectF(r.x() * sx, r.y() * sy, r.width() * sx, r.height() * sy)};
    }
    for (const Dashboard::Heading& h : dashboard.visibleHeadings()) {
        const QRect& r = h.rect;
        f.texts << FigureText{QRectF(r.x() * sx, r.y() * sy, r.width() * sx, r.height() * sy), h.text, h.color};
    }
    return f;
}

QImage rasterise(const Figure& figure, double scale) {
    scale = std::clamp(scale, 0.25, 8.0);
    const QSize pixels(int(std::lround(figure.size.width() * scale)), int(std::lround(figure.size.height() * scale)));
    QImage image(pixels, QImage::Format_ARGB32_Premultiplied);
    image.fill(figure.theme.background);
    {
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing, true);
        painter.setRenderHint(QPainter::TextAntialiasing, true);
        // Cosmetic (1 px) pens would stay hairlines at 3x: scale them with the figure.
        if (scale > 1.0) painter.setMode(QCPPainter::pmNonCosmetic);
        painter.scale(scale, scale);
        paintFigure(painter, figure);
    }
    // Metadata only (after painting, so fonts were laid out at 96 dpi): slide tools
    // then place a 3x image at the same physical size as the 1x one.
    const int dpm = int(std::lround(kScreenDpi * scale / 0.0254));
    image.setDotsPerMeterX(dpm);
    image.setDotsPerMeterY(dpm);
    return image;
}

QByteArray svgBytes(const Figure& figure, const QString& title) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(figure.size);
    generator.setViewBox(QRect(QPoint(0, 0), figure.size));
    generator.setResolution(int(kScreenDpi));  // same font metrics as the PNG
    generator.setTitle(title);
    generator.setDescription(figure.caption);
    QCPPainter painter(&generator);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNonCosmetic);
    paintFigure(painter, figure);
    painter.end();
    return bytes;
}

QString writePdf(const Figure& figure, const QString& path, const QString& title) {
    QPdfWriter writer(path);
    writer.setCreator(QStringLiteral("GradFlow"));
    writer.setTitle(title);
    writer.setResolution(int(kScreenDpi));
    writer.setPageSize(QPageSize(QSizeF(figure.size) * 72.0 / kScreenDpi, QPageSize::Point, QString(), QPageSize::ExactMatch));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    QCPPainter painter;
    if (!painter.begin(&writer)) return QStringLiteral("cannot write %1").arg(path);
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNonCosmetic);
    // PDF pages are whole points: a 1366-px figure (1024.5 pt) gets a 1025-pt page. Fill
    // it exactly (a 0.05% stretch), or every edge lands up to a pixel off its place in
    // the PNG when the page is rendered at the figure's pixel size.
    const QRect page = writer.pageLayout().fullRectPoints();
    painter.scale(page.width() * kScreenDpi / 72.0 / figure.size.width(),
                  page.height() * kScreenDpi / 72.0 / figure.size.height());
    paintFigure(painter, figure);
    painter.end();
    return {};
}

QString writeFigure(const Figure& figure, const QString& path, const ExportOptions& options, const QString& title) {
    ExportFormat format;
    if (!formatFromPath(path, format))
        return QStringLiteral("unknown export format for \"%1\": use .png, .svg or .pdf").arg(path);
    if (figure.size.width() < 16 || figure.size.height() < 16 || figure.size.width() > 20000 || figure.size.height() > 20000)
        return QStringLiteral("figure size %1x%2 is outside 16..20000").arg(figure.size.width()).arg(figure.size.height());
    const QFileInfo info(path);
    if (!info.absoluteDir().exists()) return QStringLiteral("folder %1 does not exist").arg(info.absolutePath());
    switch (format) {
    case ExportFormat::Png: {
        if (!(options.scale >= 1.0 && options.scale <= 4.0))
            return QStringLiteral("PNG scale must be between 1 and 4; got %1").arg(options.scale);
        const QImage image = rasterise(figure, options.scale);
        return image.save(path, "PNG") ? QString() : QStringLiteral("cannot write %1").arg(path);
    }
    case ExportFormat::Svg: {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly)) return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        file.write(svgBytes(figure, title));
        return {};
    }
    case ExportFormat::Pdf: return writePdf(figure, path, title);
    }
    return {};
}

}  // namespace

bool formatFromPath(const QString& path, ExportFormat& format) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) format = ExportFormat::Png;
    else if (suffix == QLatin1String("svg")) format = ExportFormat::Svg;
    else if (suffix == QLatin1String("pdf")) format = ExportFormat::Pdf;
    else return false;
    return true;
}

QString exportView(PlotView& view, const QString& path, const ExportOptions& options) {
    return writeFigure(viewFigure(view, options), path, options, view.title());
}

QString exportDashboard(Dashboard& dashboard, const QString& path, const ExportOptions& options) {
    return writeFigure(dashboardFigure(dashboard, options), path, options, QStringLiteral("GradFlow dashboard"));
}

QImage renderViewImage(PlotView& view, const ExportOptions& options) {
    return rasterise(viewFigure(view, options), options.scale);
}

QImage renderDashboardImage(Dashboard& dashboard, const ExportOptions& options) {
    return rasterise(dashboardFigure(dashboard, options), options.scale);
}

QByteArray renderViewSvg(PlotView& view, const ExportOptions& options) {
    return svgBytes(viewFigure(view, options), view.title());
}

void copyToClipboard(Dashboard* dashboard, PlotView* view, const ExportOptions& options) {
    if (!view && !dashboard) return;
    ExportOptions o = options;
    if (o.scale < 2.0) o.scale = 2.0;  // pasted into slides: crisp on a projector
    const Figure figure = view ? viewFigure(*view, o) : dashboardFigure(*dashboard, o);
    auto* mime = new QMimeData;
    mime->setImageData(rasterise(figure, o.scale));
    mime->setData(QStringLiteral("image/svg+xml"), svgBytes(figure, view ? view->title() : QStringLiteral("GradFlow")));
    QGuiApplication::clipboard()->setMimeData(mime);
}

void prepareHeadlessDashboard(Dashboard& dashboard, const SnapshotPtr& snapshot, const core::TrainingHistory& history, QSize size,
                              ThemeKind theme, const HeadlessComparison* comparison) {
    dashboard.setTheme(theme);
    if (comparison && comparison->history) {
        // Laid out at the figure size first, so each side picks its compact layout.
        dashboard.setComparison(true, comparison->baseLabel, comparison->changeLabel);
        dashboard.resize(size);
        dashboard.showFrames(snapshot, history, comparison->snapshot, *comparison->history);
    } else {
        dashboard.showFrame(snapshot, history);
    }
}

QString renderHeadless(const SnapshotPtr& snapshot, const core::TrainingHistory& history, const QString& path,
                       const ExportOptions& figureOptions, const QString& viewName, ThemeKind theme,
                       const HeadlessComparison* comparison) {
    ExportOptions options = figureOptions;
    if (options.size.isEmpty()) options.size = QSize(1600, 1000);
    const QSize size = options.size;
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        return QStringLiteral("rendering needs a QApplication (run with QT_QPA_PLATFORM=offscreen)");
    Dashboard dashboard;
    PlotView* view = nullptr;
    if (!viewName.isEmpty()) {
        view = dashboard.view(viewName);
        if (!view) {
            QStringList names;
            for (PlotView* v : dashboard.views()) names << v->name();
            return QStringLiteral("unknown view \"%1\"; views: %2").arg(viewName, names.join(QStringLiteral(", ")));
        }
    }
    if (comparison && comparison->history && view)
        return QStringLiteral("a comparison exports the whole dashboard, not one view");
    prepareHeadlessDashboard(dashboard, snapshot, history, size, theme, comparison);
    if (view) {
        view->resize(size);  // a sensible layout for items placed in pixels
        return exportView(*view, path, options);
    }
    return exportDashboard(dashboard, path, options);
}

FrameSequenceWriter::FrameSequenceWriter(const QString& directory, const ExportOptions& options, const QString& viewName)
    : m_directory(directory), m_options(options), m_viewName(viewName) {
    m_ready = QDir().mkpath(directory);
}

QString FrameSequenceWriter::frameFileName(int index) {
    return QStringLiteral("frame_%1.png").arg(index, 5, 10, QLatin1Char('0'));
}

QString FrameSequenceWriter::writeFrame(Dashboard& dashboard) {
    if (!m_ready) return QStringLiteral("cannot create folder %1").arg(m_directory);
    const QString path = QDir(m_directory).filePath(frameFileName(m_frames + 1));
    QString error;
    if (m_viewName.isEmpty()) {
        error = exportDashboard(dashboard, path, m_options);
    } else if (PlotView* view = dashboard.view(m_viewName)) {
        error = exportView(*view, path, m_options);
    } else {
        error = QStringLiteral("unknown view \"%1\"").arg(m_viewName);
    }
    if (error.isEmpty()) ++m_frames;
    return error;
}

QStringList dashboardFigureViews() {
    QStringList names;
    for (const FigureSlot& slot : kDashboardSlots) names << QString::fromLatin1(slot.view);
    return names;
}

}  // namespace gradflow::ui
