#pragma once
// The factors whose product is the end-to-end Jacobian J = d h_L / d h_1, handed from a
// model to the spectrum code, which never needs to know what kind of model it was.
// All in double whatever the training precision.

#include <Eigen/Core>
#include <utility>
#include <vector>

namespace gradflow::core {

/// Unit l (l = 0 .. units-1, input side first) maps h_{l} to h_{l+1}. For probe p its
/// Jacobian is either diag(derivatives[l].col(p)) * weights[l] (feed-forward layers and
/// vanilla recurrent steps, where derivatives fold in batch-norm scale), or, when
/// `explicitJacobians` is non-empty, explicitJacobians[p][l] (gated cells).
struct JacobianChain {
    int probes = 0;
    std::vector<Eigen::MatrixXd> weights;                         ///< out x in, per unit
    std::vector<Eigen::MatrixXd> derivatives;                     ///< out x probes, per unit
    std::vector<std::vector<Eigen::MatrixXd>> explicitJacobians;  ///< [probe][unit]
    /// Residual groups as [first, last] unit indices: the group's Jacobian is
    /// I + (product of its units' Jacobians).
    std::vector<std::pair<int, int>> residualGroups;
    /// 1-based index, in the model's depth units, of unit 0's output layer (so layer
    /// numbers in the GUI match the gradient plots): 2 for feed-forward nets.
    int firstDepthUnit = 2;

    int units() const { return static_cast<int>(explicitJacobians.empty() ? weights.size() : explicitJacobians.front().size()); }
    /// The Jacobian of one unit for one probe, as an explicit matrix.
    Eigen::MatrixXd unitJacobian(int unit, int probe) const {
        if (!explicitJacobians.empty()) return explicitJacobians[probe][unit];
        return derivatives[unit].col(probe).asDiagonal() * weights[unit];
    }
};

}  // namespace gradflow::core
