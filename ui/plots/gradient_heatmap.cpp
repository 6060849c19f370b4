#include "ui/plots/gradient_heatmap.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <algorithm>

#include "ui/plots/clip_marks.h"
#include "ui/plots/opening_statistic.h"

namespace gradflow::ui {

GradientHeatmap::GradientHeatmap(QWidget* parent)
    : PlotView(QStringLiteral("heatmap"), tr("Gradient flow over training"), parent) {
    setShortTitle(tr("Gradient flow"));
    m_statisticBox = new QComboBox(this);
    m_statisticBox->addItem(tr("‖∂L/∂W‖"), int(UnitStatistic::WeightGradient));
    m_statisticBox->addItem(tr("‖∂L/∂h‖"), int(UnitStatistic::ActivationGradient));
    m_statisticBox->addItem(tr("Update ratio"), int(UnitStatistic::UpdateRatio));
    m_statisticBox->setToolTip(tr("Colour = this statistic, per layer (rows) and training step (columns), log scale"));
    toolRow()->addWidget(new QLabel(tr("Colour:"), this));
    toolRow()->addWidget(m_statisticBox);
    toolRow()->addStretch(1);
    connect(m_statisticBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setStatistic(UnitStatistic(m_statisticBox->currentData().toInt())); });

    QCustomPlot* p = plot();
    m_map = new QCPColorMap(p->xAxis, p->yAxis);
    m_map->setInterpolate(false);  // one block per (unit, step): no invented values
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(p);
    body()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    // Cells hold log10 of the statistic on a linear scale: QCustomPlot refuses log ranges
    // reaching 1e250, so an exploding run's colour scale would freeze and paint it all in
    // the top colour.
    m_scale->setDataScaleType(QCPAxis::stLinear);
    m_scale->axis()->setTicker(QSharedPointer<Log10Ticker>::create());
    m_scale->setBarWidth(12);
    m_map->setColorScale(m_scale);
    // Keep the colour bar as tall as the plot.
    auto* group = new QCPMarginGroup(p);
    p->axisRect()->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    p->xAxis->setLabel(tr("training step"));
    p->yAxis->setTicker(integerTicker());
    p->xAxis->setTicker(integerTicker());
    m_nanNote = new QCPItemText(p);
    m_nanNote->setClipToAxisRect(false);
    m_nanNote->position->setType(QCPItemPosition::ptViewportRatio);
    m_nanNote->position->setCoords(0.995, 0.995);
    m_nanNote->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_nanNote->setText(tr("■ not finite"));
    // Exact zeros are no error (a recurrent net's first step, where h₀ = 0, gives the
    // recurrent weights no gradient): a neutral grey drawn over the map's NaN colour.
    m_zeroMap = new QCPColorMap(p->xAxis, p->yAxis);
    m_zeroMap->setInterpolate(false);
    m_zeroMap->setTightBoundary(false);
    m_zeroMap->setDataRange(QCPRange(0.0, 2.0));
    m_zeroNote = new QCPItemText(p);
    m_zeroNote->setClipToAxisRect(false);
    m_zeroNote->position->setType(QCPItemPosition::ptViewportRatio);
    // The bottom-left corner: the not-finite note has the right one, and both may show.
    m_zeroNote->position->setCoords(0.005, 0.995);
    m_zeroNote->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    m_zeroNote->setText(tr("■ exactly 0"));
    setUpClipAxis(p->xAxis2, p->xAxis);
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void GradientHeatmap::setTheme(const Theme& theme) {
    PlotView::setTheme(theme);
    styleAxis(m_scale->axis(), theme);
    m_map->setGradient(magnitudeGradient(theme));
    m_nanNote->setFont(theme.font(0.85));
    m_nanNote->setColor(theme.nanColor);
    QCPColorGradient zero;
    zero.clearColorStops();
    zero.setColorStopAt(0.0, theme.zeroColor);
    zero.setColorStopAt(1.0, theme.zeroColor);
    zero.setNanHandling(QCPColorGradient::nhTransparent);
    m_zeroMap->setGradient(zero);
    m_zeroNote->setFont(theme.font(0.85));
    m_zeroNote->setColor(theme.zeroColor);
    styleClipAxis(plot()->xAxis2, theme);
}

void GradientHeatmap::clear() {
    m_limits.reset();
    m_seenEntries = 0;
    m_seenStep = -1;
    m_map->data()->clear();
    m_map->data()->setSize(1, 1);
    m_map->data()->setCell(0, 0, std::numeric_limits<double>::quiet_NaN());
    m_map->setVisible(false);
    m_zeroMap->data()->clear();
    m_zeroMap->setVisible(false);
    m_zeroNote->setVisible(false);
    showClippedSteps(plot()->xAxis2, {});
    m_scale->axis()->setLabel(statisticLabel(m_statistic));
    m_scale->setDataRange(QCPRange(-3, 0));
    plot()->xAxis->setRange(0, 100);
    plot()->yAxis->setRange(0.5, 8.5);
    plot()->yAxis->setLabel(tr("layer"));
    m_nanNote->setVisible(false);
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nthe gradient history fills in here"));
}

void GradientHeatmap::setStatistic(UnitStatistic statistic) {
    if (statistic == m_statistic) return;
    m_statistic = statistic;
    m_limits.reset();
    m_seenEntries = 0;
    m_seenStep = -1;
    m_scale->axis()->setLabel(statisticLabel(statistic));
    // Set from outside (the other side of a comparison): the selector shows it too.
    const int index = m_statisticBox->findData(int(statistic));
    if (index >= 0 && index != m_statisticBox->currentIndex()) m_statisticBox->setCurrentIndex(index);
    if (m_history) rebuild(*m_history);
    requestReplot();
    emit statisticChanged(statistic);
}

void GradientHeatmap::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) {
    // First, so a statistic switched below redraws from this history, not the last one.
    m_history = &history;
    if (snapshot && snapshot->runId != m_runId) {
        m_runId = snapshot->runId;
        clear();
        // A new lesson opens on its statistic (if this view offers it); a Reset keeps the
        // user's, and so does the first run shown unless its lesson names one.
        const core::LessonSpec& lesson = snapshot->config.lesson;
        const bool newLesson = m_lesson ? *m_lesson != lesson : lesson.statistic.has_value();
        m_lesson = lesson;
        if (newLesson && m_statisticBox->findData(int(openingStatistic(lesson))) >= 0) setStatistic(openingStatistic(lesson));
    }
    rememberSnapshot(snapshot);
    if (snapshot) m_unitName = snapshot->depthUnitName;
    const auto& entries = history.entries();
    const std::int64_t lastStep = entries.empty() ? -1 : entries.back().step;
    if (entries.size() == m_seenEntries && lastStep == m_seenStep) return;  // nothing new
    rebuild(history);
}

