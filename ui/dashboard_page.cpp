#include "ui/dashboard_page.h"

#include <QApplication>
#include <QEvent>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/plots/decision_boundary_plot.h"
#include "ui/plots/distributions_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/layer_health_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/network_plot.h"
#include "ui/plots/phase_diagram_plot.h"
#include "ui/plots/spectrum_plot.h"

namespace gradflow::ui {

namespace {
/// Views given up first when the tab labels do not fit, least needed first.
const QStringList kDropOrder = {QStringLiteral("decision"), QStringLiteral("health"),        QStringLiteral("phase"),
                                QStringLiteral("network"),  QStringLiteral("distributions"), QStringLiteral("spectrum"),
                                QStringLiteral("loss")};
}  // namespace

DashboardPage::DashboardPage(QWidget* parent) : QWidget(parent) {
    // Top row: the story (gradient magnitudes by depth) big, with the spectrum that
    // explains it. Bottom row: the run over time (heat map, loss) and tabs for the rest.
    m_gradients = new GradientBarsPlot;
    m_heatmap = new GradientHeatmap;
    m_spectrum = new SpectrumPlot;
    m_loss = new LossPlot;
    m_views = {m_gradients, m_heatmap, m_spectrum, m_loss, new DecisionBoundaryPlot, new LayerHealthPlot, new PhaseDiagramPlot};
    auto* distributions = new DistributionsPlot;
    auto* network = new NetworkPlot;
    m_views << distributions << network;

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    // Labels are fitted to the width instead (fitTabs): never elided, and never so many
    // that the scroll buttons show. (Without scroll buttons, a tab bar's minimum width is
    // all its labels, which would set a floor under the window's width.)
    m_tabs->tabBar()->setElideMode(Qt::ElideNone);
    m_tabs->tabBar()->setExpanding(false);
    m_tabs->installEventFilter(this);
    m_top = new QSplitter(Qt::Horizontal);
    m_bottom = new QSplitter(Qt::Horizontal);
    m_rows = new QSplitter(Qt::Vertical);
    m_rows->addWidget(m_top);
    m_rows->addWidget(m_bottom);
    for (QSplitter* s : {m_top, m_bottom, m_rows}) {
        s->setChildrenCollapsible(false);
        s->setHandleWidth(6);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_rows);
    // A plot's text (short or full title, legend rows) is chosen for its width: choose
    // again whenever a splitter, the window or a comparison changes that width.
    for (PlotView* v : m_views) v->plot()->installEventFilter(this);
    connect(m_gradients, &GradientBarsPlot::unitSelected, this, &DashboardPage::unitSelected);
    // A layer clicked in the gradient view is the layer whose distribution one wants next.
    connect(m_gradients, &GradientBarsPlot::unitSelected, distributions, &DistributionsPlot::selectUnit);
    // A layer clicked in the network diagram is picked as a click on its bar would pick it,
    // so every view follows; the diagram outlines whatever the bars pick.
    connect(network, &NetworkPlot::unitSelected, m_gradients, &GradientBarsPlot::selectUnit);
    connect(m_gradients, &GradientBarsPlot::unitSelected, network, &NetworkPlot::setSelectedUnit);
    m_arrangement = Arrangement::Compact;  // so the call below lays everything out
    setArrangement(Arrangement::Wide);
}

PlotView* DashboardPage::view(const QString& name) const {
    for (PlotView* v : m_views)
        if (v->name() == name) return v;
    return nullptr;
}

DashboardPage::TabLabel DashboardPage::labelFor(const PlotView* view) const {
    const QString name = view->name();
    if (name == QLatin1String("heatmap"))
        return {tr("Gradient flow"), tr("Heat map"), tr("Gradient magnitude per layer over the whole run")};
    if (name == QLatin1String("loss")) return {tr("Loss"), tr("Loss"), tr("Loss and accuracy over training")};
    if (name == QLatin1String("spectrum"))
        return {tr("Spectrum"), tr("Spectrum"), tr("Singular values of the end-to-end Jacobian; eigenvalues of a picked layer")};
    if (name == QLatin1String("decision"))
        return {tr("Data"), tr("Data"), tr("The data set and the network's decision boundary or fitted curve")};
    if (name == QLatin1String("health"))
        return {tr("Layer health"), tr("Health"), tr("Saturated / dead units and activation spread per layer")};
    if (name == QLatin1String("phase"))
        return {tr("Phase diagram"), tr("Phase"),
                tr("Mean-field theory: where this initialisation sits between order and chaos")};
    if (name == QLatin1String("distributions"))
        return {tr("Distributions"), tr("Distrib."),
                tr("Histograms of one layer's values or gradients, and their percentiles over the run")};
    if (name == QLatin1String("network"))
        return {tr("Network graph"), tr("Graph"),
                tr("The stack as a graph: edges by each weight's gradient (or value), units by saturation")};
    return {view->title(), view->title(), QString()};
}

void DashboardPage::setArrangement(Arrangement arrangement) {
    if (arrangement == m_arrangement) return;
    m_arrangement = arrangement;
    PlotView* current = qobject_cast<PlotView*>(m_tabs->currentWidget());
    QList<QWidget*> top{m_gradients}, bottom;
    QList<PlotView*> tabbed;
    QList<int> topSizes{1}, bottomSizes, rowSizes;
    const QList<PlotView*> supporting = {view(QStringLiteral("decision")), view(QStringLiteral("health")),
                                         view(QStringLiteral("phase")), view(QStringLiteral("distributions")),
                                         view(QStringLiteral("network"))};
    switch (arrangement) {
    case Arrangement::Wide:
        top << m_spectrum;
        bottom = {m_heatmap, m_loss, m_tabs};
        tabbed = supporting;
        // Proportional first sizes (QSplitter scales them to the real size); stretch
        // factors alone let size hints of the tab widget and legends win.
        topSizes = {3000, 2000};
        bottomSizes = {3600, 3200, 3200};
        rowSizes = {5000, 4400};
        break;
    case Arrangement::Compact:
        bottom = {m_heatmap, m_tabs};
        tabbed = QList<PlotView*>{m_loss, m_spectrum} + supporting;
        bottomSizes = {5500, 4500};
        rowSizes = {5000, 5000};
        break;
    case Arrangement::Narrow:
        bottom = {m_tabs};
        tabbed = QList<PlotView*>{m_heatmap, m_loss, m_spectrum} + supporting;
        bottomSizes = {1};
        // The tab bar and the heat map's selector row take some of the lower half.
        rowSizes = {4700, 5300};
        break;
    }
    {
        // Tab indices pass through every value while the set is rebuilt: the other side of
        // a comparison must not follow them.
        const QSignalBlocker blocker(m_tabs);
        while (m_tabs->count() > 0) m_tabs->removeTab(0);
        for (PlotView* v : tabbed) {
            const TabLabel label = labelFor(v);
            const int index = m_tabs->addTab(v, label.full);
            m_tabs->setTabToolTip(index, label.toolTip);
        }
        // A heat map that was on screen stays on screen as the first tab.
        const int index = m_tabs->indexOf(arrangement == Arrangement::Narrow ? m_heatmap : current);
        m_tabs->setCurrentIndex(index >= 0 ? index : 0);
    }
    for (int i = 0; i < top.size(); ++i) m_top->insertWidget(i, top[i]);
    for (int i = 0; i < bottom.size(); ++i) m_bottom->insertWidget(i, bottom[i]);
    // Taken out of a tab widget, a view is still hidden.
    for (QWidget* w : top + bottom) w->show();
    m_top->setSizes(topSizes);
    m_bottom->setSizes(bottomSizes);
    m_rows->setSizes(rowSizes);
    fitTabs();
}

void DashboardPage::reveal(PlotView* view) {
    const int index = m_tabs->indexOf(view);
    if (index < 0) return;
    m_tabs->setTabVisible(index, true);
    m_tabs->setCurrentIndex(index);
    fitTabs();
}

void DashboardPage::fitTabs() {
    if (m_fittingTabs) return;
    m_fittingTabs = true;
    QTabBar* bar = m_tabs->tabBar();
    const int available = m_tabs->width();
    // The bar's size hint is its visible tabs side by side, each at its label's width.
    const auto needed = [bar] { return bar->sizeHint().width(); };
    for (int i = 0; i < m_tabs->count(); ++i) {
        m_tabs->setTabVisible(i, true);
        m_tabs->setTabText(i, labelFor(static_cast<PlotView*>(m_tabs->widget(i))).full);
    }
    if (needed() > available) {
        for (int i = 0; i < m_tabs->count(); ++i)
            m_tabs->setTabText(i, labelFor(static_cast<PlotView*>(m_tabs->widget(i))).brief);
    }
    for (const QString& name : kDropOrder) {
        if (needed() <= available) break;
        const int index = m_tabs->indexOf(view(name));
        if (index >= 0 && index != m_tabs->currentIndex()) m_tabs->setTabVisible(index, false);
    }
    m_fittingTabs = false;
}

bool DashboardPage::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Resize) {
        if (watched == m_tabs) {
            fitTabs();
        } else {
            for (PlotView* v : m_views)
                if (watched == v->plot()) v->fitTo(v->plot()->width());
        }
    }
    return QWidget::eventFilter(watched, event);
}

