#include "ui/dashboard_page.h"

#include <QApplication>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/plots/decision_boundary_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/layer_health_plot.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/phase_diagram_plot.h"
#include "ui/plots/spectrum_plot.h"

namespace gradflow::ui {

DashboardPage::DashboardPage(QWidget* parent) : QWidget(parent) {
    // Top row: the story (gradient magnitudes by depth) big, with the spectrum that
    // explains it. Bottom row: the run over time (heat map, loss) and tabs for the rest.
    m_gradients = new GradientBarsPlot;
    auto* heatmap = new GradientHeatmap;
    auto* spectrum = new SpectrumPlot;
    auto* loss = new LossPlot;
    auto* decision = new DecisionBoundaryPlot;
    auto* health = new LayerHealthPlot;
    auto* phase = new PhaseDiagramPlot;
    m_views = {m_gradients, heatmap, spectrum, loss, decision, health, phase};

    auto* top = m_top = new QSplitter(Qt::Horizontal);
    m_spectrum = spectrum;
    top->addWidget(m_gradients);
    top->addWidget(spectrum);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(decision, tr("Data"));
    m_tabs->addTab(health, tr("Layer health"));
    m_tabs->addTab(phase, tr("Phase diagram"));
    m_tabs->setTabToolTip(0, tr("The data set and the network's decision boundary or fitted curve"));
    m_tabs->setTabToolTip(1, tr("Saturated / dead units and activation spread per layer"));
    m_tabs->setTabToolTip(2, tr("Mean-field theory: where this initialisation sits between order and chaos"));
    m_loss = loss;
    auto* bottom = m_bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(heatmap);
    bottom->addWidget(loss);
    bottom->addWidget(m_tabs);
    bottom->setStretchFactor(0, 4);
    bottom->setStretchFactor(1, 3);
    bottom->setStretchFactor(2, 3);
    auto* rows = new QSplitter(Qt::Vertical);
    rows->addWidget(top);
    rows->addWidget(bottom);
    rows->setStretchFactor(0, 5);
    rows->setStretchFactor(1, 4);
    // Proportional first sizes (QSplitter scales them to the real size on first layout);
    // stretch factors alone let size hints of the tab widget and legends win.
    top->setSizes({3000, 2000});
    bottom->setSizes({3600, 3200, 3200});
    rows->setSizes({5000, 4400});
    for (QSplitter* s : {top, bottom, rows}) {
        s->setChildrenCollapsible(false);
        s->setHandleWidth(6);
    }
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(rows);
    connect(m_gradients, &GradientBarsPlot::unitSelected, this, &DashboardPage::unitSelected);
}

PlotView* DashboardPage::view(const QString& name) const {
    for (PlotView* v : m_views)
        if (v->name() == name) return v;
    return nullptr;
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

void DashboardPage::setCompact(bool compact) {
    if (compact == m_compact) return;
    m_compact = compact;
    if (compact) {
        m_tabs->insertTab(0, m_spectrum, tr("Spectrum"));
        m_tabs->setTabToolTip(0, tr("Singular values of the end-to-end Jacobian; eigenvalues of a picked layer"));
        m_tabs->insertTab(0, m_loss, tr("Loss"));
        m_tabs->setTabToolTip(0, tr("Loss and accuracy over training"));
        m_tabs->setCurrentIndex(0);
        m_bottom->setSizes({4000, 6000});
    } else {
        m_tabs->removeTab(m_tabs->indexOf(m_loss));
        m_tabs->removeTab(m_tabs->indexOf(m_spectrum));
        m_bottom->insertWidget(1, m_loss);
        m_top->insertWidget(1, m_spectrum);
        m_loss->show();
        m_spectrum->show();
        m_top->setSizes({3000, 2000});
        m_bottom->setSizes({3600, 3200, 3200});
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
}

}  // namespace gradflow::ui
