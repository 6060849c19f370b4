#pragma once
// One trainable array and its gradient, as every model lists them: the optimizer updates
// them, clipping rescales the gradients, the trainer reports update ratios and blames a
// depth unit when an update overflows. A block points into the model's own storage;
// nothing is copied, so the list stays valid as long as the model does not reallocate.

#include <Eigen/Core>

namespace gradflow::core {

/// The depth unit of a block every depth unit uses (a recurrent cell's weights, the
/// readout of a recurrent net).
inline constexpr int kEveryDepthUnit = -1;

template <typename Scalar>
struct ParameterBlock {
    Scalar* value = nullptr;
    Scalar* gradient = nullptr;
    Eigen::Index size = 0;
    /// Weight decay applies: weight matrices yes; biases and batch norm's gamma, beta no.
    bool decays = true;
    /// 0-based depth unit the block belongs to, or kEveryDepthUnit.
    int depthUnit = kEveryDepthUnit;
    /// Its norm is the depth unit's reported weight norm, so its update ratio is reported
    /// there too (at every depth unit when the block is shared).
    bool isDepthUnitWeight = false;
};

}  // namespace gradflow::core
