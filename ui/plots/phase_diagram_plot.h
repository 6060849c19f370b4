#pragma once
// View 7: the mean-field order-to-chaos phase diagram (Poole et al. 2016; Schoenholz et
// al. 2017): chi_1 over (sigma_w^2, sigma_b^2) for the run's activation on a log colour
// scale centred on 1, the chi_1 = 1 critical line, the ordered (vanishing) and chaotic
// (exploding) regions, and this network's configuration marked. The grid is computed
// once per activation and range, never per frame, and off the GUI thread.

#include <future>
#include <optional>
#include <vector>

#include "core/mean_field.h"
#include "ui/plots/plot_view.h"

class QTimer;

namespace gradflow::ui {

class PhaseDiagramPlot : public PlotView {
    Q_OBJECT
public:
    explicit PhaseDiagramPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    bool redrawsFor(const Snapshot& shown, const Snapshot& next) const override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    /// How many times the chi_1 grid was computed (tests: once per configuration).
    int computations() const { return m_computations; }
    /// Waits for a map still being computed (export, tests).
    void settle() override;
    QCPColorMap* colorMap() const { return m_map; }
    QCPGraph* currentMarker() const { return m_current; }

private:
    /// The map's ranges and activation: a new one is computed when any differs.
    struct Request {
        core::ActivationSpec activation;
        double w2Max = 0.0, b2Max = 0.0;
        bool operator==(const Request&) const = default;
    };
    struct Computed {
        Request request;
        core::PhaseDiagram diagram;
    };
    static Computed compute(Request request);
    void ensureDiagram(const core::ActivationSpec& activation, double sigmaW2, double sigmaB2);
    /// Takes a finished background computation, if any, into the map.
    void collect();
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
    Request m_shown;  ///< what the map on screen was computed for
    int m_computations = 0;
    // Seconds of quadrature for some activations (GELU, SELU): never on the GUI thread.
    std::future<Computed> m_pending;
    std::optional<Request> m_pendingRequest;
    std::vector<std::future<Computed>> m_abandoned;
    QTimer* m_poll = nullptr;
};

}  // namespace gradflow::ui
