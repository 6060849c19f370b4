#include "ui/dashboard.h"

#include <QGridLayout>
#include <QLabel>
#include <QTabWidget>

#include "core/training/divergence.h"
#include "ui/dashboard_page.h"
#include "ui/plots/distributions_plot.h"
#include "ui/plots/gradient_bars_plot.h"
#include "ui/plots/gradient_heatmap.h"
#include "ui/plots/network_plot.h"
#include "ui/plots/plot_view.h"
#include "ui/plots/shared_axes.h"
#include "ui/plots/spectrum_plot.h"

namespace gradflow::ui {

namespace {
const std::array<QString, 2> kSideLetters = {QStringLiteral("A"), QStringLiteral("B")};
}

Dashboard::Dashboard(QWidget* parent) : QWidget(parent), m_theme(Theme::make(ThemeKind::Light, false)) {
    // A grid rather than a splitter: the two sides always get equal widths, so equal
    // axes also look equal.
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(4, 4, 4, 4);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(2);
    for (int side = 0; side < 2; ++side) {
        m_pages[side] = new DashboardPage(this);
        m_headings[side] = new QLabel(this);
        m_headings[side]->setObjectName(QStringLiteral("comparisonHeading%1").arg(kSideLetters[side]));
        m_headings[side]->setTextFormat(Qt::PlainText);
        m_headings[side]->hide();
        grid->addWidget(m_headings[side], 0, side);
        grid->addWidget(m_pages[side], 1, side);
        connect(m_pages[side], &DashboardPage::unitSelected, this, &Dashboard::unitSelected);
    }
    grid->setRowStretch(1, 1);
    grid->setColumnStretch(0, 1);
    m_grid = grid;
    m_pages[1]->hide();
    // The tabbed views and every selector follow each other, so both sides always show the
    // same view of the same statistic: a fair comparison has one set of controls.
    for (int side = 0; side < 2; ++side) {
        DashboardPage* page = m_pages[side];
        DashboardPage* other = m_pages[1 - side];
        connect(page->tabs(), &QTabWidget::currentChanged, other->tabs(), &QTabWidget::setCurrentIndex);
        auto* bars = qobject_cast<GradientBarsPlot*>(page->view(QStringLiteral("gradients")));
        auto* otherBars = qobject_cast<GradientBarsPlot*>(other->view(QStringLiteral("gradients")));
        connect(bars, &GradientBarsPlot::statisticChanged, otherBars, &GradientBarsPlot::setStatistic);
        auto* heatmap = qobject_cast<GradientHeatmap*>(page->view(QStringLiteral("heatmap")));
        auto* otherHeatmap = qobject_cast<GradientHeatmap*>(other->view(QStringLiteral("heatmap")));
        connect(heatmap, &GradientHeatmap::statisticChanged, otherHeatmap, &GradientHeatmap::setStatistic);
        auto* network = qobject_cast<NetworkPlot*>(page->view(QStringLiteral("network")));
        auto* otherNetwork = qobject_cast<NetworkPlot*>(other->view(QStringLiteral("network")));
        connect(network, &NetworkPlot::encodingChanged, otherNetwork, &NetworkPlot::setEncoding);
        auto* distributions = qobject_cast<DistributionsPlot*>(page->view(QStringLiteral("distributions")));
        auto* otherDistributions = qobject_cast<DistributionsPlot*>(other->view(QStringLiteral("distributions")));
        connect(distributions, &DistributionsPlot::selectionChanged, otherDistributions, &DistributionsPlot::setSelection);
        // Paused, no frame follows a new selection: share the new ranges now.
        connect(distributions, &DistributionsPlot::selectionChanged, this, [this, distributions, otherDistributions] {
            if (!m_comparing) return;
            shareAxisRanges(*distributions->plot(), *otherDistributions->plot());
            distributions->requestReplot();
            otherDistributions->requestReplot();
        });
    }
    setTheme(ThemeKind::Light);
}

Dashboard::~Dashboard() = default;

QList<PlotView*> Dashboard::views() const { return m_pages[0]->views(); }
QList<PlotView*> Dashboard::comparisonViews() const { return m_pages[1]->views(); }
PlotView* Dashboard::view(const QString& name) const { return m_pages[0]->view(name); }
SnapshotPtr Dashboard::lastSnapshot() const { return m_pages[0]->lastSnapshot(); }
SnapshotPtr Dashboard::comparisonSnapshot() const { return m_comparing ? m_pages[1]->lastSnapshot() : nullptr; }

QList<PlotView*> Dashboard::visibleViews() const {
    QList<PlotView*> out;
    for (const DashboardPage* page : m_pages) {
        for (PlotView* v : page->views()) {
            // isVisibleTo(this) also works while the dashboard itself is off screen.
            if (v->isVisibleTo(this)) out << v;
        }
    }
    return out;
}

QList<Dashboard::Heading> Dashboard::visibleHeadings() const {
    QList<Heading> out;
    for (int side = 0; side < 2; ++side) {
        const QLabel* label = m_headings[side];
        if (!label->isVisibleTo(this)) continue;
        out << Heading{label->geometry(), label->text(), label->palette().color(QPalette::WindowText)};
    }
    return out;
}

void Dashboard::revealView(PlotView* view) {
    for (int side = 0; side < 2; ++side) {
        const QList<PlotView*> views = m_pages[side]->views();
        const qsizetype index = views.indexOf(view);
        if (index < 0) continue;
        // The same view on both sides, so the tab sets stay alike.
        for (DashboardPage* page : m_pages) page->reveal(page->views()[index]);
    }
}

void Dashboard::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) {
    m_pages[0]->showFrame(snapshot, history);
    updateHeading(0);
}

