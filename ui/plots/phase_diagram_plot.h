#pragma once
// View 7: the mean-field order-to-chaos phase diagram (Poole et al. 2016; Schoenholz et
// al. 2017): chi_1 over (sigma_w^2, sigma_b^2) for the run's activation on a log colour
// scale centred on 1, the chi_1 = 1 critical line, the ordered (vanishing) and chaotic
// (exploding) regions, and this network's configuration marked. The grid is computed
// once per activation and range, never per frame, and off the GUI thread.
//
// The theory is that of a plain fully-connected stack at initialisation, infinitely wide,
// and the view says so. Batch norm and residual connections change the dynamics: the
// marker is then greyed and a note says the map shows the plain stack, so it never gives
// a verdict the gradient bars contradict. Recurrent nets get a short note instead of a
// map. Its texts are placed after each layout so none is cut or covers another.

#include <future>
#include <optional>
#include <vector>

#include "core/analysis/mean_field.h"
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
    /// The explanation over the map (remedies, recurrent nets); hidden when not needed.
    QCPItemText* note() const { return m_note; }
    /// Says which model the diagram describes, above the map.
    QCPTextElement* modelStatement() const { return m_model; }

protected:
    void fitText(int width) override;

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
    void showRecurrentNote();
    void applyMarkerStyle(const Theme& theme);
    /// After each layout: every text box inside the axis rect, none over another or the
    /// marker; longer wordings give way to shorter ones, and the least needed texts go.
    void arrangeLabels();

    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPCurve* m_critical = nullptr;
    QCPGraph* m_current = nullptr;
    QCPItemText* m_currentLabel = nullptr;
    QCPItemTracer* m_currentRing = nullptr;  ///< unclipped, so a point on the edge stays visible
    QCPItemText* m_orderedLabel = nullptr;
    QCPItemText* m_chaoticLabel = nullptr;
    QCPItemText* m_note = nullptr;
    QCPTextElement* m_model = nullptr;
    // Each text's wordings, longest first (arrangeLabels picks the first that fits).
    QStringList m_markerTexts, m_orderedTexts, m_chaoticTexts, m_noteTexts;
    bool m_markerShown = false;
    bool m_plainStack = false;  ///< batch norm or skips: the map is not this network's
    bool m_orderedShown = false, m_chaoticShown = false;
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
