#include "ui/plots/plot_view.h"

#include <qcustomplot.h>
#include <QContextMenuEvent>
#include <QHBoxLayout>
#include <QHelpEvent>
#include <QMenu>
#include <QToolTip>
#include <QVBoxLayout>
#include <numeric>

#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/plot_helpers.h"
#include "ui/view_help.h"

namespace gradflow::ui {

PlotView::PlotView(const QString& name, const QString& title, QWidget* parent) : QWidget(parent), m_name(name), m_title(title) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_plot = new QCustomPlot(this);
    // Small enough that two dashboards side by side (a comparison) fit a 1366-px screen.
    m_plot->setMinimumSize(160, 150);
    // Plots are redrawn by the dashboard once per frame; interactions would add replots.
    m_plot->setInteractions(QCP::Interactions());
    m_plot->setNoAntialiasingOnDrag(true);
    // Title row above a body grid, so views with several panels or a colour bar still
    // get a centred title.
    QCPAxisRect* rect = m_plot->axisRect();
    QCPLayoutGrid* main = m_plot->plotLayout();
    main->take(rect);
    main->simplify();
    m_titleElement = new QCPTextElement(m_plot, title);
    main->addElement(0, 0, m_titleElement);
    m_body = new QCPLayoutGrid;
    main->addElement(1, 0, m_body);
    m_body->addElement(0, 0, rect);
    main->setRowSpacing(0);
    m_emptyText = new QCPItemText(m_plot);
    m_emptyText->setClipToAxisRect(false);
    m_emptyText->position->setType(QCPItemPosition::ptViewportRatio);
    m_emptyText->position->setCoords(0.5, 0.55);
    m_emptyText->setPositionAlignment(Qt::AlignCenter);
    m_emptyText->setTextAlignment(Qt::AlignCenter);
    m_emptyText->setPadding(QMargins(14, 10, 14, 10));
    layout->addWidget(m_plot, 1);
    setContextMenuPolicy(Qt::DefaultContextMenu);
    m_plot->installEventFilter(this);
    connect(m_plot, &QCustomPlot::afterLayout, this, &PlotView::fitToLayout);
}

PlotView::~PlotView() = default;

QHBoxLayout* PlotView::toolRow() {
    if (!m_toolRow) {
        m_toolRow = new QHBoxLayout();
        m_toolRow->setContentsMargins(8, 4, 8, 0);
        m_toolRow->setSpacing(6);
        static_cast<QVBoxLayout*>(layout())->insertLayout(0, m_toolRow);
    }
    return m_toolRow;
}

void PlotView::setEmptyMessage(const QString& text) {
    m_emptyText->setText(text);
    m_emptyText->setVisible(!text.isEmpty());
}

void PlotView::setTheme(const Theme& theme) {
    m_theme = theme;
    applyTheme(m_plot, theme);
    m_titleElement->setFont(theme.titleFont());
    m_titleElement->setTextColor(theme.foreground);
    m_titleElement->setMargins(QMargins(6, theme.presenter ? 8 : 5, 6, 0));
    if (m_legendAbove) {
        m_plot->legend->setBrush(Qt::NoBrush);
        m_plot->legend->setBorderPen(Qt::NoPen);
        m_plot->legend->setMargins(QMargins(8, 2, 8, 0));
        m_plot->legend->setColumnSpacing(theme.presenter ? 24 : 16);
    }
    m_emptyText->setFont(theme.font(1.1));
    m_emptyText->setColor(theme.mutedText);
    m_emptyText->setBrush(theme.panel);
    m_emptyText->setPen(QPen(theme.grid));
    QPalette pal = palette();
    pal.setColor(QPalette::Window, theme.background);
    pal.setColor(QPalette::WindowText, theme.foreground);
    setPalette(pal);
    setAutoFillBackground(true);
    setFont(theme.font());
}

