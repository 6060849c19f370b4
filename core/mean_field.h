#pragma once
// Mean-field theory of signal propagation at initialisation (Poole et al. 2016;
// Schoenholz et al. 2017): the fixed point q* of the pre-activation variance map and
// chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2], the per-layer growth factor of the squared
// gradient norm (< 1 vanishing, > 1 exploding, = 1 critical).

#include <functional>
#include <string>
#include <vector>

#include "activation.h"
#include "experiment_config.h"

namespace gradflow::core {

struct MeanFieldPrediction {
    double sigmaW2 = 0.0;
    double sigmaB2 = 0.0;
    double qStar = 0.0;       ///< fixed point of q -> sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2
    double chi1 = 0.0;
    double depthScale = 0.0;  ///< xi = -1 / ln(chi_1) layers (+inf at chi_1 = 1, negative when exploding)
    bool converged = true;    ///< false when q diverges (q* reported as +inf; chi_1 is then its large-q limit)
    bool available = true;    ///< false where the theory does not apply (gated cells, no layers, bad input)
    std::string unavailableReason;
};

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

/// Predicted ||dL/dh_l|| relative to the last hidden layer, l = 1..L (chi_1^((L-l)/2)),
/// for the gradient plots' overlay; L = hidden layers, or time steps for vanilla
/// recurrent nets. Empty when the prediction is unavailable, and for stacks with batch
/// norm or residual skips: both change the per-layer factor the profile is built from,
/// so a plain-stack line over them would mislead.
std::vector<double> predictedGradientProfile(const ExperimentConfig& config);

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
PhaseDiagram computePhaseDiagram(const ActivationSpec& activation, int columns, int rows, double sigmaW2Max,
                                 double sigmaB2Max);

}  // namespace gradflow::core
