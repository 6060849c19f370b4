#pragma once
// Gaussian quadrature rules, computed once from the three-term recurrence of their
// orthogonal polynomials (Golub & Welsch 1969), for the mean-field expectations.

#include <vector>

namespace gradflow::core {

struct QuadratureRule {
    std::vector<double> nodes;
    std::vector<double> weights;
};

/// Gauss-Legendre rule with `points` nodes on [-1, 1] (exact for polynomials of degree
/// < 2 * points); nodes ascending.
QuadratureRule gaussLegendreRule(int points);

/// Rule for E[f(z)], z ~ N(0, 1): Gauss-Legendre on [-12, 0] and [0, 12] applied to
/// f(z) phi(z). Splitting at 0 makes the kinks of relu-like activations (always at z = 0,
/// since mean-field pre-activations have zero mean) panel ends, so convergence stays
/// exponential where a plain Gauss-Hermite rule would converge only algebraically. The
/// weights of each half are normalised to sum to exactly 1/2 (the tail beyond 12 is
/// 1e-33). 2 x 64 nodes, built once; thread-safe.
const QuadratureRule& standardNormalRule();

}  // namespace gradflow::core
