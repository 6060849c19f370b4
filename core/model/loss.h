#pragma once
// The losses every model ends in. Both are batch means, so a sample's own gradient is B
// times its column of the returned gradient (the per-sample statistics rely on that).

#include <Eigen/Core>

#include "core/config/experiment_config.h"

namespace gradflow::core {

/// outputs, targets: out_dim x B (targets one-hot for cross-entropy). Writes dL/d outputs
/// into `outputGrad` and the batch accuracy (NaN for regression); returns the loss in double.
///   cross-entropy: mean over samples of -log softmax(z)_label
///   mse:           mean over samples and output units of (z - y)^2
template <typename Scalar>
double computeLoss(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& outputs,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& targets, LossKind kind,
                   Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& outputGrad, double& accuracy);

}  // namespace gradflow::core
