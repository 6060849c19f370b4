#pragma once
// View 1: per-depth-unit gradient magnitudes of the latest step on a log axis, layer 1 at
// the input side, with the mean-field prediction of the statistic shown overlaid (scaled
// to meet the measured value at the last hidden layer) inside a light band where one
// finite-width net is expected to lie, or a legend note saying there is none, and above them a one-line verdict (vanishing, exploding, dead, healthy) with its
// numbers. Non-finite values become gaps plus a marker at the axis edge, never a point on
// the log axis. Clicking a bar selects that unit.

#include <optional>

#include "ui/plots/plot_helpers.h"
#include "ui/plots/plot_view.h"

class QComboBox;

namespace gradflow::ui {

class GradientBarsPlot : public PlotView {
    Q_OBJECT
public:
    explicit GradientBarsPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    void setStatistic(UnitStatistic statistic);
    UnitStatistic statistic() const { return m_statistic; }
    int selectedUnit() const { return m_selected; }
    /// Selects a 0-based unit (as a click would) and emits unitSelected.
    void selectUnit(int unit);
    /// The clicked unit's highlight; figures hide it unless asked (ExportOptions).
    void setSelectionShown(bool shown) override;
    /// The diagnosis line under the title (core/analysis/gradient_diagnosis.h).
    void setDiagnosisShown(bool shown) override;
    /// The verdict line as drawn ("" when hidden), for tests.
    QString diagnosisText() const;

    // Read by tests: the series exactly as handed to QCustomPlot.
    QCPBars* bars() const { return m_bars; }
    QCPGraph* theoryGraph() const { return m_theory; }
    /// The finite-width band's edges; the upper one carries the fill down to the lower.
    QCPGraph* bandLowGraph() const { return m_bandLow; }
    QCPGraph* bandHighGraph() const { return m_bandHigh; }
    QCPGraph* noTheoryNote() const { return m_noTheory; }
    QCPGraph* overflowMarkers() const { return m_overflow; }
    QCPGraph* underflowMarkers() const { return m_underflow; }

signals:
    void unitSelected(int unit);
    /// The statistic shown changed (from the selector or setStatistic), so a comparison's
    /// other side can follow.
    void statisticChanged(gradflow::ui::UnitStatistic statistic);

protected:
    void fitText(int width) override;
    void fitToRects() override;

private:
    void rebuild();
    void configureValueAxis();
    void updateDiagnosis();
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    int unitAt(const QPointF& pos) const;

    QComboBox* m_statisticBox = nullptr;
    UnitStatistic m_statistic = UnitStatistic::WeightGradient;
    QCPBars* m_bars = nullptr;
    QCPBars* m_selectedBar = nullptr;
    QCPGraph* m_theory = nullptr;
    QCPGraph* m_bandLow = nullptr;
    QCPGraph* m_bandHigh = nullptr;
    QCPGraph* m_noTheory = nullptr;  ///< legend entry saying why no prediction is drawn
    QCPGraph* m_overflow = nullptr;
    QCPGraph* m_underflow = nullptr;
    QCPItemStraightLine* m_reference = nullptr;
    QCPItemText* m_status = nullptr;
    QCPTextElement* m_diagnosis = nullptr;
    QString m_diagnosisFull, m_diagnosisVerdict, m_diagnosisHeadline;  ///< fitText() picks the longest that fits
    bool m_diagnosisShown = true;
    int m_fittedWidth = 0;  ///< the plot width text was last fitted to (screen or figure)
    QFont m_statusFont;  ///< the theme's; fitToRects() may set a smaller one
    SnapshotPtr m_snapshot;
    std::uint64_t m_runId = 0;
    std::optional<core::LessonSpec> m_lesson;  ///< of the last run shown, to tell a new lesson from a Reset
    DecadeRange m_range;
    int m_selected = -1;
    bool m_barToolTip = false;  ///< the tooltip on show is a bar's numbers
};

}  // namespace gradflow::ui
