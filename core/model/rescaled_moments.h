#pragma once
// The slow path of the per-layer activation mean and standard deviation. The fast loops
// sum x and x^2 in double, which overflows for finite activations above ~1e154 (reachable
// in double with large gains before anything is actually infinite); a step whose values
// are all finite must not report an infinite spread.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace gradflow::core {

/// Recomputes mean and std of `values` with every value divided by max |x| first, so no
/// intermediate overflows. Leaves mean and stddev alone when a value is itself not finite
/// (that step diverges, and its statistics say so).
template <typename Derived>
void rescaledMeanAndStd(const Eigen::DenseBase<Derived>& values, double& mean, double& stddev) {
    const Eigen::ArrayXXd x = values.derived().template cast<double>().array();
    const double scale = x.abs().maxCoeff();
    if (x.size() == 0 || !std::isfinite(scale) || scale == 0.0) return;
    const Eigen::ArrayXXd scaled = x / scale;
    const double scaledMean = scaled.mean();
    mean = scale * scaledMean;
    stddev = scale * std::sqrt(std::max(0.0, scaled.square().mean() - scaledMean * scaledMean));
}

}  // namespace gradflow::core
