#include "core/analysis/gauss_quadrature.h"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <numbers>

namespace gradflow::core {

QuadratureRule gaussLegendreRule(int points) {
    // Golub-Welsch: the nodes are the eigenvalues of the symmetric tridiagonal Jacobi
    // matrix of the Legendre recurrence (off-diagonal k / sqrt(4k^2 - 1)), and each weight
    // is mu_0 = 2 times the squared first component of its normalised eigenvector.
    Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(points, points);
    for (int k = 1; k < points; ++k) {
        const double beta = k / std::sqrt(4.0 * k * k - 1.0);
        jacobi(k, k - 1) = beta;
        jacobi(k - 1, k) = beta;
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(jacobi);
    QuadratureRule rule;
    rule.nodes.resize(static_cast<size_t>(points));
    rule.weights.resize(static_cast<size_t>(points));
    for (int i = 0; i < points; ++i) {
        rule.nodes[static_cast<size_t>(i)] = solver.eigenvalues()[i];
        const double first = solver.eigenvectors()(0, i);
        rule.weights[static_cast<size_t>(i)] = 2.0 * first * first;
    }
    return rule;
}

namespace {

QuadratureRule buildStandardNormalRule() {
    constexpr int kPointsPerHalf = 64;
    constexpr double kHalfWidth = 12.0;
    const QuadratureRule legendre = gaussLegendreRule(kPointsPerHalf);
    QuadratureRule rule;
    std::vector<double> halfNodes, halfWeights;
    double halfSum = 0.0;
    for (size_t i = 0; i < legendre.nodes.size(); ++i) {
        const double z = 0.5 * kHalfWidth * (legendre.nodes[i] + 1.0);
        const double w = 0.5 * kHalfWidth * legendre.weights[i] * std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
        halfNodes.push_back(z);
        halfWeights.push_back(w);
        halfSum += w;
    }
    for (double& w : halfWeights) w *= 0.5 / halfSum;
    for (size_t i = halfNodes.size(); i-- > 0;) {  // negative half, ascending
        rule.nodes.push_back(-halfNodes[i]);
        rule.weights.push_back(halfWeights[i]);
    }
    for (size_t i = 0; i < halfNodes.size(); ++i) {
        rule.nodes.push_back(halfNodes[i]);
        rule.weights.push_back(halfWeights[i]);
    }
    return rule;
}

}  // namespace

const QuadratureRule& standardNormalRule() {
    static const QuadratureRule rule = buildStandardNormalRule();
    return rule;
}

}  // namespace gradflow::core
