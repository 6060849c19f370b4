#include "core/analysis/finite_width_band.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/analysis/mean_field.h"
#include "core/model/activation.h"

namespace gradflow::core {

namespace {

/// Relative step in ln q of the central differences for the elasticities: the quadrature's
/// 1e-15 error divided by 2h stays below 1e-11.
constexpr double kLogStep = 1e-4;

struct LayerMoments {
    double value2 = 0.0;  ///< E[phi^2]
    double value4 = 0.0;  ///< E[phi^4]
    double slope2 = 0.0;  ///< E[phi'^2]
    double slope4 = 0.0;  ///< E[phi'^4]
    double mixed = 0.0;   ///< E[phi^2 phi'^2]
};

LayerMoments bandMoments(const ActivationSpec& activation, double mean, double variance) {
    LayerMoments m;
    m.value2 = activationMoment(activation, mean, variance, 2, 0);
    m.value4 = activationMoment(activation, mean, variance, 4, 0);
    m.slope2 = activationMoment(activation, mean, variance, 0, 2);
    m.slope4 = activationMoment(activation, mean, variance, 0, 4);
    m.mixed = activationMoment(activation, mean, variance, 2, 2);
    return m;
}

/// d ln E[phi^2] / d ln q and d ln E[phi'^2] / d ln q at q.
std::pair<double, double> elasticities(const ActivationSpec& activation, double mean, double q) {
    const LayerMoments up = bandMoments(activation, mean, q * std::exp(kLogStep));
    const LayerMoments down = bandMoments(activation, mean, q * std::exp(-kLogStep));
    return {std::log(up.value2 / down.value2) / (2.0 * kLogStep), std::log(up.slope2 / down.slope2) / (2.0 * kLogStep)};
}

/// One layer's noise variances (of logs of squared norms) and couplings; see the header.
struct LayerNoise {
    double forward = 0.0;       ///< f_l
    double diagonal = 0.0;      ///< d_l
    double shared = 0.0;        ///< c_l = Cov(forward, diagonal)
    double matrix = 0.0;        ///< w_l, the step g_l -> g_{l-1}
    double forwardGain = 0.0;   ///< e_m,l r_l: delta_{l-1} -> delta_l
    double backwardGain = 0.0;  ///< e_p,l r_l: delta_{l-1} -> the backward factor
};

std::vector<LayerNoise> layerNoise(const std::vector<BandLayer>& layers, double inputSecondMoment) {
    std::vector<LayerNoise> noise;
    double secondMoment = inputSecondMoment;
    for (const BandLayer& layer : layers) {
        const double n = layer.width;
        const double fromInput = layer.sigmaW2 * secondMoment;
        const double q = fromInput + layer.biasVariance;
        const LayerMoments m = bandMoments(layer.activation, layer.biasMean, q);
        const auto [valueElasticity, slopeElasticity] = elasticities(layer.activation, layer.biasMean, q);
        LayerNoise ln;
        ln.forward = (m.value4 / (m.value2 * m.value2) - 1.0) / n;
        ln.diagonal = 3.0 * (m.slope4 / (m.slope2 * m.slope2) - 1.0) / n;
        ln.shared = (m.mixed / (m.value2 * m.slope2) - 1.0) / n;
        ln.matrix = 2.0 / layer.fanIn;
        if (layer.orthogonal) {
            // The pre-activations' radius is exact but for the projection of a wider input
            // onto fewer units; the rest of each term is angular and stays.
            const double radial = 2.0 / n - 2.0 * std::max(0.0, 1.0 / n - 1.0 / layer.fanIn);
            ln.forward = std::max(0.0, ln.forward - valueElasticity * valueElasticity * radial);
            ln.diagonal = std::max(0.0, ln.diagonal - slopeElasticity * slopeElasticity * radial);
            ln.shared -= valueElasticity * slopeElasticity * radial;
            ln.matrix = 2.0 * std::max(0.0, 1.0 / layer.fanIn - 1.0 / n);
        }
        const double carried = q > 0.0 ? fromInput / q : 0.0;
        ln.forwardGain = valueElasticity * carried;
        ln.backwardGain = slopeElasticity * carried;
        noise.push_back(ln);
        secondMoment = m.value2;
    }
    return noise;
}

/// A linear combination of the noise sources: delta_k (forward fluctuation after layer k,
/// itself a sum of the forward noises below it), the diagonal noises and the matrix noises.
/// Indices are 0-based layers.
struct NoiseCombination {
    std::vector<double> delta, diagonal, matrix;
    explicit NoiseCombination(std::size_t depth) : delta(depth, 0.0), diagonal(depth, 0.0), matrix(depth, 0.0) {}
};

/// Var of the combination: delta_k = gain_k delta_{k-1} + forward noise_k, so the forward
/// noise of layer j enters with sum_{k >= j} delta_k prod_{i=j+1..k} gain_i (an adjoint sweep).
double combinationVariance(const NoiseCombination& c, const std::vector<LayerNoise>& noise) {
    double total = 0.0, carried = 0.0;
    for (std::size_t j = noise.size(); j-- > 0;) {
        carried = c.delta[j] + (j + 1 < noise.size() ? noise[j + 1].forwardGain * carried : 0.0);
        total += carried * carried * noise[j].forward + c.diagonal[j] * c.diagonal[j] * noise[j].diagonal +
                 2.0 * carried * c.diagonal[j] * noise[j].shared + c.matrix[j] * c.matrix[j] * noise[j].matrix;
    }
    return total;
}

ProfileBand bandAround(const std::vector<double>& profile, const std::vector<double>& logVariance,
                       const std::vector<double>& logShift) {
    ProfileBand band;
    for (std::size_t l = 0; l < profile.size(); ++l) {
        // Squared norms -> norms: half the shift, half the standard deviation.
        const double centre = std::log(profile[l]) + 0.5 * logShift[l];
        const double spread = kBandStandardDeviations * 0.5 * std::sqrt(std::max(0.0, logVariance[l]));
        band.lo.push_back(std::exp(centre - spread));
        band.hi.push_back(std::exp(centre + spread));
    }
    return band;
}

}  // namespace

FiniteWidthBands finiteWidthBands(const std::vector<BandLayer>& layers, double inputSecondMoment,
                                  const std::vector<double>& activationProfile, const std::vector<double>& weightProfile) {
    FiniteWidthBands out;
    const std::size_t depth = layers.size();
    if (depth == 0 || activationProfile.size() != depth || weightProfile.size() != depth) return out;
    const std::vector<LayerNoise> noise = layerNoise(layers, inputSecondMoment);
    const auto finiteNoise = [](const LayerNoise& n) {
        return std::isfinite(n.forward) && std::isfinite(n.diagonal) && std::isfinite(n.shared) && std::isfinite(n.matrix) &&
               std::isfinite(n.forwardGain) && std::isfinite(n.backwardGain);
    };
    const auto positive = [](double v) { return v > 0.0 && std::isfinite(v); };
    if (!std::all_of(noise.begin(), noise.end(), finiteNoise) ||
        !std::all_of(activationProfile.begin(), activationProfile.end(), positive) ||
        !std::all_of(weightProfile.begin(), weightProfile.end(), positive))
        return out;

    // Var delta_k, for the forward part of the weight gradient's shift.
    std::vector<double> deltaVariance(depth, 0.0);
    for (std::size_t k = 0; k < depth; ++k)
        deltaVariance[k] = (k > 0 ? noise[k].forwardGain * noise[k].forwardGain * deltaVariance[k - 1] : 0.0) + noise[k].forward;

    const std::size_t last = depth - 1;
    std::vector<double> activationVariance(depth), activationShift(depth), weightVariance(depth), weightShift(depth);
    for (std::size_t l = 0; l < depth; ++l) {
        // ln ||g_l||^2 - ln ||g_L||^2: the backward factors of layers l+1..L, each moved by
        // the forward fluctuation reaching it.
        NoiseCombination gradient(depth);
        for (std::size_t k = l + 1; k <= last; ++k) {
            gradient.delta[k - 1] += noise[k].backwardGain;
            gradient.diagonal[k] += 1.0;
            gradient.matrix[k] += 1.0;
        }
        activationVariance[l] = combinationVariance(gradient, noise);
        activationShift[l] = -0.5 * activationVariance[l];

        // ln ||D_l g_l||^2 - ln ||D_L g_L||^2, then + ln ||h_{l-1}||^2 - ln ||h_{L-1}||^2.
        NoiseCombination diagonal = gradient;
        if (l > 0) diagonal.delta[l - 1] += noise[l].backwardGain;
        diagonal.diagonal[l] += 1.0;
        if (last > 0) diagonal.delta[last - 1] -= noise[last].backwardGain;
        diagonal.diagonal[last] -= 1.0;
        NoiseCombination weight = diagonal;
        if (l > 0) weight.delta[l - 1] += 1.0;
        if (last > 0) weight.delta[last - 1] -= 1.0;
        weightVariance[l] = combinationVariance(weight, noise);
        const double inputVariance = l > 0 ? deltaVariance[l - 1] : 0.0;
        const double anchorInputVariance = last > 0 ? deltaVariance[last - 1] : 0.0;
        weightShift[l] = -0.5 * combinationVariance(diagonal, noise) - 0.5 * inputVariance + 0.5 * anchorInputVariance;
    }
    out.activationGradient = bandAround(activationProfile, activationVariance, activationShift);
    out.weightGradient = bandAround(weightProfile, weightVariance, weightShift);
    return out;
}

}  // namespace gradflow::core