void Dashboard::showFrames(const SnapshotPtr& snapshot, const core::TrainingHistory& history, const SnapshotPtr& comparison,
                           const core::TrainingHistory& comparisonHistory) {
    if (!m_comparing) {
        showFrame(snapshot, history);
        return;
    }
    // Forced: a side whose data did not change still holds the last union as its range.
    m_pages[0]->showFrame(snapshot, history, true);
    m_pages[1]->showFrame(comparison, comparisonHistory, true);
    updateHeading(0);
    updateHeading(1);
    shareAxes();
}

void Dashboard::clear() {
    for (DashboardPage* page : m_pages) page->clear();
    updateHeading(0);
    updateHeading(1);
}

void Dashboard::setComparison(bool on, const QString& baseLabel, const QString& changeLabel) {
    m_comparing = on;
    m_labels = {baseLabel, changeLabel};
    updateCompactness();
    m_pages[1]->setVisible(on);
    // An empty column with a stretch still takes its share of the width.
    m_grid->setColumnStretch(1, on ? 1 : 0);
    m_grid->setHorizontalSpacing(on ? 10 : 0);
    if (!on) m_pages[1]->clear();
    const QList<PlotView*> a = m_pages[0]->views(), b = m_pages[1]->views();
    for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i) {
        if (on) alignMargins(*a[i]->plot(), *b[i]->plot());
        else unalignMargins(*a[i]->plot(), *b[i]->plot());
    }
    for (QLabel* heading : m_headings) heading->setVisible(on);
    updateHeading(0);
    updateHeading(1);
}

void Dashboard::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    updateCompactness();
}

void Dashboard::updateCompactness() {
    // Below ~800 px (presenter type: ~1500 px) a side cannot show four views in a row
    // legibly: the spectrum and loss join the tabs. Below ~700 px (1100) the heat map
    // beside the tabs would shrink to a strip and the tab labels would not fit: it becomes
    // the first tab, below the gradients at full width.
    const int sideWidth = m_comparing ? width() / 2 : width();
    using Arrangement = DashboardPage::Arrangement;
    Arrangement arrangement = Arrangement::Narrow;
    if (sideWidth >= (m_theme.presenter ? 1500 : 800)) arrangement = Arrangement::Wide;
    else if (sideWidth >= (m_theme.presenter ? 1100 : 700)) arrangement = Arrangement::Compact;
    if (arrangement == m_pages[0]->arrangement() && arrangement == m_pages[1]->arrangement()) return;
    for (DashboardPage* page : m_pages) page->setArrangement(arrangement);
    // Both sides show the same tab; A's choice wins.
    m_pages[1]->tabs()->setCurrentIndex(m_pages[0]->tabs()->currentIndex());
}

void Dashboard::updateHeading(int side) {
    QLabel* heading = m_headings[side];
    QString text = kSideLetters[side] + QStringLiteral("  \u00b7  ") + m_labels[side];
    const SnapshotPtr snapshot = m_pages[side]->lastSnapshot();
    const bool diverged = snapshot && snapshot->divergence.diverged;
    if (diverged) text += QStringLiteral("  \u00b7  ") + QString::fromStdString(core::divergedAtStep(snapshot->divergence.step));
    heading->setText(text);
    QPalette pal = heading->palette();
    pal.setColor(QPalette::WindowText, diverged ? m_theme.warning : (side == 0 ? m_theme.accent : m_theme.secondary));
    heading->setPalette(pal);
}

void Dashboard::shareAxes() {
    const QList<PlotView*> a = m_pages[0]->views(), b = m_pages[1]->views();
    for (qsizetype i = 0; i < std::min(a.size(), b.size()); ++i) {
        // The spectrum's bins follow its span: shared first, so the ranges below agree.
        auto* spectrumA = qobject_cast<SpectrumPlot*>(a[i]);
        auto* spectrumB = qobject_cast<SpectrumPlot*>(b[i]);
        if (spectrumA && spectrumB) SpectrumPlot::shareScales(*spectrumA, *spectrumB);
        shareAxisRanges(*a[i]->plot(), *b[i]->plot());
    }
}

void Dashboard::setPresenterMode(bool on) {
    m_theme = Theme::make(m_theme.kind, on);
    setTheme(m_theme.kind);
    updateCompactness();
}

void Dashboard::setTheme(ThemeKind kind) {
    m_theme = Theme::make(kind, m_theme.presenter);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, m_theme.background);
    pal.setColor(QPalette::WindowText, m_theme.foreground);
    setPalette(pal);
    setAutoFillBackground(true);
    for (QLabel* heading : m_headings) heading->setFont(m_theme.font(1.35, true));
    for (DashboardPage* page : m_pages) page->setTheme(m_theme);
    updateHeading(0);
    updateHeading(1);
}

}  // namespace gradflow::ui
