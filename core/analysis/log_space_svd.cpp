#include "core/analysis/log_space_svd.h"

#include <Eigen/Householder>
#include <Eigen/QR>
#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace gradflow::core {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
/// Largest |F_ij| accepted from the pre-pivoted fast path: small enough that T stays as
/// well conditioned as with true pivoting (where |F_ij| <= 1).
constexpr double kPrePivotBound = 4.0;

struct PivotedQr {
    Eigen::VectorXd hCoeffs;  ///< rank Householder coefficients
    std::vector<int> perm;    ///< column j of the factored matrix is input column perm[j]
    int rank = 0;             ///< steps taken: the remaining columns were exactly zero
};

/// Householder QR with column pivoting of `a` (m x n, in place, LAPACK layout: R on and
/// above the diagonal, reflectors below), where column j counts as exp(logWeight[j])
/// times as large as stored. Pivoting on the scaled norms (Businger & Golub 1965) makes
/// |R_ii| w_i >= |R_ij| w_j, which keeps T's new factor bounded by 1 in the UDT update,
/// without ever forming the (possibly unrepresentable) scaled matrix. Column norms are
/// downdated as in LAPACK's xLAQP2 and recomputed when cancellation threatens them, so a
/// column that has become exactly zero is seen as zero and ends the factorisation.
PivotedQr scaledPivotedQr(Eigen::MatrixXd& a, Eigen::VectorXd logWeight) {
    const Eigen::Index m = a.rows();
    const Eigen::Index n = a.cols();
    const Eigen::Index maxSteps = std::min(m, n);
    PivotedQr out;
    out.perm.resize(static_cast<size_t>(n));
    std::iota(out.perm.begin(), out.perm.end(), 0);
    out.hCoeffs.resize(maxSteps);
    Eigen::VectorXd norms = a.colwise().norm().transpose();
    Eigen::VectorXd normsAtRecompute = norms;
    Eigen::VectorXd workspace(n);
    const double recomputeThreshold = std::sqrt(std::numeric_limits<double>::epsilon());

    for (Eigen::Index i = 0; i < maxSteps; ++i) {
        Eigen::Index pivot = -1;
        double best = kNegInf;
        for (Eigen::Index j = i; j < n; ++j) {
            if (norms[j] <= 0.0) continue;
            const double key = logWeight[j] + std::log(norms[j]);
            if (pivot < 0 || key > best) {
                best = key;
                pivot = j;
            }
        }
        if (pivot < 0) break;  // everything left is exactly zero: the rank is i
        if (pivot != i) {
            a.col(i).swap(a.col(pivot));
            std::swap(norms[i], norms[pivot]);
            std::swap(normsAtRecompute[i], normsAtRecompute[pivot]);
            std::swap(logWeight[i], logWeight[pivot]);
            std::swap(out.perm[static_cast<size_t>(i)], out.perm[static_cast<size_t>(pivot)]);
        }
        const Eigen::Index remainingRows = m - i;
        double beta = 0.0;
        a.col(i).tail(remainingRows).makeHouseholderInPlace(out.hCoeffs[i], beta);
        a(i, i) = beta;
        if (i + 1 < n) {
            a.bottomRightCorner(remainingRows, n - i - 1)
                .applyHouseholderOnTheLeft(a.col(i).tail(remainingRows - 1), out.hCoeffs[i], workspace.data() + i + 1);
        }
        for (Eigen::Index j = i + 1; j < n; ++j) {
            if (norms[j] == 0.0) continue;
            const double ratio = std::abs(a(i, j)) / norms[j];
            const double shrink = std::max(0.0, (1.0 - ratio) * (1.0 + ratio));
            const double relative = norms[j] / normsAtRecompute[j];
            if (shrink * relative * relative <= recomputeThreshold) {
                norms[j] = a.col(j).tail(m - i - 1).norm();
                normsAtRecompute[j] = norms[j];
            } else {
                norms[j] *= std::sqrt(shrink);
            }
        }
        out.rank = static_cast<int>(i + 1);
    }
    out.hCoeffs.conservativeResize(out.rank);
    return out;
}

