#pragma once
// How far one finite-width network's gradient profile strays from the infinite-width
// mean-field line (mean_field.h), at initialisation: a band around the line per layer.
//
// At width n the log of a squared gradient norm is a sum of per-layer log factors, each
// fluctuating by O(1/n) (Hanin 2018; Hanin & Nica 2019 show that for ReLU nets
// Var log ||dl/dh_1||^2 ~ 5 sum_l 1/n_l). The band comes from a first-order (delta-method)
// account of where each factor's spread comes from, per sample, with z_l ~ N(mu_b, q_l):
//
//  forward   given h_{l-1}, the n_l pre-activations are i.i.d. N(mu_b, q^_l) (Gaussian
//            weights), so log(||h_l||^2 / n_l) - log m(q^_l) has variance
//            f_l = (E[phi^4] / E[phi^2]^2 - 1) / n_l             (relu: 5 / n_l)
//  backward  g_{l-1} = W_l^T (phi'(z_l) o g_l). The diagonal step, with g_l's coordinates
//            Gaussian and independent of z_l, has
//            d_l = 3 (E[phi'^4] / E[phi'^2]^2 - 1) / n_l         (relu: 3 / n_l)
//            and shares c_l = (E[phi^2 phi'^2] / (E[phi^2] E[phi'^2]) - 1) / n_l with the
//            forward noise of the same units; the matrix step ||W^T u||^2 / ||u||^2 is a
//            chi-square over n_{l-1} coordinates, w_l = 2 / n_{l-1}. (relu: 2 + 3 = 5
//            per layer, Hanin & Nica's constant.)
//  coupling  the realised q^_l carries the forward noise of the layers below:
//            log q^_l - log q_l = r_l delta_{l-1}, r_l = sigma_w^2 m_{l-1} / q_l, so
//            delta_l = e_m,l r_l delta_{l-1} + noise and the backward factor moves by
//            e_p,l r_l delta_{l-1}, with e_m = d ln E[phi^2] / d ln q and
//            e_p = d ln E[phi'^2] / d ln q (both 1 and 0 for relu; for tanh they make the
//            forward norm self-correcting and its noise reach the gradient).
//  orthogonal weights keep norms exactly where a semi-orthogonal map is an isometry: only
//            the projection part 2 max(0, 1/n_small - 1/n_large) remains, and the forward
//            and diagonal terms lose their radial share.
//
// The profiles are relative to layer L, so the band of layer l sums the noise of the
// layers between l and L (zero width at L). Log-normal factors put the median below the
// mean by half the log variance; the band is that median times exp(+-2 sd) of the log
// norm, about 95% of single nets for a Gaussian log. Dropped: terms of O(1/n^2) and the
// loss layer's noise (the anchor absorbs it). Checked against fresh nets over a grid of
// activations, initialisations, input scales and widths (tests/core/tst_finite_width_band.cpp).
//
// This is one sample's spread. The bars' ||dL/dh|| is the RMS over a batch, whose samples
// average part of it away (the band is then an outer bound); a batch's ||dL/dW|| also
// depends on how the batch's samples correlate, which this per-sample account leaves out.
// Residual stacks and recurrent nets get no band (mean_field.cpp says why).

#include <string>
#include <vector>

#include "core/config/experiment_config.h"

namespace gradflow::core {

/// Per depth unit, the band's ends in the profile's own normalisation (the value at unit L
/// is 1, where lo = hi = 1).
struct ProfileBand {
    std::vector<double> lo;
    std::vector<double> hi;
    bool empty() const { return lo.empty(); }
};

struct FiniteWidthBands {
    ProfileBand activationGradient;  ///< ||dl/dh_l||
    ProfileBand weightGradient;      ///< ||dl/dW_l||
};

/// Number of standard deviations of the log norm on each side of the median.
inline constexpr double kBandStandardDeviations = 2.0;

/// One layer of a plain feed-forward stack as the band needs it.
struct BandLayer {
    ActivationSpec activation;
    double sigmaW2 = 0.0;   ///< of this layer's weights (fan-in normalised)
    double biasMean = 0.0;  ///< mu_b
    double biasVariance = 0.0;
    int fanIn = 0;
    int width = 0;
    bool orthogonal = false;
};

/// The bands of a plain stack on inputs of mean square `inputSecondMoment`, relative to
/// the profiles `activationProfile` and `weightProfile` (mean_field.h, unit L = 1). Empty
/// bands when a moment is not finite or a profile is 0 (a layer that passes no gradient).
FiniteWidthBands finiteWidthBands(const std::vector<BandLayer>& layers, double inputSecondMoment,
                                  const std::vector<double>& activationProfile, const std::vector<double>& weightProfile);

}  // namespace gradflow::core
