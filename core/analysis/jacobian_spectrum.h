#pragma once
// Singular values of the end-to-end Jacobian J = d h_L / d h_1 and of single units'
// Jacobians, computed stably at any depth (log-space accumulation, never the naive
// product), plus summary figures the GUI and the command line show.

#include <complex>
#include <string>
#include <vector>

#include "core/analysis/jacobian_chain.h"

namespace gradflow::core {

/// Figures over the singular values pooled from all probes. Exact zeros (rank lost, e.g.
/// to dead relu units) are counted by zeroFraction and left out of the log figures.
struct SpectrumSummary {
    double meanLog10 = 0.0;  ///< mean of log10 singular values, pooled over probes
    double maxLog10 = 0.0;
    double minLog10 = 0.0;           ///< smallest nonzero; all three -inf if every value is zero
    double isometricFraction = 0.0;  ///< fraction with 1/2 <= sigma <= 2
    double log10Condition = 0.0;     ///< mean over probes of log10(sigma_max / smallest nonzero sigma)
    double zeroFraction = 0.0;       ///< fraction of singular values that are exactly zero
};

struct JacobianSpectrum {
    bool available = false;
    std::string unavailableReason;  ///< e.g. "one hidden layer: no layer-to-layer Jacobian"
    /// [probe][index], descending; log10 so 1e-300 and 1e+300 stay representable.
    /// As many per probe as the narrowest width in the chain; -inf marks an exact zero.
    std::vector<std::vector<double>> log10SingularValues;
    SpectrumSummary summary;
};

/// Singular values of J = J_{n-1} ... J_1 J_0 per probe (residual groups contribute
/// I + their units' product), relatively accurate at any depth: the product is kept as
/// U diag(exp(logD)) T and finished by a one-sided Jacobi SVD (see log_space_svd.h).
/// Unavailable, with a reason, for an empty chain or non-finite inputs; never throws for
/// bad numbers. Cost per probe ~ 5 n^3 flops per unit plus a Jacobi SVD of n x n.
JacobianSpectrum computeEndToEndSpectrum(const JacobianChain& chain);
/// The same work one probe per call, so a caller that must stay responsive (the GUI's
/// training worker) can spread a spectrum over several turns. Start from a default
/// JacobianSpectrum; returns true once `partial` is finished (available, or unavailable
/// with its reason), and from then on does nothing. Same result as the whole call.
bool advanceEndToEndSpectrum(const JacobianChain& chain, JacobianSpectrum& partial);

struct UnitSpectrum {
    std::vector<double> singularValues;             ///< descending
    std::vector<std::complex<double>> eigenvalues;  ///< empty unless the unit is square
    double spectralRadius = 0.0;                    ///< NaN when not square (or not computable)
    double maxSingularValue = 0.0;                  ///< NaN for a non-finite Jacobian
};

/// Singular values and (square units) eigenvalues of one unit's Jacobian for one probe.
/// Throws std::out_of_range for a unit or probe outside the chain (a programmer error).
UnitSpectrum computeUnitSpectrum(const JacobianChain& chain, int unit, int probe);

/// Spectral radius and largest singular value of every unit, for probe 0 (the vectors
/// of each entry are left empty to keep snapshots small).
std::vector<UnitSpectrum> computeUnitSummaries(const JacobianChain& chain);
/// One entry of computeUnitSummaries (for spreading it over several turns).
UnitSpectrum computeUnitSummary(const JacobianChain& chain, int unit);

}  // namespace gradflow::core