/// Pre-pivoted blocked Householder QR of `a` (in place): columns sorted by decreasing
/// logWeight + log(norm), exactly zero columns last. False when a zero pivot is followed
/// by a nonzero one (then only true pivoting gives a usable factorisation).
bool prePivotedQr(Eigen::MatrixXd& a, const Eigen::VectorXd& logWeight, PivotedQr& out) {
    const Eigen::Index n = a.cols();
    Eigen::VectorXd key(n);
    for (Eigen::Index j = 0; j < n; ++j) {
        const double norm = a.col(j).norm();
        key[j] = norm > 0.0 ? logWeight[j] + std::log(norm) : kNegInf;
    }
    out.perm.resize(static_cast<size_t>(n));
    std::iota(out.perm.begin(), out.perm.end(), 0);
    std::stable_sort(out.perm.begin(), out.perm.end(), [&](int x, int y) { return key[x] > key[y]; });
    Eigen::MatrixXd sorted(a.rows(), n);
    for (Eigen::Index j = 0; j < n; ++j) sorted.col(j) = a.col(out.perm[static_cast<size_t>(j)]);
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(std::move(sorted));
    a = qr.matrixQR();
    const Eigen::Index steps = std::min(a.rows(), n);
    out.rank = 0;
    while (out.rank < steps && a(out.rank, out.rank) != 0.0) ++out.rank;
    for (Eigen::Index i = out.rank; i < steps; ++i)
        if (a.row(i).tail(n - i).cwiseAbs().maxCoeff() != 0.0) return false;
    out.hCoeffs = qr.hCoeffs().head(out.rank);
    return true;
}

/// F with R diag(d_perm) = diag(|R_ii| d_perm(i)) F, i.e. F_ij = R_ij d_perm(j) / (|R_ii| d_perm(i))
/// (rank x n, upper trapezoidal), the ratios of d formed without ever forming d. False
/// when an entry exceeds `bound` (true scaled pivoting guarantees |F_ij| <= 1).
bool buildGradedFactor(const Eigen::MatrixXd& r, const Eigen::VectorXd& logD, const PivotedQr& qr, double bound,
                       Eigen::MatrixXd& f) {
    const Eigen::Index n = r.cols();
    const int rank = qr.rank;
    Eigen::VectorXd w(n);
    for (Eigen::Index j = 0; j < n; ++j) w[j] = logD[qr.perm[static_cast<size_t>(j)]];
    f.setZero(rank, n);
    if (rank == 0) return true;
    const double top = w.maxCoeff();
    if (top - w.minCoeff() < 600.0) {
        // Representable spread: one exp per column instead of one per entry.
        const Eigen::VectorXd scale = (w.array() - top).exp().matrix();
        Eigen::VectorXd rowScale(rank);
        for (int i = 0; i < rank; ++i) rowScale[i] = 1.0 / (std::abs(r(i, i)) * scale[i]);
        for (Eigen::Index j = 0; j < n; ++j) {
            const Eigen::Index rows = std::min<Eigen::Index>(j + 1, rank);
            f.col(j).head(rows) = r.col(j).head(rows).cwiseProduct(rowScale.head(rows)) * scale[j];
        }
    } else {
        for (int i = 0; i < rank; ++i) {
            const double logRii = std::log(std::abs(r(i, i)));
            for (Eigen::Index j = i; j < n; ++j) {
                const double rij = r(i, j);
                if (rij == 0.0) continue;
                f(i, j) = std::copysign(std::exp(std::log(std::abs(rij)) - logRii + w[j] - w[i]), rij);
            }
        }
    }
    return f.cwiseAbs().maxCoeff() <= bound;
}

}  // namespace

LogSpaceProduct::LogSpaceProduct(int inputDimension)
    : m_u(Eigen::MatrixXd::Identity(inputDimension, inputDimension)),
      m_logD(Eigen::VectorXd::Zero(inputDimension)),
      m_t(Eigen::MatrixXd::Identity(inputDimension, inputDimension)),
      m_maxRank(inputDimension) {}

