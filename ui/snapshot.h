#pragma once
// What crosses the thread boundary from the training worker to the GUI: an immutable
// value, published as std::shared_ptr<const Snapshot>. Plots read only this (and the
// GUI-side TrainingHistory built from it); they never touch the model or the worker.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/data/dataset.h"
#include "core/config/experiment_config.h"
#include "core/analysis/jacobian_spectrum.h"
#include "core/analysis/mean_field.h"
#include "core/training/step_stats.h"

namespace gradflow::ui {

/// The network's output over a grid covering the data set, for the decision-boundary
/// view (classification: predicted class and its probability; regression: curve).
struct PredictionGrid {
    int columns = 0, rows = 0;           ///< classification grid size; regression: columns points, rows = 1
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    std::vector<int> predictedClass;     ///< rows x columns, row-major (classification)
    std::vector<double> confidence;      ///< max class probability, or regression y per column
};

struct Snapshot {
    std::uint64_t runId = 0;     ///< changes on every Reset/Apply: views clear their state
    std::int64_t stepsDone = 0;
    double stepsPerSecond = 0.0;
    bool running = false;
    core::ExperimentConfig config;            ///< the config this run was built from
    std::shared_ptr<const core::Dataset> dataset;  ///< shared, never modified after build
    std::optional<core::StepStats> latest;    ///< empty before the first step
    core::DivergenceInfo divergence;
    core::MeanFieldPrediction theory;         ///< for the config, at initialisation
    core::GradientProfiles predictedProfiles; ///< theory overlay, per hidden layer / time step
    std::int64_t spectrumStep = -1;           ///< step number of the spectrum below: updates done when it was taken
    std::shared_ptr<const core::JacobianSpectrum> spectrum;
    std::vector<core::UnitSpectrum> unitSummaries;  ///< per unit (probe 0), for radius/sigma_max
    std::shared_ptr<const PredictionGrid> prediction;
    int selectedUnit = -1;                    ///< unit picked in the gradient view (0-based), -1 none
    std::optional<core::UnitSpectrum> selectedUnitSpectrum;  ///< its singular values / eigenvalues
    int depthUnits = 0;
    std::string depthUnitName = "layer";
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace gradflow::ui
