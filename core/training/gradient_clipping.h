#pragma once
// Gradient clipping (Pascanu et al. 2013): by global norm or element-wise by value.

#include <Eigen/Core>
#include <span>

#include "core/config/experiment_config.h"
#include "core/model/parameter_block.h"

namespace gradflow::core {

struct ClipResult {
    double normBefore = 0.0;  ///< global L2 norm of all gradients, in double
    double normAfter = 0.0;
    bool clipped = false;  ///< any gradient was changed
};

/// Norm mode scales everything by threshold / norm when norm > threshold; value mode
/// clamps each element to [-threshold, threshold]. Off only measures. Only the blocks'
/// gradients are read and changed.
template <typename Scalar>
ClipResult clipGradients(const ClipSpec& clip, std::span<const ParameterBlock<Scalar>> blocks);

/// L2 norm in double without under/overflow of the squares (gradients of 1e-200 are
/// real values in deep sigmoid nets and must not read as 0).
template <typename Scalar>
double l2Norm(const Scalar* data, Eigen::Index size);
/// sqrt(sum of squares) of already-computed norms, also without under/overflow.
double combineNorms(std::span<const double> norms);

}  // namespace gradflow::core
