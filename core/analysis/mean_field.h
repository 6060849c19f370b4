#pragma once
// Mean-field theory of signal propagation at initialisation (Poole et al. 2016;
// Schoenholz et al. 2017): the fixed point q* of the pre-activation variance map and
// chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2], the per-layer growth factor of the squared
// gradient norm (< 1 vanishing, > 1 exploding, = 1 critical).

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "core/analysis/finite_width_band.h"
#include "core/config/experiment_config.h"
#include "core/model/activation.h"

namespace gradflow::core {

struct MeanFieldPrediction {
    double sigmaW2 = 0.0;
    double sigmaB2 = 0.0;
    double qStar = 0.0;  ///< fixed point of q -> sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2
    double chi1 = 0.0;
    double depthScale = 0.0;  ///< xi = -1 / ln(chi_1) layers (+inf at chi_1 = 1, negative when exploding)
    bool converged = true;    ///< false when q diverges (q* reported as +inf; chi_1 is then its large-q limit)
    bool available = true;    ///< false where the theory does not apply (gated cells, no layers, bad input)
    std::string unavailableReason;
};

/// E[phi(x)^valuePower phi'(x)^slopePower], x ~ N(mean, variance), by gaussianExpectation;
/// a zero variance is taken as its 0+ limit, as in chi_1, so relu's undefined derivative
/// at exactly 0 never decides the answer.
double activationMoment(const ActivationSpec& activation, double mean, double variance, int valuePower, int slopePower);

/// Gaussian-quadrature expectation E[f(z)], z ~ N(0,1): 2 x 64 Gauss-Legendre nodes split
/// at z = 0 so relu-like kinks cost no accuracy (see gauss_quadrature.h); ~1e-15 for
/// smooth or piecewise-smooth f of polynomial growth.
double gaussianExpectation(const std::function<double(double)>& f);

/// q* reached from q = 1 (Steffensen iteration), chi_1 at q* (the q -> 0+ limit when
/// q* = 0), depth scale. sigmaW2, sigmaB2 >= 0.
MeanFieldPrediction predictMeanField(const ActivationSpec& activation, double sigmaW2, double sigmaB2);
/// For the config's hidden-to-hidden layers (layer 2's activation and initialiser, fan-in
/// = layer 1's width; layer 1 with fan-in = input dimension when it is the only one;
/// vanilla recurrent nets: the recurrent matrix); sigma_b^2 = bias init std^2 (the bias
/// mean and batch norm are outside this theory). Unavailable for gated cells.
MeanFieldPrediction predictMeanField(const ExperimentConfig& config);

/// What the gradient views' overlay draws: the mean-field prediction at initialisation of
/// each gradient statistic per depth unit l = 1..L (hidden layers, or time steps of a
/// vanilla recurrent net), relative to its value at unit L. Both come from one
/// layer-by-layer recursion over the config's own layers (each with its activation,
/// initialiser and widths), started from the data's second moment:
///   forward   q_l = sigma_w,l^2 m_{l-1} + sigma_b^2,  z_l ~ N(mu_b, q_l),  m_l = E[phi(z_l)^2]
///   backward  E||dl/dh_{l-1}||^2 = sigma_w,l^2 E[phi'(z_l)^2] E||dl/dh_l||^2
/// with m_0 = the mean of x^2 over samples and input coordinates (recurrent: the input
/// drive sigma_x^2 m_x enters every step and h_0 = 0). Per sample, dl/dW_l is the outer
/// product (phi'(z_l) o dl/dh_l) h_{l-1}^T, so
///   E||dl/dW_l||^2 = E[phi'(z_l)^2] E||dl/dh_l||^2 * n_{l-1} m_{l-1},
/// the activation-gradient profile times the forward norm of the layer's input.
struct GradientProfiles {
    std::vector<double> activationGradient;  ///< RMS over samples of ||d loss_b / d h_l||
    std::vector<double> weightGradient;      ///< ||dL/dW_l||_F
    /// Empty profiles: what the theory does not cover, short enough for a legend, e.g. "batch norm".
    std::string unavailableReason;
    /// An empty weightGradient beside a full activationGradient: why.
    std::string weightUnavailableReason;
    /// Where one network at its finite widths is expected to lie (finite_width_band.h), in
    /// the profiles' normalisation; empty, with a reason, where the profiles are not.
    ProfileBand activationBand;
    ProfileBand weightBand;
    std::string bandUnavailableReason;
};

/// The profiles for `config` on data whose mean squared input coordinate is
/// `inputSecondMoment`. Empty, with a reason, for gated cells, for identity or constant
/// weights (not random), and for stacks with batch or layer norm: both change the
/// per-layer factor, so a plain-stack line over them would mislead. Residual stacks follow
/// the skips (feedForwardFactors in mean_field.cpp). This is the
/// infinite-width, per-sample average: at width 64 the samples of a batch are correlated
/// in ways it leaves out, and a thirty-layer ReLU stack's ||dL/dW|| drifts up to a decade
/// from it (it stays within 0.2 decades at width 512, or one sample per batch); a
/// recurrent net reuses one matrix at every step, which the theory treats as fresh draws.
GradientProfiles predictGradientProfiles(const ExperimentConfig& config, double inputSecondMoment);
/// Why `config` has no profiles (GradientProfiles::unavailableReason for finite input), or "".
std::string profileUnavailableReason(const ExperimentConfig& config);
/// Mean of x^2 over every sample, time step and input coordinate of `inputs`.
double meanSquare(const std::vector<Eigen::MatrixXd>& inputs);

struct PhaseDiagram {
    int columns = 0;  ///< sigma_w^2 samples
    int rows = 0;     ///< sigma_b^2 samples
    double sigmaW2Min = 0.0, sigmaW2Max = 0.0, sigmaB2Min = 0.0, sigmaB2Max = 0.0;
    std::vector<double> chi1;  ///< rows x columns, row-major (row = sigma_b^2 index)
    /// Points (sigma_w^2, sigma_b^2) on chi_1 = 1, ordered by sigma_b^2.
    std::vector<std::pair<double, double>> criticalLine;
};

/// chi_1 on sigma_w^2 = max * (c+1) / columns, sigma_b^2 = max * r / (rows-1) (0 for a
/// single row), and per row the first chi_1 = 1 crossing by bisection. Costs ~1 ms per
/// 100 cells; compute it off the GUI thread. Throws std::invalid_argument for an empty grid.
PhaseDiagram computePhaseDiagram(const ActivationSpec& activation, int columns, int rows, double sigmaW2Max, double sigmaB2Max);

}  // namespace gradflow::core
