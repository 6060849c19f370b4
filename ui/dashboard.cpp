#include "ui/dashboard.h"

#include <QSplitter>
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

Dashboard::Dashboard(QWidget* parent) : QWidget(parent), m_theme(Theme::make(ThemeKind::Light, false)) {
    // Top row: the story (gradient magnitudes by depth) big, with the spectrum that
    // explains it. Bottom row: the run over time (heat map, loss) and tabs for the rest.
    m_gradients = new GradientBarsPlot;
    auto* heatmap = new GradientHeatmap;
    auto* spectrum = new SpectrumPlot;
    auto* loss = new LossPlot;
    auto* decision = new DecisionBoundaryPlot;
    auto* health = new LayerHealthPlot;
    auto* phase = new PhaseDiagramPlot;
    for (PlotView* v : std::initializer_list<PlotView*>{m_gradients, heatmap, spectrum, loss, decision, health, phase})
        addView(v);

    auto* top = new QSplitter(Qt::Horizontal);
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
    auto* bottom = new QSplitter(Qt::Horizontal);
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
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(rows);
    connect(m_gradients, &GradientBarsPlot::unitSelected, this, &Dashboard::unitSelected);
    setTheme(ThemeKind::Light);
}

Dashboard::~Dashboard() = default;

void Dashboard::addView(PlotView* view) { m_views << view; }

PlotView* Dashboard::view(const QString& name) const {
    for (PlotView* v : m_views)
        if (v->name() == name) return v;
    return nullptr;
}

QList<PlotView*> Dashboard::visibleViews() const {
    QList<PlotView*> out;
    for (PlotView* v : m_views) {
        // isVisibleTo(this) also works while the dashboard itself is off screen.
        if (v->isVisibleTo(this)) out << v;
    }
    return out;
}

void Dashboard::revealView(PlotView* view) {
    const int index = m_tabs->indexOf(view);
    if (index >= 0) m_tabs->setCurrentIndex(index);
}

void Dashboard::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) {
    const auto& entries = history.entries();
    const std::int64_t lastStep = entries.empty() ? -1 : entries.back().step;
    if (snapshot == m_last && entries.size() == m_lastHistorySize && lastStep == m_lastHistoryStep) return;
    m_last = snapshot;
    m_lastHistorySize = entries.size();
    m_lastHistoryStep = lastStep;
    for (PlotView* v : m_views) {
        v->showFrame(snapshot, history);
        v->requestReplot();  // queued: one replot per view per frame, none for hidden tabs
    }
}

void Dashboard::clear() {
    m_last.reset();
    m_lastHistorySize = 0;
    m_lastHistoryStep = -1;
    for (PlotView* v : m_views) {
        v->clear();
        v->requestReplot();
    }
}

void Dashboard::setPresenterMode(bool on) {
    m_theme = Theme::make(m_theme.kind, on);
    setTheme(m_theme.kind);
}

void Dashboard::setTheme(ThemeKind kind) {
    m_theme = Theme::make(kind, m_theme.presenter);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, m_theme.background);
    pal.setColor(QPalette::WindowText, m_theme.foreground);
    setPalette(pal);
    setAutoFillBackground(true);
    for (PlotView* v : m_views) {
        v->setTheme(m_theme);
        v->requestReplot();
    }
}

}  // namespace gradflow::ui
