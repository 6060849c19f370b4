#pragma once
// View 4: loss (log scale, left) and accuracy (right axis, 0..1) over training steps from
// the whole (thinned) history, with the data set's chance accuracy for reference. Each
// step's value is a faint line; its smoothed trend (curve_trend.h) is drawn bold. The loss
// graphs hold log10(loss) (see log10_extent.h), so the axis follows a loss up to 1e300.
// A non-finite loss ends the curve with a marker at the top edge, and the step where the
// run diverged is marked by a vertical line and its number. The held-out test set's loss
// and accuracy (every data.test_every steps) are drawn as dashed lines with markers beside
// the training curves, so overfitting shows as the two parting.

#include "ui/plots/log10_extent.h"
#include "ui/plots/plot_helpers.h"
#include "ui/plots/plot_view.h"

namespace gradflow::ui {

class LossPlot : public PlotView {
    Q_OBJECT
public:
    explicit LossPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    /// The loss graphs hold log10(loss); NaN where it is 0 or not finite.
    QCPGraph* lossGraph() const { return m_loss; }
    QCPGraph* accuracyGraph() const { return m_accuracy; }
    QCPGraph* lossTrendGraph() const { return m_lossTrend; }
    QCPGraph* accuracyTrendGraph() const { return m_accuracyTrend; }
    QCPGraph* divergedMarkers() const { return m_diverged; }
    /// Test loss (log10) and accuracy at the steps that evaluated the test set.
    QCPGraph* testLossGraph() const { return m_testLoss; }
    QCPGraph* testAccuracyGraph() const { return m_testAccuracy; }
    /// The loss of always answering the mean target (regression with squared error), log10.
    QCPGraph* baselineGraph() const { return m_baseline; }
    QCPItemLine* divergenceLine() const { return m_divergenceLine; }
    QCPItemText* divergenceLabel() const { return m_divergenceLabel; }

private:
    /// log10 range before the first step: 0.01 .. 10.
    static inline const QCPRange kEmptyRange{-2.0, 1.0};
    /// Marks the diverged stats index `stepIndex` at its step number; -1 hides the mark.
    void showDivergence(std::int64_t stepIndex);

    QCPGraph* m_loss = nullptr;
    QCPGraph* m_accuracy = nullptr;
    QCPGraph* m_lossTrend = nullptr;
    QCPGraph* m_accuracyTrend = nullptr;
    QCPGraph* m_chance = nullptr;
    QCPGraph* m_diverged = nullptr;
    QCPGraph* m_baseline = nullptr;
    QCPGraph* m_testLoss = nullptr;
    QCPGraph* m_testAccuracy = nullptr;
    QCPItemLine* m_divergenceLine = nullptr;
    QCPItemText* m_divergenceLabel = nullptr;
    Log10Extent m_range;  ///< of the loss, log10 units
    std::uint64_t m_runId = 0;
    std::size_t m_seenEntries = 0;
    std::int64_t m_seenStep = -1;
};

}  // namespace gradflow::ui
