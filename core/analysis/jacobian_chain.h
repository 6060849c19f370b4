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
/// `explicitJacobians` is non-empty, explicitJacobians[p][l] (gated cells). A unit with
/// layer norm has normalised[l] = z-hat (out x probes), the probe's pre-activations
/// normalised over the layer; its Jacobian is then diag(d) (I - 11^T/n - zhat zhat^T/n) W,
/// the centring and rescaling of n units being a projection, not a diagonal.
struct JacobianChain {
    int probes = 0;
    std::vector<Eigen::MatrixXd> weights;                         ///< out x in, per unit
    std::vector<Eigen::MatrixXd> derivatives;                     ///< out x probes, per unit
    std::vector<std::vector<Eigen::MatrixXd>> explicitJacobians;  ///< [probe][unit]
    /// Per unit: z-hat (out x probes) for layer-normalised units, an empty matrix for the
    /// others; the whole vector may be empty when no unit has layer norm.
    std::vector<Eigen::MatrixXd> normalised;
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
        if (isNormalised(unit)) {
            // The projection (I - 11^T/n - zhat zhat^T/n) applied to W without forming it.
            const Eigen::MatrixXd& w = weights[unit];
            const auto zHat = normalised[unit].col(probe);
            const double n = static_cast<double>(w.rows());
            Eigen::MatrixXd projected = w.rowwise() - w.colwise().sum() / n;
            projected.noalias() -= zHat * ((zHat.transpose() * w) / n);
            return derivatives[unit].col(probe).asDiagonal() * projected;
        }
        return derivatives[unit].col(probe).asDiagonal() * weights[unit];
    }
    bool isNormalised(int unit) const {
        return unit < static_cast<int>(normalised.size()) && normalised[static_cast<std::size_t>(unit)].size() > 0;
    }
};

}  // namespace gradflow::core
