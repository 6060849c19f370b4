#pragma once
// View 4: loss (log axis, left) and accuracy (right axis, 0..1) over training steps from
// the whole (thinned) history, with the data set's chance accuracy for reference. Each
// step's value is a faint line; its smoothed trend (curve_trend.h) is drawn bold.
// A non-finite loss ends the curve with a marker at the top edge ("diverged").

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

    QCPGraph* lossGraph() const { return m_loss; }
    QCPGraph* accuracyGraph() const { return m_accuracy; }
    QCPGraph* lossTrendGraph() const { return m_lossTrend; }
    QCPGraph* accuracyTrendGraph() const { return m_accuracyTrend; }
    QCPGraph* divergedMarkers() const { return m_diverged; }
    /// The loss of always answering the mean target (regression with squared error).
    QCPGraph* baselineGraph() const { return m_baseline; }

private:
    QCPGraph* m_loss = nullptr;
    QCPGraph* m_accuracy = nullptr;
    QCPGraph* m_lossTrend = nullptr;
    QCPGraph* m_accuracyTrend = nullptr;
    QCPGraph* m_chance = nullptr;
    QCPGraph* m_diverged = nullptr;
    QCPGraph* m_baseline = nullptr;
    DecadeRange m_range;
    std::uint64_t m_runId = 0;
    std::size_t m_seenEntries = 0;
    std::int64_t m_seenStep = -1;
};

}  // namespace gradflow::ui