void LogSpaceProduct::multiplyLeft(const Eigen::MatrixXd& a, double logScale) {
    assert(a.cols() == m_u.rows());
    const Eigen::Index m = a.rows();
    const Eigen::Index k = m_u.cols();
    m_maxRank = std::min(m_maxRank, static_cast<int>(m));
    if (k == 0) {  // the product is already exactly zero
        m_u.resize(m, 0);
        return;
    }

    // A P = (A U) diag(d) T. Rows sorted by decreasing norm keep Householder QR with
    // column pivoting row-wise backward stable for row-graded matrices (Cox & Higham
    // 1998): the rows of D_l W_l are graded by activation derivatives that span many
    // decades in saturated nets, and exactly zero rows (dead relu units) stay exactly
    // zero, so the rank they remove shows up as exact zeros, not as rounding noise.
    const Eigen::MatrixXd product = a * m_u;
    const Eigen::VectorXd rowNorms = product.rowwise().norm();
    std::vector<Eigen::Index> rowOrder(static_cast<size_t>(m));
    std::iota(rowOrder.begin(), rowOrder.end(), 0);
    std::stable_sort(rowOrder.begin(), rowOrder.end(), [&](Eigen::Index x, Eigen::Index y) { return rowNorms[x] > rowNorms[y]; });
    Eigen::MatrixXd work(m, k);
    for (Eigen::Index i = 0; i < m; ++i) work.row(i) = product.row(rowOrder[static_cast<size_t>(i)]);

    // Fast path: order the columns by scaled norm up front ("pre-pivoting", Bai et al.
    // 2011) and let Eigen's blocked (GEMM-rich) Householder QR do the work. Its R need not
    // satisfy the pivoting bound, so F is checked and the step redone with true scaled
    // column pivoting when an entry exceeds kPrePivotBound or a zero pivot is followed
    // by a nonzero one.
    PivotedQr qr;
    Eigen::MatrixXd f;
    if (!prePivotedQr(work, m_logD, qr) || !buildGradedFactor(work, m_logD, qr, kPrePivotBound, f)) {
        for (Eigen::Index i = 0; i < m; ++i) work.row(i) = product.row(rowOrder[static_cast<size_t>(i)]);
        qr = scaledPivotedQr(work, m_logD);
        buildGradedFactor(work, m_logD, qr, std::numeric_limits<double>::infinity(), f);
    }
    const int rank = qr.rank;
    if (rank == 0) {  // A U is exactly zero (every unit dead): so is the product
        m_u.resize(m, 0);
        m_t.resize(0, m_t.cols());
        m_logD.resize(0);
        return;
    }

    // New U: the first `rank` columns of Q, rows put back in their original order.
    Eigen::HouseholderSequence<Eigen::MatrixXd, Eigen::VectorXd> reflectors(work, qr.hCoeffs);
    reflectors.setLength(rank);
    const Eigen::MatrixXd q = reflectors * Eigen::MatrixXd::Identity(m, rank);
    Eigen::MatrixXd newU(m, rank);
    for (Eigen::Index i = 0; i < m; ++i) newU.row(rowOrder[static_cast<size_t>(i)]) = q.row(i);

    Eigen::VectorXd newLogD(rank);
    for (int i = 0; i < rank; ++i)
        newLogD[i] = logScale + m_logD[qr.perm[static_cast<size_t>(i)]] + std::log(std::abs(work(i, i)));
    Eigen::MatrixXd permutedT(k, m_t.cols());
    for (Eigen::Index j = 0; j < k; ++j) permutedT.row(j) = m_t.row(qr.perm[static_cast<size_t>(j)]);

    m_t = f.triangularView<Eigen::Upper>() * permutedT;
    m_u = std::move(newU);
    m_logD = std::move(newLogD);
}

