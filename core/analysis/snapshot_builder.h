#pragma once
// Turns a Trainer into AnalysisSnapshots. The cheap parts (latest stats, divergence) go
// into every snapshot; the expensive ones (Jacobian spectrum, unit summaries, prediction
// grid) are recomputed only when their time budget allows, and otherwise shared from the
// last computation, so the training loop slows by a bounded fraction however fast it runs.
// The same code serves the GUI worker (SnapshotBuilder) and the command line's figure
// export (buildFullSnapshot), so a figure on a slide shows exactly what the window shows.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/analysis/analysis_snapshot.h"
#include "core/analysis/jacobian_chain.h"
#include "core/analysis/layer_distributions.h"
#include "core/analysis/prediction_grid.h"
#include "core/analysis/trainer_spectrum.h"
#include "core/training/trainer.h"

namespace gradflow::core {

/// Everything a figure needs, computed now (headless export, tests), for
/// trainer.config(). `latest` is the stats the last step() returned (null before the
/// first step); `selectedUnit` as in AnalysisSnapshot. Distributions cannot be computed
/// after the fact (they are read during a step): pass those a DistributionCollector took.
AnalysisSnapshotPtr buildFullSnapshot(const Trainer& trainer, const StepStats* latest, std::uint64_t runId = 0,
                                      int selectedUnit = -1, LayerDistributionsPtr distributions = nullptr);

class SnapshotBuilder {
public:
    using Clock = std::chrono::steady_clock;

    /// `budgetFraction`: the share of wall time the expensive parts may take (0.12 keeps
    /// the worker within ~15% of the headless engine); `minInterval`: at most this often;
    /// `slice`: the most one turn spends on a job while training (it finishes the piece
    /// it is in: 0 means exactly one piece per turn).
    explicit SnapshotBuilder(double budgetFraction = 0.15, std::chrono::milliseconds minInterval = std::chrono::milliseconds(250),
                             std::chrono::microseconds slice = std::chrono::milliseconds(4));

    /// A new run: computes the per-config parts (theory, shared data set) once.
    void beginRun(const Trainer& trainer, const ExperimentConfig& config, std::uint64_t runId);

    struct Inputs {
        const StepStats* latest = nullptr;  ///< newest step, null before the first
        bool running = false;
        double stepsPerSecond = 0.0;
        int selectedUnit = -1;
        bool forceExpensive = false;  ///< e.g. paused, selection changed: compute now
    };

    /// True when the expensive parts are due (the worker asks before it publishes).
    bool expensiveDue(Clock::time_point now) const { return now >= m_nextExpensive; }

    /// A snapshot of the current state. Expensive parts are refreshed if due or forced.
    AnalysisSnapshotPtr build(const Trainer& trainer, const Inputs& inputs);

    /// The live config changed (learning rate, clipping): later snapshots carry it.
    void setConfig(const ExperimentConfig& config) { m_base.config = config; }

    /// For Trainer::setStepInspector() of the run begun last: collects the per-layer
    /// distributions at the run's first step, then within the time budget (they can only
    /// be read during a step, so they are collected there rather than in build()).
    StepInspector distributionInspector();
    /// The next step is collected whatever the budget says: the last of a step(n)
    /// request, which the window then stands at.
    void collectNextStep() { m_collectNextStep = true; }

private:
    /// The expensive parts, refreshed one at a time while training, and each in slices of
    /// at most m_slice per turn, so no pause of the training loop is long (a stall is a
    /// frozen plot); all at once when forced. A slice ends after the piece that crosses
    /// it: one probe of the spectrum, one unit's summary, kGridRowsPerPiece grid rows.
    enum Job { SpectrumJob, UnitSummaryJob, PredictionJob, JobCount };
    static constexpr int kGridRowsPerPiece = 2;
    void refreshExpensive(const Trainer& trainer, int selectedUnit, bool all);
    /// Advances `job` until `deadline`; true when it finished and its result is in m_base.
    bool continueJob(Job job, const Trainer& trainer, int selectedUnit, Clock::time_point deadline);
    static std::optional<UnitSpectrum> unitSpectrumFor(const JacobianChain& chain, int selectedUnit);

    /// A job's work carried from turn to turn. The spectrum and the unit summaries share
    /// one chain, so both describe the same step; a grid spans the few steps it took.
    struct Pending {
        std::optional<JacobianChain> chain;
        std::int64_t chainStep = -1;
        JacobianSpectrum spectrum;
        std::vector<UnitSpectrum> summaries;
        std::optional<PredictionGrid> grid;
    };

    double m_budgetFraction;
    std::chrono::milliseconds m_minInterval;
    std::chrono::microseconds m_slice;
    Clock::time_point m_nextExpensive{};
    AnalysisSnapshot m_base;  ///< per-run parts plus the last expensive results
    std::int64_t m_expensiveStep = -1;
    int m_expensiveUnit = -1;
    int m_nextJob = SpectrumJob;
    Pending m_pending;
    std::optional<DistributionCollector> m_distributions;
    Clock::time_point m_nextDistributions{};
    bool m_collectNextStep = false;
};

}  // namespace gradflow::core
