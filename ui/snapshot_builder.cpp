#include "ui/snapshot_builder.h"

#include <algorithm>
#include <cmath>

#include "core/jacobian_spectrum.h"
#include "core/mean_field.h"

namespace gradflow::ui {

namespace {

/// [min, max] of one input coordinate over the data set, widened by a margin so the
/// decision boundary is visible around the outermost points.
std::pair<double, double> paddedRange(const core::Dataset& data, int row)
{
    if (data.inputs.empty() || data.inputs.front().cols() == 0) return {-1.0, 1.0};
    const auto values = data.inputs.front().row(row);
    double lo = values.minCoeff(), hi = values.maxCoeff();
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {-1.0, 1.0};
    const double margin = std::max(0.1 * (hi - lo), 1e-3);
    return {lo - margin, hi + margin};
}

bool canShowPrediction(const core::Trainer& trainer)
{
    const core::Dataset& data = trainer.dataset();
    if (data.sequenceLength() != 1) return false;  // sequence tasks have no 2-D picture
    return data.classification ? data.inputDimension == 2 : data.inputDimension == 1;
}

/// Chain units start at depth unit `firstDepthUnit` (1-based); the GUI counts 0-based.
int chainUnitFor(const core::JacobianChain& chain, int depthUnit)
{
    const int unit = depthUnit + 1 - chain.firstDepthUnit;
    return (unit >= 0 && unit < chain.units()) ? unit : -1;
}

}  // namespace

PredictionGrid computePredictionGrid(const core::Trainer& trainer, int columns, int rows)
{
    PredictionGrid grid;
    const core::Dataset& data = trainer.dataset();
    std::tie(grid.xMin, grid.xMax) = paddedRange(data, 0);
    if (data.classification) {
        std::tie(grid.yMin, grid.yMax) = paddedRange(data, 1);
        grid.columns = columns;
        grid.rows = rows;
        Eigen::MatrixXd points(2, columns * rows);
        for (int r = 0; r < rows; ++r) {
            const double y = grid.yMin + (grid.yMax - grid.yMin) * r / std::max(rows - 1, 1);
            for (int c = 0; c < columns; ++c) {
                points(0, r * columns + c) = grid.xMin + (grid.xMax - grid.xMin) * c / std::max(columns - 1, 1);
                points(1, r * columns + c) = y;
            }
        }
        const Eigen::MatrixXd probabilities = trainer.predict({points});
        grid.predictedClass.resize(points.cols());
        grid.confidence.resize(points.cols());
        for (Eigen::Index i = 0; i < points.cols(); ++i) {
            Eigen::Index best = 0;
            const double p = probabilities.col(i).maxCoeff(&best);
            // A non-finite output has no class: -1 lets the view paint it as such.
            grid.predictedClass[i] = std::isfinite(p) ? static_cast<int>(best) : -1;
            grid.confidence[i] = p;
        }
    } else {
        grid.columns = columns;
        grid.rows = 1;
        const auto targets = data.targets.row(0);
        grid.yMin = targets.size() ? targets.minCoeff() : -1.0;
        grid.yMax = targets.size() ? targets.maxCoeff() : 1.0;
        Eigen::MatrixXd points(1, columns);
        for (int c = 0; c < columns; ++c)
            points(0, c) = grid.xMin + (grid.xMax - grid.xMin) * c / std::max(columns - 1, 1);
        const Eigen::MatrixXd values = trainer.predict({points});
        grid.confidence.assign(values.data(), values.data() + values.cols());
    }
    return grid;
}

SnapshotPtr buildFullSnapshot(const core::Trainer& trainer, const core::StepStats* latest, std::uint64_t runId,
                              int selectedUnit)
{
    SnapshotBuilder builder;
    builder.beginRun(trainer, trainer.config(), runId);
    SnapshotBuilder::Inputs inputs;
    inputs.latest = latest;
    inputs.selectedUnit = selectedUnit;
    inputs.forceExpensive = true;
    return builder.build(trainer, inputs);
}

SnapshotBuilder::SnapshotBuilder(double budgetFraction, std::chrono::milliseconds minInterval)
    : m_budgetFraction(budgetFraction), m_minInterval(minInterval)
{
}

void SnapshotBuilder::beginRun(const core::Trainer& trainer, const core::ExperimentConfig& config,
                               std::uint64_t runId)
{
    m_base = Snapshot{};
    m_base.runId = runId;
    m_base.config = config;
    // One copy per run; every snapshot of the run shares it.
    m_base.dataset = std::make_shared<const core::Dataset>(trainer.dataset());
    m_base.theory = core::predictMeanField(config);
    m_base.predictedProfile = core::predictedGradientProfile(config);
    m_base.depthUnits = trainer.depthUnits();
    m_base.depthUnitName = trainer.depthUnitName();
    m_nextExpensive = Clock::time_point{};
    m_expensiveStep = -1;
    m_expensiveUnit = -1;
}

void SnapshotBuilder::runJob(Job job, const core::Trainer& trainer, const core::JacobianChain* chain,
                             int selectedUnit)
{
    switch (job) {
    case SpectrumJob:
        m_base.spectrum = std::make_shared<const core::JacobianSpectrum>(core::computeEndToEndSpectrum(*chain));
        m_base.spectrumStep = trainer.stepsDone();
        m_base.selectedUnitSpectrum.reset();
        if (const int unit = selectedUnit >= 0 ? chainUnitFor(*chain, selectedUnit) : -1; unit >= 0 && chain->probes > 0)
            m_base.selectedUnitSpectrum = core::computeUnitSpectrum(*chain, unit, 0);
        m_base.selectedUnit = selectedUnit;
        break;
    case UnitSummaryJob:
        m_base.unitSummaries = chain->units() > 0 ? core::computeUnitSummaries(*chain) : std::vector<core::UnitSpectrum>{};
        break;
    case PredictionJob:
        if (canShowPrediction(trainer))
            m_base.prediction = std::make_shared<const PredictionGrid>(computePredictionGrid(trainer));
        break;
    case JobCount: break;
    }
}

void SnapshotBuilder::refreshExpensive(const core::Trainer& trainer, int selectedUnit, bool all)
{
    const auto start = Clock::now();
    // A new selection is answered first: the user just clicked and is waiting for it.
    if (selectedUnit != m_expensiveUnit) m_nextJob = SpectrumJob;
    // After divergence the weights hold NaN/Inf: keep the last finite pictures instead of
    // feeding non-finite matrices to SVDs and the prediction grid.
    if (!trainer.divergence().diverged) {
        const bool needsChain = all || m_nextJob != PredictionJob;
        const core::JacobianChain chain = needsChain ? trainer.jacobianChain(kSpectrumProbes) : core::JacobianChain{};
        if (all) {
            for (int job = 0; job < JobCount; ++job) runJob(Job(job), trainer, &chain, selectedUnit);
        } else {
            runJob(Job(m_nextJob), trainer, &chain, selectedUnit);
            m_nextJob = (m_nextJob + 1) % JobCount;
        }
    }
    m_base.selectedUnit = selectedUnit;
    m_expensiveUnit = selectedUnit;
    if (all) m_expensiveStep = trainer.stepsDone();
    const auto end = Clock::now();
    // Spend at most m_budgetFraction of wall time here: a 30 ms job waits 200 ms before
    // the next, a 2 ms one still waits m_minInterval.
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
    const auto wait = std::chrono::milliseconds(static_cast<long long>(spent.count() / m_budgetFraction));
    m_nextExpensive = end + std::max(m_minInterval, wait);
}

SnapshotPtr SnapshotBuilder::build(const core::Trainer& trainer, const Inputs& inputs)
{
    const bool stale = m_expensiveStep != trainer.stepsDone() || m_expensiveUnit != inputs.selectedUnit;
    // A click on a layer is answered at once (its spectrum job only), not at the next turn.
    const bool selectionChanged = m_expensiveUnit != inputs.selectedUnit;
    if (stale && inputs.forceExpensive) refreshExpensive(trainer, inputs.selectedUnit, true);
    else if (selectionChanged || (stale && expensiveDue(Clock::now())))
        refreshExpensive(trainer, inputs.selectedUnit, false);

    auto snapshot = std::make_shared<Snapshot>(m_base);
    snapshot->stepsDone = trainer.stepsDone();
    snapshot->stepsPerSecond = inputs.stepsPerSecond;
    snapshot->running = inputs.running;
    snapshot->divergence = trainer.divergence();
    if (inputs.latest) snapshot->latest = *inputs.latest;
    snapshot->selectedUnit = inputs.selectedUnit;
    return snapshot;
}

}  // namespace gradflow::ui
