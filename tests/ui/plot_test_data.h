#pragma once
// Hand-built snapshots for the view tests, so they never depend on the engine: a healthy
// step, one whose statistics hold 0, NaN and +-Inf, and a run history.

#include <cmath>
#include <limits>
#include <memory>

#include "core/training/training_history.h"
#include "ui/snapshot.h"

namespace gradflow::ui::testdata {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline core::StepStats makeStats(std::int64_t step, int units, double decay, bool poisoned = false) {
    core::StepStats s;
    s.step = step;
    s.loss = 0.7 * std::exp(-0.01 * double(step)) + 0.02;
    s.accuracy = std::min(0.99, 0.5 + 0.004 * double(step));
    s.gradNorm = 1.0;
    for (int l = 0; l < units; ++l) {
        core::LayerStats ls;
        ls.weightGradNorm = std::pow(decay, units - 1 - l) * 0.1;
        ls.activationGradNorm = ls.weightGradNorm * 2.0;
        ls.weightNorm = 4.0;
        ls.updateRatio = 1e-3 * (1 + 0.1 * l);
        ls.activationMean = 0.5 - 0.02 * l;
        ls.activationStd = 0.2;
        ls.saturation = std::min(1.0, 0.05 * l);
        s.layers.push_back(ls);
    }
    if (poisoned && units >= 6) {
        s.layers[0].weightGradNorm = 0.0;   // underflow
        s.layers[1].weightGradNorm = kNaN;  // NaN
        s.layers[2].weightGradNorm = kInf;  // overflow
        s.layers[3].weightGradNorm = -kInf;
        s.layers[4].weightGradNorm = 1e-320;  // denormal: below the log-axis floor
        s.layers[0].activationGradNorm = kInf;
        s.layers[1].saturation = kNaN;
        s.layers[2].activationMean = kInf;
        s.loss = kInf;
        s.diverged = true;
    }
    return s;
}

inline std::shared_ptr<Snapshot> makeSnapshot(int units, std::int64_t step, double decay, bool poisoned = false) {
    auto snap = std::make_shared<Snapshot>();
    snap->runId = 1;
    snap->stepsDone = step + 1;
    snap->latest = makeStats(step, units, decay, poisoned);
    snap->depthUnits = units;
    snap->config.layers = std::vector<core::LayerSpec>(std::size_t(units - 1), core::LayerSpec{});
    snap->theory.sigmaW2 = 1.0;
    snap->theory.sigmaB2 = 0.05;
    snap->theory.chi1 = decay * decay;
    snap->theory.depthScale = -1.0 / std::log(decay * decay);
    for (int l = 0; l < units - 1; ++l) snap->predictedProfiles.activationGradient.push_back(std::pow(decay, units - 2 - l));
    if (poisoned) snap->predictedProfiles.activationGradient.front() = 0.0;
    snap->predictedProfiles.weightGradient = snap->predictedProfiles.activationGradient;
    auto spec = std::make_shared<core::JacobianSpectrum>();
    spec->available = true;
    spec->log10SingularValues = {{0.3, 0.0, -0.5, -2.0, -7.5}, {0.2, -0.1, -0.9, -3.0, -8.0}};
    spec->summary = {-2.1, 0.3, -8.0, 0.4, 8.1};
    snap->spectrum = spec;
    snap->spectrumStep = step;
    auto data = std::make_shared<core::Dataset>();
    data->inputs = {Eigen::MatrixXd::Random(2, 200)};
    data->targets = Eigen::MatrixXd::Zero(2, 200);
    for (int i = 0; i < 200; ++i) data->labels.push_back(i % 2);
    snap->dataset = data;
    auto grid = std::make_shared<PredictionGrid>();
    grid->columns = 40;
    grid->rows = 30;
    grid->xMin = grid->yMin = -1;
    grid->xMax = grid->yMax = 1;
    for (int r = 0; r < grid->rows; ++r)
        for (int c = 0; c < grid->columns; ++c) {
            grid->predictedClass.push_back(c < 20 ? 0 : 1);
            grid->confidence.push_back(0.5 + 0.5 * std::abs(c - 19.5) / 20.0);
        }
    snap->prediction = grid;
    snap->selectedUnit = 3;
    core::UnitSpectrum us;
    us.singularValues = {1.4, 0.9, 0.3};
    us.eigenvalues = {{0.8, 0.3}, {0.8, -0.3}, {-0.2, 0.0}};
    us.spectralRadius = std::abs(us.eigenvalues.front());
    us.maxSingularValue = 1.4;
    snap->selectedUnitSpectrum = us;
    if (poisoned) {
        snap->divergence.diverged = true;
        snap->divergence.step = step;
        snap->divergence.layer = 3;
        snap->divergence.message = "diverged at step " + std::to_string(step + 1) + " in layer 3";
    }
    return snap;
}

inline void fillHistory(core::TrainingHistory& history, int units, int steps, double decay, bool poisonLast = false) {
    for (int s = 0; s < steps; ++s) history.append(makeStats(s, units, decay, poisonLast && s == steps - 1));
}

}  // namespace gradflow::ui::testdata
