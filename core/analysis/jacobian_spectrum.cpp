#include "core/analysis/jacobian_spectrum.h"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/analysis/log_space_svd.h"

namespace gradflow::core {

namespace {

constexpr double kLn10 = 2.302585092994045684;
const double kLog10Two = std::log10(2.0);
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Eigen::Index unitRows(const JacobianChain& chain, int unit) {
    return chain.explicitJacobians.empty() ? chain.weights[unit].rows() : chain.explicitJacobians.front()[unit].rows();
}
Eigen::Index unitCols(const JacobianChain& chain, int unit) {
    return chain.explicitJacobians.empty() ? chain.weights[unit].cols() : chain.explicitJacobians.front()[unit].cols();
}

/// Empty when the chain is usable; otherwise why not, in words for the GUI.
std::string checkChain(const JacobianChain& chain) {
    const int units = chain.units();
    if (units == 0) return "one hidden layer: no layer-to-layer Jacobian";
    if (chain.probes <= 0) return "no probe inputs";
    if (chain.explicitJacobians.empty()) {
        if (chain.derivatives.size() != chain.weights.size()) return "internal error: derivatives and weights differ in count";
        for (int u = 0; u < units; ++u) {
            const auto& w = chain.weights[u];
            const auto& d = chain.derivatives[u];
            if (d.rows() != w.rows() || d.cols() < chain.probes)
                return "internal error: derivative shape does not match unit " + std::to_string(u);
            if (!w.allFinite() || !d.leftCols(chain.probes).allFinite())
                return "non-finite weights or activation derivatives (training diverged?)";
            if (chain.isNormalised(u)) {
                const auto& zHat = chain.normalised[static_cast<std::size_t>(u)];
                if (zHat.rows() != w.rows() || zHat.cols() < chain.probes)
                    return "internal error: layer-norm shape does not match unit " + std::to_string(u);
                if (!zHat.leftCols(chain.probes).allFinite()) return "non-finite layer-norm values (training diverged?)";
            }
        }
    } else {
        if (static_cast<int>(chain.explicitJacobians.size()) < chain.probes)
            return "internal error: fewer explicit Jacobians than probes";
        for (int p = 0; p < chain.probes; ++p) {
            const auto& js = chain.explicitJacobians[p];
            if (static_cast<int>(js.size()) != units) return "internal error: probes differ in unit count";
            for (int u = 0; u < units; ++u) {
                if (js[u].rows() != unitRows(chain, u) || js[u].cols() != unitCols(chain, u))
                    return "internal error: probes differ in Jacobian shape";
                if (!js[u].allFinite()) return "non-finite unit Jacobian (training diverged?)";
            }
        }
    }
    for (int u = 1; u < units; ++u) {
        if (unitCols(chain, u) != unitRows(chain, u - 1))
            return "internal error: unit " + std::to_string(u) + " does not take unit " + std::to_string(u - 1) + "'s output";
    }
    auto groups = chain.residualGroups;
    std::sort(groups.begin(), groups.end());
    int nextFree = 0;
    for (const auto& [first, last] : groups) {
        if (first < nextFree || last < first || last >= units)
            return "internal error: residual groups overlap or lie outside the chain";
        if (unitRows(chain, last) != unitCols(chain, first))
            return "internal error: residual group with different widths at its ends";
        nextFree = last + 1;
    }
    return {};
}

/// A factor held as exp(logScale) * matrix, so its own scale never has to be represented.
struct ScaledFactor {
    Eigen::MatrixXd matrix;
    double logScale = 0.0;
};

/// The residual group [first, last]'s Jacobian I + J_last ... J_first for one probe.
/// I + Prod cannot be formed in log space, so the (short) product is formed explicitly,
/// rescaled to max |entry| = 1 after every factor with the scale kept as a log; its
/// largest singular directions are exact to rounding, and its smallest ones only matter
/// where they are not swamped by I anyway. When the product is huge the identity is the
/// part that is scaled down instead, so neither part ever under- or overflows.
ScaledFactor residualGroupFactor(const JacobianChain& chain, int first, int last, int probe) {
    ScaledFactor out;
    Eigen::MatrixXd product = chain.unitJacobian(first, probe);
    for (int u = first;; ++u) {
        const double scale = product.cwiseAbs().maxCoeff();
        if (scale == 0.0) {  // the branch is exactly zero: the group is the identity
            out.matrix = Eigen::MatrixXd::Identity(product.rows(), product.cols());
            out.logScale = 0.0;
            return out;
        }
        product /= scale;
        out.logScale += std::log(scale);
        if (u == last) break;
        product = chain.unitJacobian(u + 1, probe) * product;
    }
    if (out.logScale <= 0.0) {
        product *= std::exp(out.logScale);
        product.diagonal().array() += 1.0;
        out.logScale = 0.0;
    } else {
        product.diagonal().array() += std::exp(-out.logScale);
    }
    out.matrix = std::move(product);
    return out;
}

SpectrumSummary summarise(const std::vector<std::vector<double>>& log10Values) {
    SpectrumSummary s;
    double sum = 0.0;
    long finite = 0, total = 0, isometric = 0, zeros = 0;
    double conditionSum = 0.0;
    int conditionCount = 0;
    s.maxLog10 = -kInf;
    s.minLog10 = kInf;
    for (const auto& probe : log10Values) {
        double probeMax = -kInf, probeMin = kInf;
        for (const double v : probe) {
            ++total;
            if (std::abs(v) <= kLog10Two) ++isometric;
            if (v == -kInf) {
                ++zeros;
                continue;
            }
            ++finite;
            sum += v;
            probeMax = std::max(probeMax, v);
            probeMin = std::min(probeMin, v);
        }
        if (probeMax >= probeMin) {
            conditionSum += probeMax - probeMin;
            ++conditionCount;
        }
        s.maxLog10 = std::max(s.maxLog10, probeMax);
        s.minLog10 = std::min(s.minLog10, probeMin);
    }
    if (finite == 0) {  // every singular value exactly zero
        s.meanLog10 = s.maxLog10 = s.minLog10 = -kInf;
        s.log10Condition = kInf;
    } else {
        s.meanLog10 = sum / static_cast<double>(finite);
        s.log10Condition = conditionSum / conditionCount;
    }
    s.isometricFraction = total ? static_cast<double>(isometric) / static_cast<double>(total) : 0.0;
    s.zeroFraction = total ? static_cast<double>(zeros) / static_cast<double>(total) : 0.0;
    return s;
}

}  // namespace

bool advanceEndToEndSpectrum(const JacobianChain& chain, JacobianSpectrum& partial) {
    if (partial.available || !partial.unavailableReason.empty()) return true;
    if (partial.log10SingularValues.empty()) {
        partial.unavailableReason = checkChain(chain);
        if (!partial.unavailableReason.empty()) return true;
        partial.log10SingularValues.reserve(static_cast<size_t>(chain.probes));
    }
    auto groups = chain.residualGroups;
    std::sort(groups.begin(), groups.end());
    const int units = chain.units();
    const int p = static_cast<int>(partial.log10SingularValues.size());
    LogSpaceProduct product(static_cast<int>(unitCols(chain, 0)));
    size_t nextGroup = 0;
    for (int u = 0; u < units;) {
        if (nextGroup < groups.size() && groups[nextGroup].first == u) {
            const ScaledFactor factor = residualGroupFactor(chain, u, groups[nextGroup].second, p);
            product.multiplyLeft(factor.matrix, factor.logScale);
            u = groups[nextGroup].second + 1;
            ++nextGroup;
        } else {
            product.multiplyLeft(chain.unitJacobian(u, p));
            ++u;
        }
    }
    std::vector<double> values = product.logSingularValues();
    for (double& v : values) {
        if (std::isnan(v)) {
            partial.unavailableReason = "numerical failure in the spectrum (NaN)";
            partial.log10SingularValues.clear();
            return true;
        }
        v /= kLn10;  // -inf (exact zero) stays -inf
    }
    partial.log10SingularValues.push_back(std::move(values));
    if (static_cast<int>(partial.log10SingularValues.size()) < chain.probes) return false;
    partial.summary = summarise(partial.log10SingularValues);
    partial.available = true;
    return true;
}

JacobianSpectrum computeEndToEndSpectrum(const JacobianChain& chain) {
    JacobianSpectrum out;
    while (!advanceEndToEndSpectrum(chain, out)) {
    }
    return out;
}

UnitSpectrum computeUnitSpectrum(const JacobianChain& chain, int unit, int probe) {
    if (unit < 0 || unit >= chain.units() || probe < 0 || probe >= chain.probes)
        throw std::out_of_range("computeUnitSpectrum: unit or probe out of range");
    UnitSpectrum out;
    const Eigen::MatrixXd j = chain.unitJacobian(unit, probe);
    out.spectralRadius = kNaN;
    out.maxSingularValue = kNaN;
    if (!j.allFinite() || j.size() == 0) return out;

    // Jacobi is the accurate choice for small matrices; divide and conquer is far faster
    // above ~16 (Eigen's own advice for BDCSVD).
    Eigen::VectorXd sv;
    if (std::min(j.rows(), j.cols()) < 16) {
        sv = Eigen::JacobiSVD<Eigen::MatrixXd>(j).singularValues();
    } else {
        sv = Eigen::BDCSVD<Eigen::MatrixXd>(j).singularValues();
    }
    if (sv.allFinite()) {
        out.singularValues.assign(sv.data(), sv.data() + sv.size());
        out.maxSingularValue = sv.size() ? sv[0] : 0.0;
    }
    if (j.rows() == j.cols()) {
        const Eigen::EigenSolver<Eigen::MatrixXd> solver(j, /*computeEigenvectors=*/false);
        if (solver.info() == Eigen::Success && solver.eigenvalues().allFinite()) {
            const Eigen::VectorXcd& ev = solver.eigenvalues();
            out.eigenvalues.assign(ev.data(), ev.data() + ev.size());
            out.spectralRadius = ev.cwiseAbs().maxCoeff();
        }
    }
    return out;
}

std::vector<UnitSpectrum> computeUnitSummaries(const JacobianChain& chain) {
    std::vector<UnitSpectrum> out;
    if (chain.probes <= 0) return out;
    out.reserve(static_cast<size_t>(chain.units()));
    for (int u = 0; u < chain.units(); ++u) out.push_back(computeUnitSummary(chain, u));
    return out;
}

UnitSpectrum computeUnitSummary(const JacobianChain& chain, int unit) {
    UnitSpectrum s = computeUnitSpectrum(chain, unit, 0);
    // Only the two figures travel in every snapshot; the full spectra are asked for one
    // chosen unit at a time.
    s.singularValues.clear();
    s.eigenvalues.clear();
    return s;
}

}  // namespace gradflow::core
