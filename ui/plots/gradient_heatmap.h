#pragma once
// View 2: gradient flow over the whole run, depth unit x training step, on a log colour
// scale (cells hold log10 of the statistic). Colour limits cover every finite value seen
// and only ever expand (whole decades), so a frame never recolours the past; the history
// is resampled to a bounded grid; 0 and non-finite cells get the distinct NaN colour
// instead of silently taking the lowest colour.

#include <optional>

#include "ui/plots/log10_extent.h"
#include "ui/plots/plot_helpers.h"
#include "ui/plots/plot_view.h"

class QComboBox;

namespace gradflow::ui {

class GradientHeatmap : public PlotView {
    Q_OBJECT
public:
    explicit GradientHeatmap(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    void setStatistic(UnitStatistic statistic);
    UnitStatistic statistic() const { return m_statistic; }
    /// Largest grid drawn, whatever the history holds (columns = steps, rows = units).
    static constexpr int kMaxColumns = 480;
    static constexpr int kMaxRows = 256;

    /// Cells hold log10 of the statistic (NaN: 0 or not finite); the scale's range is in log10 too.
    QCPColorMap* colorMap() const { return m_map; }
    QCPColorScale* colorScale() const { return m_scale; }
    /// Cells that are exactly 0 (value 1 there, NaN elsewhere), drawn grey over the map.
    QCPColorMap* zeroMap() const { return m_zeroMap; }

signals:
    /// The colour statistic changed, so a comparison's other side can follow.
    void statisticChanged(gradflow::ui::UnitStatistic statistic);

private:
    void rebuild(const core::TrainingHistory& history);

    QComboBox* m_statisticBox = nullptr;
    UnitStatistic m_statistic = UnitStatistic::WeightGradient;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemText* m_nanNote = nullptr;
    QCPColorMap* m_zeroMap = nullptr;
    QCPItemText* m_zeroNote = nullptr;
    Log10Extent m_limits;  ///< colour limits, log10 units
    std::uint64_t m_runId = 0;
    std::size_t m_seenEntries = 0;
    std::int64_t m_seenStep = -1;
    const core::TrainingHistory* m_history = nullptr;
    std::string m_unitName = "layer";
    std::optional<core::LessonSpec> m_lesson;  ///< of the last run shown, to tell a new lesson from a Reset
};

}  // namespace gradflow::ui
