#pragma once
// First-order optimizers over a list of parameter blocks. State is keyed by block index
// (never by address), so a model can reallocate without confusing the optimizer.

#include <Eigen/Core>
#include <span>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/model/parameter_block.h"

namespace gradflow::core {

/// sgd:       w -= lr (g + wd w)
/// momentum:  v = mu v + g';  w -= lr v           (Nesterov: w -= lr (g' + mu v))
/// rmsprop:   s = rho s + (1 - rho) g'^2;  w -= lr g' / (sqrt(s) + eps)     (Tieleman & Hinton 2012)
/// adam:      Kingma & Ba 2015 with bias correction; g' = g + wd w (L2, coupled)
template <typename Scalar>
class Optimizer {
public:
    Optimizer(const OptimizerSpec& spec, const std::vector<Eigen::Index>& blockSizes);
    void setLearningRate(double learningRate) { m_spec.learningRate = learningRate; }
    const OptimizerSpec& spec() const { return m_spec; }

    /// Updates every block in place from its (already clipped) gradient. deltaNorms[i] receives ||delta w_i|| in double (the
    /// update-ratio statistic needs it; not its square, which overflows for updates above
    /// ~1e154 that are still finite). A non-finite entry means the update overflowed.
    void step(std::span<const ParameterBlock<Scalar>> blocks, std::span<double> deltaNorms);

private:
    OptimizerSpec m_spec;
    std::vector<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> m_first;   ///< velocity / mean
    std::vector<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> m_second;  ///< rmsprop / adam second moment
    long long m_updates = 0;
};

}  // namespace gradflow::core
