#pragma once
// The synchronous training engine behind every front end (tests, benchmark, command
// line, GUI worker). One call to step() performs one update; nothing here knows about
// threads or plots.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>

#include "core/analysis/jacobian_chain.h"
#include "core/config/experiment_config.h"
#include "core/data/dataset.h"
#include "core/training/layer_values.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

class Trainer {
public:
    /// Builds model, data and optimizer from a config that passed validateExperiment().
    static std::unique_ptr<Trainer> create(const ExperimentConfig& config);
    virtual ~Trainer() = default;

    /// One update. The returned stats describe the gradients this update used (so the
    /// first call reports the gradients at initialisation). After divergence it does
    /// nothing and returns the diverged step's stats again.
    virtual const StepStats& step() = 0;

    virtual std::int64_t stepsDone() const = 0;
    virtual const DivergenceInfo& divergence() const = 0;
    virtual const ExperimentConfig& config() const = 0;
    virtual const Dataset& dataset() const = 0;
    /// The held-out test set (0 samples for regression tasks or data.test_fraction = 0).
    virtual const Dataset& testDataset() const = 0;

    /// Depth units reported per step: hidden layers + output layer, or time steps.
    virtual int depthUnits() const = 0;
    /// "layer" or "time step", for axis labels.
    virtual std::string depthUnitName() const = 0;

    /// Live-adjustable settings: take effect at the next step.
    virtual void setLearningRate(double learningRate) = 0;
    virtual void setClip(const ClipSpec& clip) = 0;

    /// Network outputs (evaluation mode: batch norm uses running statistics) for
    /// `inputs` (one matrix per time step, inputDimension x n): class probabilities
    /// (classes x n) or regression values (1 x n).
    virtual Eigen::MatrixXd predict(const std::vector<Eigen::MatrixXd>& inputs) const = 0;

    /// The Jacobian factors of J = d h_L / d h_1 for the first `probes` training samples,
    /// with batch-norm statistics held at the last training batch's values.
    virtual JacobianChain jacobianChain(int probes) const = 0;

    /// From the next step on, step() calls `inspector` after backpropagation, before
    /// clipping and the update (see layer_values.h); an empty function stops it. The
    /// inspector only reads: the run's numbers are the same with or without one.
    virtual void setStepInspector(StepInspector inspector) = 0;

    /// Current weights of every depth unit that has a weight matrix, in double, for the
    /// per-layer spectra (out x in). Recurrent models return the recurrent matrix.
    virtual std::vector<Eigen::MatrixXd> weightMatrices() const = 0;
};

}  // namespace gradflow::core
