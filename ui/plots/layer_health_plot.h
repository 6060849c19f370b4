#pragma once
// View 6: per-layer health at the latest step: the fraction of saturated (sigmoid/tanh)
// or dead (ReLU) units as bars on 0..1, and each layer's activation mean +- std on the
// right axis. Recurrent gated cells add their gate mean; layers with dropout show the
// fraction of units it zeroed in the training batch (evaluation zeroes none).

#include "ui/plots/plot_view.h"

namespace gradflow::ui {

class LayerHealthPlot : public PlotView {
    Q_OBJECT
public:
    explicit LayerHealthPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    QCPBars* saturationBars() const { return m_saturation; }
    QCPGraph* meanGraph() const { return m_mean; }
    QCPGraph* droppedGraph() const { return m_dropped; }

private:
    QCPBars* m_saturation = nullptr;
    QCPGraph* m_mean = nullptr;
    QCPErrorBars* m_spread = nullptr;
    QCPGraph* m_gate = nullptr;
    QCPGraph* m_dropped = nullptr;
};

}  // namespace gradflow::ui