void DashboardPage::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history, bool force) {
    const auto& entries = history.entries();
    const std::int64_t lastStep = entries.empty() ? -1 : entries.back().step;
    if (!force && snapshot == m_last && entries.size() == m_lastHistorySize && lastStep == m_lastHistoryStep) return;
    m_last = snapshot;
    m_lastHistorySize = entries.size();
    m_lastHistoryStep = lastStep;
    for (PlotView* v : m_views) {
        // Queued: at most one replot per view per frame, none for hidden tabs.
        if (force) {
            v->showFrame(snapshot, history);
            v->requestReplot();
        } else {
            v->present(snapshot, history);
        }
    }
}

void DashboardPage::clear() {
    m_last.reset();
    m_lastHistorySize = 0;
    m_lastHistoryStep = -1;
    for (PlotView* v : m_views) {
        v->clear();
        v->requestReplot();
    }
}

void DashboardPage::setTheme(const Theme& theme) {
    QFont tabFont = QApplication::font();
    tabFont.setPointSizeF(tabFont.pointSizeF() * (theme.presenter ? 1.4 : 1.0));
    m_tabs->tabBar()->setFont(tabFont);
    for (PlotView* v : m_views) {
        v->setTheme(theme);
        v->requestReplot();
    }
    fitTabs();
}

}  // namespace gradflow::ui
