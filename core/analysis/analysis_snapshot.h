#pragma once
// Everything the views show of a run at one moment, as an immutable value: the newest
// statistics, the divergence, the spectrum, the prediction grid, the theory profiles and
// the per-layer distributions.
// The GUI's worker publishes it across threads as std::shared_ptr<const AnalysisSnapshot>;
// a figure rendered after a command-line run is drawn from the same value. Plain data, so
// views never touch the model.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/jacobian_spectrum.h"
#include "core/analysis/layer_distributions.h"
#include "core/analysis/mean_field.h"
#include "core/analysis/prediction_grid.h"
#include "core/config/experiment_config.h"
#include "core/data/dataset.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

struct AnalysisSnapshot {
    std::uint64_t runId = 0;  ///< changes on every Reset/Apply: views clear their state
    std::int64_t stepsDone = 0;
    double stepsPerSecond = 0.0;
    bool running = false;
    ExperimentConfig config;                 ///< the config this run was built from
    std::shared_ptr<const Dataset> dataset;  ///< shared, never modified after build
    std::optional<StepStats> latest;         ///< empty before the first step
    DivergenceInfo divergence;
    MeanFieldPrediction theory;          ///< for the config, at initialisation
    GradientProfiles predictedProfiles;  ///< theory overlay, per hidden layer / time step
    std::int64_t spectrumStep = -1;      ///< step number of the spectrum below: updates done when it was taken
    std::shared_ptr<const JacobianSpectrum> spectrum;
    std::vector<UnitSpectrum> unitSummaries;  ///< per unit (probe 0), for radius/sigma_max
    std::shared_ptr<const PredictionGrid> prediction;
    int selectedUnit = -1;                             ///< unit picked in the gradient view (0-based), -1 none
    std::optional<UnitSpectrum> selectedUnitSpectrum;  ///< its singular values / eigenvalues
    int depthUnits = 0;
    std::string depthUnitName = "layer";
    /// Per-layer histograms and percentile bands, as of the last step the collector looked
    /// at (its step is distributions->current->step), and the network picture of that step
    /// (distributions->network); null before the first.
    LayerDistributionsPtr distributions;
};

using AnalysisSnapshotPtr = std::shared_ptr<const AnalysisSnapshot>;

}  // namespace gradflow::core
