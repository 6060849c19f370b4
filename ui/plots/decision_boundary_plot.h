#pragma once
// View 5: the data set with what the network predicts. Classification: the prediction
// grid as a colour-map background (each class its colour, paler where the network is
// unsure) under the points coloured by class. Regression: the fitted curve over the
// points. Sequence tasks have no 2-D input space, so the view says so instead of
// drawing something misleading.

#include "ui/plots/plot_view.h"

namespace gradflow::ui {

class DecisionBoundaryPlot : public PlotView {
    Q_OBJECT
public:
    explicit DecisionBoundaryPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    bool redrawsFor(const Snapshot& shown, const Snapshot& next) const override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    /// Points drawn per class at most (large data sets are subsampled evenly).
    static constexpr int kMaxPoints = 1500;

    QCPColorMap* background() const { return m_map; }
    QCPGraph* fittedCurve() const { return m_curve; }
    const QList<QCPGraph*>& classGraphs() const { return m_classes; }

private:
    void showDataset(const core::Dataset& data);
    void showPrediction(const PredictionGrid& grid, int classes);
    void setClassCount(int classes);

    QCPColorMap* m_map = nullptr;
    QCPGraph* m_curve = nullptr;
    QCPGraph* m_targets = nullptr;
    QList<QCPGraph*> m_classes;
    std::shared_ptr<const core::Dataset> m_dataset;
    std::shared_ptr<const PredictionGrid> m_prediction;
    int m_classCount = 0;
};

}  // namespace gradflow::ui