std::vector<double> LogSpaceProduct::logSingularValues() const {
    // sigma(U diag(d) T) = sigma(diag(d) T) = sigma(T^T diag(d)) since U has orthonormal columns.
    std::vector<double> result = logSingularValuesOfScaledColumns(m_t.transpose(), m_logD);
    result.resize(static_cast<size_t>(m_maxRank), kNegInf);
    return result;
}

std::vector<double> logSingularValuesOfScaledColumns(Eigen::MatrixXd v, Eigen::VectorXd logScale) {
    const Eigen::Index n = v.rows();
    const Eigen::Index k = v.cols();
    assert(logScale.size() == k);
    // Keep every column at unit norm, its size in logScale: the rotations below then only
    // ever see cosines and ratios exp(-(difference of logs)) in [0, 1].
    for (Eigen::Index j = 0; j < k; ++j) {
        const double norm = v.col(j).norm();
        if (norm > 0.0) {
            v.col(j) /= norm;
            logScale[j] += std::log(norm);
        } else {
            logScale[j] = kNegInf;
        }
    }
    // Columns in order of decreasing size: the rotations then mostly orthogonalise small
    // columns against larger ones, which converges in fewer sweeps (de Rijk 1989).
    {
        std::vector<Eigen::Index> order(static_cast<size_t>(k));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](Eigen::Index x, Eigen::Index y) { return logScale[x] > logScale[y]; });
        Eigen::MatrixXd sortedV(n, k);
        Eigen::VectorXd sortedScale(k);
        for (Eigen::Index j = 0; j < k; ++j) {
            sortedV.col(j) = v.col(order[static_cast<size_t>(j)]);
            sortedScale[j] = logScale[order[static_cast<size_t>(j)]];
        }
        v = std::move(sortedV);
        logScale = std::move(sortedScale);
    }
    const double tolerance = std::numeric_limits<double>::epsilon() * static_cast<double>(std::max<Eigen::Index>(n, 1));
    Eigen::VectorXd previousBig(n);
    constexpr int kMaxSweeps = 80;  // quadratic convergence: well-conditioned inputs need < 10
    for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
        bool rotated = false;
        for (Eigen::Index i = 0; i + 1 < k; ++i) {
            if (logScale[i] == kNegInf) continue;
            for (Eigen::Index j = i + 1; j < k; ++j) {
                if (logScale[j] == kNegInf) continue;
                const double c = v.col(i).dot(v.col(j));  // cosine of the two columns
                if (std::abs(c) <= tolerance) continue;
                rotated = true;
                // Hestenes rotation of the columns g_big = e^lb a, g_small = e^ls b (lb >= ls,
                // E = e^(ls - lb)) that makes them orthogonal: t = tan(theta) solves
                // t^2 + 2 zeta t - 1 = 0, zeta = (|g_small|^2 - |g_big|^2) / (2 g_big.g_small).
                // With te = t / E every quantity stays finite for any spread of the logs.
                const Eigen::Index big = logScale[i] >= logScale[j] ? i : j;
                const Eigen::Index small = big == i ? j : i;
                const double e = std::exp(logScale[small] - logScale[big]);
                const double z = -(1.0 - e * e) / (2.0 * c);  // zeta * E
                const double te = 1.0 / (z + std::copysign(std::sqrt(e * e + z * z), z));
                const double t = te * e;
                const double cs = 1.0 / std::sqrt(1.0 + t * t);
                previousBig = v.col(big);
                v.col(big) = cs * previousBig - (cs * te * e * e) * v.col(small);
                v.col(small) = (cs * te) * previousBig + cs * v.col(small);
                for (const Eigen::Index col : {big, small}) {
                    const double norm = v.col(col).norm();
                    if (norm > 0.0) {
                        v.col(col) /= norm;
                        logScale[col] += std::log(norm);
                    } else {
                        logScale[col] = kNegInf;
                    }
                }
            }
        }
        if (!rotated) break;
    }
    std::vector<double> result(logScale.data(), logScale.data() + k);
    std::sort(result.begin(), result.end(), std::greater<>());
    return result;
}

}  // namespace gradflow::core
