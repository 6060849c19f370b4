#pragma once
// Singular values of long matrix products whose range exceeds double's (1e-300 .. 1e+300),
// computed with high relative accuracy: every singular value, not only the largest, comes
// out right to many digits, and all of them as natural logarithms.
//
// The running product is kept as P = U diag(exp(logD)) T (the "UDT" or stratification
// scheme of quantum Monte Carlo: Loh et al. 1992; Bai, Lee, Li & Xu 2011): U has
// orthonormal columns, T is well conditioned, and the scales live only in logD. Each new
// factor A is absorbed by a column-pivoted Householder QR of A U whose pivots are chosen
// by the *scaled* column norms (logD + log norm), so the grading is respected without
// ever forming diag(exp(logD)). At the end a one-sided (Hestenes) Jacobi SVD of
// T^T diag(exp(logD)), done with log-scaled columns, gives singular values with high
// relative accuracy because T is well conditioned (Demmel & Veselic 1992).

#include <Eigen/Core>
#include <vector>

namespace gradflow::core {

class LogSpaceProduct {
public:
    /// Starts from the identity on R^inputDimension.
    explicit LogSpaceProduct(int inputDimension);

    /// P <- exp(logScale) * A * P. A is rows x rows(), with finite entries; logScale
    /// lets a caller hand over a factor whose own scale it keeps in log form.
    void multiplyLeft(const Eigen::MatrixXd& a, double logScale = 0.0);

    int rows() const { return static_cast<int>(m_u.rows()); }
    int cols() const { return static_cast<int>(m_t.cols()); }

    /// Natural logs of the singular values (as many as the narrowest width seen,
    /// input included), descending; exact zeros (rank lost, e.g. dead relu units) are
    /// -infinity.
    std::vector<double> logSingularValues() const;

private:
    Eigen::MatrixXd m_u;     ///< rows x k, orthonormal columns
    Eigen::VectorXd m_logD;  ///< k finite natural-log scales
    Eigen::MatrixXd m_t;     ///< k x cols, well conditioned
    int m_maxRank;           ///< min of all widths seen: the number of singular values
};

/// One-sided Jacobi SVD of G = V diag(exp(logScale)) (V: n x k, k <= n, columns of V
/// nonzero, logScale finite). Returns the k natural-log singular values, descending.
/// Relatively accurate when V is well conditioned, whatever the spread of logScale.
std::vector<double> logSingularValuesOfScaledColumns(Eigen::MatrixXd v, Eigen::VectorXd logScale);

}  // namespace gradflow::core