void PlotView::placeLegendAbove() {
    QCPLegend* legend = m_plot->legend;
    QCPLayoutInset* inset = m_plot->axisRect()->insetLayout();
    if (!inset->take(legend)) return;
    inset->simplify();
    m_body->insertRow(0);
    m_body->addElement(0, 0, legend);
    m_body->setRowStretchFactor(0, 0.001);
    m_body->setRowSpacing(0);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    fitTo(m_plot->width());
    legend->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);
    m_legendAbove = true;
    setTheme(m_theme);
}

void PlotView::syncDevicePixelRatio() {
    const double dpr = devicePixelRatioF();
    if (!qFuzzyCompare(m_plot->bufferDevicePixelRatio(), dpr)) m_plot->setBufferDevicePixelRatio(dpr);
}

void PlotView::setShortTitle(const QString& title) { m_shortTitle = title; }

void PlotView::fitTo(int width) {
    // Title: the short form when the full one would be cut off at both ends.
    if (!m_shortTitle.isEmpty()) {
        const int titleWidth = QFontMetrics(m_titleElement->font()).horizontalAdvance(m_title) + 24;
        m_titleElement->setText(titleWidth > width ? m_shortTitle : m_title);
    }
    // x ticks: about one label per 70 px of axis, so numbers never run together. The
    // rects are as the last layout left them, at the viewport's width then.
    const int laidOut = m_plot->plotLayout()->outerRect().width();
    const double ratio = laidOut > 0 ? double(width) / laidOut : 1.0;
    const QList<QCPAxisRect*> rects = m_plot->axisRects();
    for (QCPAxisRect* rect : rects) {
        const double rectWidth = rect->width() > 0 ? rect->width() * ratio : double(width) / rects.size();
        for (QCPAxis* axis : rect->axes(QCPAxis::atBottom)) {
            // The view's own choice is the most ticks it ever gets.
            QVariant preferred = axis->property("preferredTickCount");
            if (!preferred.isValid()) {
                preferred = axis->ticker()->tickCount();
                axis->setProperty("preferredTickCount", preferred);
            }
            axis->ticker()->setTickCount(std::clamp(int(rectWidth / 70.0), 2, std::max(2, preferred.toInt())));
        }
    }
    fitText(width);
    fitEmptyMessage(width);
    if (!m_legendAbove) return;
    QCPLegend* legend = m_plot->legend;
    QVector<int> widths;
    // itemCount() counts the grid's cells, empty ones (null) included.
    for (int i = 0; i < legend->itemCount(); ++i)
        if (QCPAbstractLegendItem* item = legend->item(i)) widths << item->minimumOuterSizeHint().width();
    // Filled columns first: a column is as wide as its widest entry.
    const auto rowWidth = [&](int columns) {
        QVector<int> column(columns, 0);
        for (int i = 0; i < widths.size(); ++i) column[i % columns] = std::max(column[i % columns], widths[i]);
        return std::accumulate(column.begin(), column.end(), 0) + legend->columnSpacing() * (columns - 1);
    };
    const int available = width - legend->margins().left() - legend->margins().right() - 16;
    int columns = std::max<int>(1, int(widths.size()));
    while (columns > 1 && rowWidth(columns) > available) --columns;
    if (columns != legend->wrap()) {
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
}

void PlotView::fitEmptyMessage(int width) {
    if (!m_emptyText->visible()) return;
    // One panel: centre on it, not on the viewport, which includes the axis labels; a view
    // of several panels keeps the viewport's centre.
    const QList<QCPAxisRect*> rects = m_plot->axisRects();
    const bool onePanel = rects.size() == 1 && rects.front()->width() > 0;
    if (onePanel) {
        m_emptyText->position->setType(QCPItemPosition::ptAxisRectRatio);
        m_emptyText->position->setAxisRect(rects.front());
        m_emptyText->position->setCoords(0.5, 0.5);
    }
    const int available = (onePanel ? rects.front()->width() : width) - 8;
    m_emptyText->setFont(fontToFit(*m_emptyText, m_theme.font(1.1), available));
}

void PlotView::layOut(const QSize& size) {
    m_plot->setViewport(QRect(QPoint(0, 0), size));
    for (const auto phase : {QCPLayoutElement::upPreparation, QCPLayoutElement::upMargins, QCPLayoutElement::upLayout})
        m_plot->plotLayout()->update(phase);
    fitTo(size.width());
}

namespace {

/// Shorter forms of an axis label, longest first: without its parenthesis ("Layer (1 =
/// input side)" -> "Layer") or its unit ("fraction of σ per ¼ decade" -> "fraction of
/// σ"), then only its formula ("weight gradient ‖∂L/∂W‖" -> "‖∂L/∂W‖").
QStringList shorterLabels(const QString& label) {
    QStringList forms;
    for (const QString& tail : {QStringLiteral(" ("), QStringLiteral(" per ")}) {
        const qsizetype at = label.indexOf(tail);
        if (at > 0) forms << label.left(at);
    }
    const QString base = forms.isEmpty() ? label : forms.last();
    const qsizetype norm = base.indexOf(u'‖');
    if (norm > 0) forms << base.mid(norm);
    return forms;
}

void fitAxisLabel(QCPAxis* axis, double length) {
    // The view's own label is remembered until the view sets another one.
    QString full = axis->property("fullLabel").toString();
    if (axis->label() != axis->property("fittedLabel").toString()) full = axis->label();
    if (full.isEmpty()) return;
    const QFontMetricsF metrics(axis->labelFont());
    QString chosen = full;
    for (const QString& form : shorterLabels(full)) {
        if (metrics.horizontalAdvance(chosen) <= length) break;
        chosen = form;
    }
    axis->setProperty("fullLabel", full);
    axis->setProperty("fittedLabel", chosen);
    if (axis->label() != chosen) axis->setLabel(chosen);
}

/// Moves a text box placed in plot coordinates (a readout beside a marker) inside its
/// axis rect; the view's own position is kept, so the next layout starts from it.
void keepInside(QCPItemText* text) {
    QCPItemPosition* position = text->position;
    if (!text->clipToAxisRect() || !text->clipAxisRect() || position->type() != QCPItemPosition::ptPlotCoords) return;
    QPointF anchor = position->coords();
    if (anchor == text->property("fittedCoords").toPointF()) anchor = text->property("anchorCoords").toPointF();
    text->setProperty("anchorCoords", anchor);
    position->setCoords(anchor);
    const QRectF room = text->clipAxisRect()->rect();
    const QRectF box = textItemBox(*text, position->pixelPosition());
    const double dx = std::max(0.0, room.left() - box.left()) - std::max(0.0, box.right() - room.right());
    const double dy = std::max(0.0, room.top() - box.top()) - std::max(0.0, box.bottom() - room.bottom());
    if (dx != 0.0 || dy != 0.0) position->setPixelPosition(position->pixelPosition() + QPointF(dx, dy));
    text->setProperty("fittedCoords", position->coords());
}

}  // namespace

void PlotView::fitToLayout() {
    for (QCPAxisRect* rect : m_plot->axisRects()) {
        for (QCPAxis* axis : rect->axes())
            if (axis->visible()) fitAxisLabel(axis, axis->orientation() == Qt::Horizontal ? rect->width() : rect->height());
    }
    for (QCPLayoutElement* element : m_plot->plotLayout()->elements(true))
        if (auto* scale = qobject_cast<QCPColorScale*>(element)) fitAxisLabel(scale->axis(), scale->rect().height());
    for (int i = 0; i < m_plot->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(m_plot->item(i)); text && text->visible()) keepInside(text);
    fitToRects();
}

bool PlotView::redrawsFor(const Snapshot&, const Snapshot&) const { return true; }

void PlotView::present(const SnapshotPtr& snapshot, const core::TrainingHistory& history) {
    if (snapshot && m_snapshot && !redrawsFor(*m_snapshot, *snapshot)) {
        m_snapshot = snapshot;
        return;
    }
    showFrame(snapshot, history);
    requestReplot();
}

void PlotView::requestReplot() {
    if (!isVisible()) return;  // replot() does the full work even when hidden
    syncDevicePixelRatio();
    fitTo(m_plot->width());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PlotView::replotNow() {
    fitTo(m_plot->width());
    m_plot->replot(QCustomPlot::rpImmediateRefresh);
}

void PlotView::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    syncDevicePixelRatio();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void PlotView::contextMenuEvent(QContextMenuEvent* event) { showContextMenu(event->globalPos()); }

void PlotView::showContextMenu(const QPoint& globalPos) {
    QMenu menu(this);
    menu.setObjectName(QStringLiteral("plotContextMenu"));
    Dashboard* dashboard = nullptr;
    for (QWidget* w = parentWidget(); w && !dashboard; w = w->parentWidget()) dashboard = qobject_cast<Dashboard*>(w);
    menu.addAction(tr("Export \"%1\"…").arg(m_title), this, [this, dashboard] { exportWithDialog(this, dashboard, this); });
    menu.addAction(tr("Copy \"%1\" as image").arg(m_title), this, [this, dashboard] { copyToClipboard(dashboard, this); });
    if (dashboard) {
        menu.addSeparator();
        menu.addAction(tr("Export whole dashboard…"), this, [this, dashboard] { exportWithDialog(this, dashboard, nullptr); });
        menu.addAction(tr("Copy whole dashboard"), this, [dashboard] { copyToClipboard(dashboard, nullptr); });
    }
    menu.addSeparator();
    menu.addAction(tr("What am I looking at?"), this, [this] { emit helpRequested(this); });
    menu.exec(globalPos);
}

QString PlotView::textAt(const QPoint& pos) const {
    const QPointF p(pos);
    // Topmost visible text first (itemAt() also returns hidden items lying underneath).
    for (int i = m_plot->itemCount() - 1; i >= 0; --i) {
        auto* text = qobject_cast<QCPItemText*>(m_plot->item(i));
        if (!text || !text->realVisibility()) continue;
        const double distance = text->selectTest(p, false);
        if (distance >= 0 && distance < m_plot->selectionTolerance()) return text->text();
    }
    QCPLayoutElement* element = m_plot->layoutElementAt(p);
    if (auto* entry = dynamic_cast<QCPPlottableLegendItem*>(element)) return entry->plottable()->name();
    if (element == m_titleElement) return {};
    if (auto* text = dynamic_cast<QCPTextElement*>(element)) return text->text();
    // Axis titles and tick labels lie in the margins of their axis rect or colour scale.
    QList<QCPAxis*> axes;
    for (QCPAxisRect* rect : m_plot->axisRects()) axes << rect->axes();
    for (QCPColorScale* scale : m_plot->findChildren<QCPColorScale*>()) axes << scale->axis();
    for (QCPAxis* axis : axes)
        if (axis && axis->visible() && axis->selectTest(p, false) >= 0) return axis->label();
    if (QCPAbstractPlottable* plottable = m_plot->plottableAt(p, false)) return plottable->name();
    return {};
}

QString PlotView::toolTipAt(const QPoint& pos) const { return viewToolTip(m_name, textAt(pos)); }

bool PlotView::eventFilter(QObject* watched, QEvent* event) {
    // QCustomPlot sets Qt::WA_NoMousePropagation, so a right click on the plot never
    // reached this widget's contextMenuEvent(): the menu is opened from here.
    if (watched == m_plot && event->type() == QEvent::ContextMenu) {
        showContextMenu(static_cast<QContextMenuEvent*>(event)->globalPos());
        event->accept();
        return true;
    }
    if (watched == m_plot && event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        // A view's own hover text (a bar's numbers) stays until the view hides it.
        if (QToolTip::isVisible() && QToolTip::text() != m_shownToolTip) return true;
        m_shownToolTip = toolTipAt(help->pos());
        if (m_shownToolTip.isEmpty()) QToolTip::hideText();
        else QToolTip::showText(help->globalPos(), m_shownToolTip, m_plot);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

}  // namespace gradflow::ui
