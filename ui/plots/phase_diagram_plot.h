#pragma once
// View 7: the mean-field order-to-chaos phase diagram (Poole et al. 2016; Schoenholz et
// al. 2017): chi_1 over (sigma_w^2, sigma_b^2) for the run's activation on a log colour
// scale centred on 1, the chi_1 = 1 critical line, the ordered (vanishing) and chaotic
// (exploding) regions, and this network's configuration marked. The grid is computed
// once per activation and range, never per frame.

#include "core/mean_field.h"
#include "ui/plots/plot_view.h"

namespace gradflow::ui {

class PhaseDiagramPlot : public PlotView {
    Q_OBJECT
public:
    explicit PhaseDiagramPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    /// How many times the chi_1 grid was computed (tests: once per configuration).
    int computations() const { return m_computations; }
    QCPColorMap* colorMap() const { return m_map; }
    QCPGraph* currentMarker() const { return m_current; }

private:
    void ensureDiagram(const core::ActivationSpec& activation, double sigmaW2, double sigmaB2);
    void fillMap(const core::PhaseDiagram& diagram);

    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPCurve* m_critical = nullptr;
    QCPGraph* m_current = nullptr;
    QCPItemText* m_currentLabel = nullptr;
    QCPItemTracer* m_currentRing = nullptr;  ///< unclipped, so a point on the edge stays visible
    QCPItemText* m_orderedLabel = nullptr;
    QCPItemText* m_chaoticLabel = nullptr;
    bool m_hasDiagram = false;
    core::ActivationSpec m_activation;
    double m_w2Max = 0.0, m_b2Max = 0.0;
    int m_computations = 0;
};

}  // namespace gradflow::ui
