#include "core/analysis/snapshot_builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/analysis/jacobian_spectrum.h"
#include "core/analysis/mean_field.h"

namespace gradflow::core {

namespace {

/// Chain units start at depth unit `firstDepthUnit` (1-based); the GUI counts 0-based.
int chainUnitFor(const JacobianChain& chain, int depthUnit) {
    const int unit = depthUnit + 1 - chain.firstDepthUnit;
    return (unit >= 0 && unit < chain.units()) ? unit : -1;
}

}  // namespace

AnalysisSnapshotPtr buildFullSnapshot(const Trainer& trainer, const StepStats* latest, std::uint64_t runId, int selectedUnit,
                                      LayerDistributionsPtr distributions) {
    SnapshotBuilder builder;
    builder.beginRun(trainer, trainer.config(), runId);
    SnapshotBuilder::Inputs inputs;
    inputs.latest = latest;
    inputs.selectedUnit = selectedUnit;
    inputs.forceExpensive = true;
    AnalysisSnapshotPtr built = builder.build(trainer, inputs);
    if (!distributions) return built;
    auto snapshot = std::make_shared<AnalysisSnapshot>(*built);
    snapshot->distributions = std::move(distributions);
    return snapshot;
}

SnapshotBuilder::SnapshotBuilder(double budgetFraction, std::chrono::milliseconds minInterval, std::chrono::microseconds slice)
    : m_budgetFraction(budgetFraction), m_minInterval(minInterval), m_slice(slice) {}

void SnapshotBuilder::beginRun(const Trainer& trainer, const ExperimentConfig& config, std::uint64_t runId) {
    m_base = AnalysisSnapshot{};
    m_base.runId = runId;
    m_base.config = config;
    // One copy per run; every snapshot of the run shares it.
    m_base.dataset = std::make_shared<const Dataset>(trainer.dataset());
    m_base.theory = predictMeanField(config);
    m_base.predictedProfiles = predictGradientProfiles(config, meanSquare(trainer.dataset().inputs));
    m_base.depthUnits = trainer.depthUnits();
    m_base.depthUnitName = trainer.depthUnitName();
    m_nextExpensive = Clock::time_point{};
    m_expensiveStep = -1;
    m_expensiveUnit = -1;
    m_pending = Pending{};
    m_distributions.emplace(config);
    m_nextDistributions = Clock::time_point{};
    m_collectNextStep = false;
}

StepInspector SnapshotBuilder::distributionInspector() {
    return [this](std::int64_t step, const LayerValues& values) {
        const auto start = Clock::now();
        if (!m_distributions || (m_base.distributions && !m_collectNextStep && start < m_nextDistributions)) return;
        m_collectNextStep = false;
        m_distributions->collect(step, values);
        m_base.distributions = m_distributions->latest();
        // Within a small share of the training time, and a few times a second at most: a
        // histogram that changes faster than that cannot be read anyway.
        constexpr double kShare = 0.05;
        constexpr auto kInterval = std::chrono::milliseconds(100);
        const auto end = Clock::now();
        const auto spent = std::chrono::duration_cast<std::chrono::microseconds>(end - start);
        m_nextDistributions = end + std::max<std::chrono::microseconds>(
                                        kInterval, std::chrono::microseconds(static_cast<long long>(spent.count() / kShare)));
    };
}

bool SnapshotBuilder::continueJob(Job job, const Trainer& trainer, int selectedUnit, Clock::time_point deadline) {
    // Each loop does at least one piece, then stops at the deadline.
    switch (job) {
    case SpectrumJob: {
        if (!m_pending.chain) {
            m_pending.chain = spectrumChain(trainer);
            m_pending.chainStep = trainer.stepsDone();
            m_pending.spectrum = JacobianSpectrum{};
        }
        bool done = false;
        while (!(done = advanceEndToEndSpectrum(*m_pending.chain, m_pending.spectrum)) && Clock::now() < deadline) {
        }
        if (!done) return false;
        m_base.spectrum = std::make_shared<const JacobianSpectrum>(std::move(m_pending.spectrum));
        m_base.spectrumStep = m_pending.chainStep;
        m_base.selectedUnitSpectrum = unitSpectrumFor(*m_pending.chain, selectedUnit);
        m_base.selectedUnit = selectedUnit;
        return true;  // the chain stays for the unit summaries: both describe one step
    }
    case UnitSummaryJob: {
        if (!m_pending.chain) m_pending.chain = spectrumChain(trainer);
        const JacobianChain& chain = *m_pending.chain;
        const auto units = static_cast<std::size_t>(chain.probes > 0 ? chain.units() : 0);
        while (m_pending.summaries.size() < units) {
            m_pending.summaries.push_back(computeUnitSummary(chain, static_cast<int>(m_pending.summaries.size())));
            if (Clock::now() >= deadline) break;
        }
        if (m_pending.summaries.size() < units) return false;
        m_base.unitSummaries = std::exchange(m_pending.summaries, {});
        m_pending.chain.reset();
        return true;
    }
    case PredictionJob: {
        if (!canShowPrediction(trainer)) return true;
        if (!m_pending.grid) m_pending.grid = beginPredictionGrid(trainer);
        bool done = false;
        while (!(done = advancePredictionGrid(trainer, *m_pending.grid, kGridRowsPerPiece)) && Clock::now() < deadline) {
        }
        if (!done) return false;
        m_base.prediction = std::make_shared<const PredictionGrid>(std::move(*m_pending.grid));
        m_pending.grid.reset();
        return true;
    }
    case JobCount: break;
    }
    return true;
}

std::optional<UnitSpectrum> SnapshotBuilder::unitSpectrumFor(const JacobianChain& chain, int selectedUnit) {
    const int unit = selectedUnit >= 0 ? chainUnitFor(chain, selectedUnit) : -1;
    if (unit < 0 || chain.probes <= 0) return std::nullopt;
    return computeUnitSpectrum(chain, unit, 0);
}

void SnapshotBuilder::refreshExpensive(const Trainer& trainer, int selectedUnit, bool all) {
    const auto start = Clock::now();
    bool jobFinished = true;
    // After divergence the weights hold NaN/Inf: keep the last finite pictures instead of
    // feeding non-finite matrices to SVDs and the prediction grid.
    if (trainer.divergence().diverged) {
        m_pending = Pending{};
    } else if (all) {
        // Every job to its end, all from one chain of the current weights.
        m_pending = Pending{};
        m_pending.chain = spectrumChain(trainer);
        m_pending.chainStep = trainer.stepsDone();
        for (int job = 0; job < JobCount; ++job) continueJob(Job(job), trainer, selectedUnit, Clock::time_point::max());
    } else if (selectedUnit != m_expensiveUnit) {
        // A click is answered at once, and cheaply: that layer's spectrum from a one-probe
        // chain of the current weights, not the whole end-to-end spectrum.
        m_base.selectedUnitSpectrum = selectedUnit >= 0 ? unitSpectrumFor(trainer.jacobianChain(1), selectedUnit) : std::nullopt;
    } else {
        // Training: one job advanced by at most a slice, so the worker keeps publishing
        // frames (whole jobs took 45-95 ms on a 20 x 64 net: a visible stall each time).
        jobFinished = continueJob(Job(m_nextJob), trainer, selectedUnit, start + m_slice);
        if (jobFinished) m_nextJob = (m_nextJob + 1) % JobCount;
    }
    m_base.selectedUnit = selectedUnit;
    m_expensiveUnit = selectedUnit;
    if (all) m_expensiveStep = trainer.stepsDone();
    const auto end = Clock::now();
    // Spend at most m_budgetFraction of wall time here: a 6 ms slice waits 40 ms before the
    // next; a finished job waits at least m_minInterval before the next one starts.
    const auto spent = std::chrono::duration_cast<std::chrono::microseconds>(end - start);
    const auto wait = std::chrono::microseconds(static_cast<long long>(spent.count() / m_budgetFraction));
    m_nextExpensive = end + (jobFinished ? std::max<std::chrono::microseconds>(m_minInterval, wait) : wait);
}

AnalysisSnapshotPtr SnapshotBuilder::build(const Trainer& trainer, const Inputs& inputs) {
    const bool stale = m_expensiveStep != trainer.stepsDone() || m_expensiveUnit != inputs.selectedUnit;
    // A click on a layer is answered at once (its spectrum job only), not at the next turn.
    const bool selectionChanged = m_expensiveUnit != inputs.selectedUnit;
    if (stale && inputs.forceExpensive) refreshExpensive(trainer, inputs.selectedUnit, true);
    else if (selectionChanged || (stale && expensiveDue(Clock::now()))) refreshExpensive(trainer, inputs.selectedUnit, false);

    auto snapshot = std::make_shared<AnalysisSnapshot>(m_base);
    snapshot->stepsDone = trainer.stepsDone();
    snapshot->stepsPerSecond = inputs.stepsPerSecond;
    snapshot->running = inputs.running;
    snapshot->divergence = trainer.divergence();
    if (inputs.latest) snapshot->latest = *inputs.latest;
    snapshot->selectedUnit = inputs.selectedUnit;
    return snapshot;
}

}  // namespace gradflow::core