void GradientHeatmap::rebuild(const core::TrainingHistory& history) {
    const auto& entries = history.entries();
    m_seenEntries = entries.size();
    m_seenStep = entries.empty() ? -1 : entries.back().step;
    if (entries.empty()) return;
    std::size_t units = 0;
    for (const auto& e : entries) units = std::max(units, e.layers.size());
    if (units == 0) return;

    // Resample to a bounded grid by nearest step, so thinning (non-uniform strides) and
    // long runs both map onto an evenly spaced step axis.
    // Columns at step numbers (updates done): the stats of entry k are update k + 1's.
    const double first = double(entries.front().step + 1), last = double(entries.back().step + 1);
    const int columns = int(std::min<std::size_t>(entries.size(), kMaxColumns));
    const int rows = int(std::min<std::size_t>(units, kMaxRows));
    QCPColorMapData* data = m_map->data();
    if (data->keySize() != columns || data->valueSize() != rows) data->setSize(columns, rows);
    // QCustomPlot spans one column over the whole key range: centre it on its step.
    const QCPRange keys = columns > 1 ? QCPRange(first, last) : QCPRange(first - 0.5, first + 0.5);
    data->setRange(keys, QCPRange(1.0, rows > 1 ? double(units) : 1.0 + 1e-9));
    QCPColorMapData* zeros = m_zeroMap->data();
    if (zeros->keySize() != columns || zeros->valueSize() != rows) zeros->setSize(columns, rows);
    zeros->setRange(data->keyRange(), data->valueRange());
    QVector<double> clippedSteps;
    bool anyZero = false;
    bool anyBad = false;
    std::size_t cursor = 0;
    for (int c = 0; c < columns; ++c) {
        const double target = columns > 1 ? first + (last - first) * c / (columns - 1) : first;
        while (cursor + 1 < entries.size() &&
               std::abs(double(entries[cursor + 1].step + 1) - target) <= std::abs(double(entries[cursor].step + 1) - target))
            ++cursor;
        const auto& layers = entries[cursor].layers;
        if (entries[cursor].clipped) clippedSteps << double(entries[cursor].step + 1);
        for (int r = 0; r < rows; ++r) {
            const std::size_t unit = rows > 1 ? std::size_t(std::lround(double(r) * (units - 1) / (rows - 1))) : 0;
            const double v = unit < layers.size() ? statisticValue(layers[unit], m_statistic) : core::kNotApplicable;
            // 0, negatives and +Inf have no logarithm: NaN, the distinct "not finite" colour.
            const double safe = logSafe(v);
            // 0, or a positive value below the log floor: a zero in floating point.
            const bool zero = v >= 0.0 && v < 1e-300;
            anyZero = anyZero || zero;
            zeros->setCell(c, r, zero ? 1.0 : std::numeric_limits<double>::quiet_NaN());
            if (std::isnan(safe) && !std::isnan(v) && !zero) anyBad = true;
            if (std::isnan(v) && entries[cursor].diverged) anyBad = true;
            data->setCell(c, r, m_limits.include(safe));
        }
    }
    m_scale->setDataRange(m_limits.range(QCPRange(-3, 0)));
    const double halfKey = columns > 1 ? (last - first) / (columns - 1) / 2 : 0.0;
    const double halfRow = rows > 1 ? (double(units) - 1.0) / (rows - 1) / 2 : 0.5;
    plot()->xAxis->setRange(keys.lower - halfKey, keys.upper + halfKey);
    plot()->yAxis->setRange(1.0 - halfRow, double(units) + halfRow);
    QString name = QString::fromStdString(m_unitName);
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    plot()->yAxis->setLabel(tr("%1 (1 = input side)").arg(name));
    m_map->setVisible(true);
    m_zeroMap->setVisible(anyZero);
    m_nanNote->setVisible(anyBad);
    m_zeroNote->setVisible(anyZero);
    // Consecutive clipped steps collapse to one column of the grid: one tick each.
    clippedSteps.erase(std::unique(clippedSteps.begin(), clippedSteps.end()), clippedSteps.end());
    showClippedSteps(plot()->xAxis2, clippedSteps);
    setEmptyMessage(QString());
}

}  // namespace gradflow::ui
