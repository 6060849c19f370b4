#include "core/analysis/mean_field.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/analysis/gauss_quadrature.h"
#include "core/model/initializer.h"

namespace gradflow::core {

namespace {

constexpr double kUnbounded = std::numeric_limits<double>::infinity();
/// q beyond this is taken as divergence (no finite fixed point).
constexpr double kDivergedQ = 1e30;
/// Relative step below which the fixed-point iteration has converged.
constexpr double kFixedPointTolerance = 1e-13;
constexpr int kMaxFixedPointSteps = 200;
/// chi_1 within this of 1 counts as critical (depth scale +inf): the quadrature is
/// accurate to ~1e-15, so a computed 1 - 1e-16 must not read as "exploding".
constexpr double kCriticalTolerance = 1e-12;

/// E[phi(sqrt(q) z)^2].
double secondMoment(const ActivationSpec& activation, double q) {
    const double s = std::sqrt(q);
    return gaussianExpectation([&](double z) {
        const double a = activate(activation, s * z);
        return a * a;
    });
}

/// E[phi'(sqrt(q) z)^2], evaluated at q > 0: at q* = 0 this is the limit q -> 0+, so
/// relu's undefined derivative at exactly 0 never decides the answer.
double derivativeSecondMoment(const ActivationSpec& activation, double q) {
    const double s = std::sqrt(std::max(q, std::numeric_limits<double>::min()));
    return gaussianExpectation([&](double z) {
        const double d = activateDerivative(activation, s * z);
        return d * d;
    });
}

struct FixedPoint {
    double q = 1.0;
    bool converged = false;
};

/// Fixed point of the variance map g(q) = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2 reached
/// from q = 1 (unit-variance inputs), by Steffensen's method: plain iteration converges
/// only linearly, at rate g'(q*), which is 1 at the critical point (tanh, sigma_w^2 = 1,
/// sigma_b^2 = 0 creeps to 0 like 1/t); Aitken's extrapolation halves q there per step and
/// is exact for the affine maps of linear and relu nets. An extrapolation is accepted
/// only when it continues the direction the iterates move in (or stays between them when
/// they oscillate), so it can never jump to a repelling fixed point such as q = 0 for
/// relu with sigma_w^2 > 2. Stops when the step taken, or the distance still to go
/// estimated from the contraction rate, is below 1e-13 (1 + q).
FixedPoint varianceFixedPoint(const ActivationSpec& activation, double sigmaW2, double sigmaB2) {
    const auto g = [&](double q) { return sigmaW2 * secondMoment(activation, q) + sigmaB2; };
    // q = 0 is a fixed point when phi(0) = 0 and there is no bias variance (tanh, relu...).
    const bool zeroIsFixed = g(0.0) == 0.0;
    FixedPoint out;
    double q = 1.0;
    for (int step = 0; step < kMaxFixedPointSteps; ++step) {
        const double q1 = g(q);
        const double q2 = g(q1);
        if (!std::isfinite(q1) || !std::isfinite(q2) || q2 > kDivergedQ) {
            out.q = std::isfinite(q1) ? std::min(q1, kDivergedQ) : kDivergedQ;
            return out;
        }
        const double step1 = q1 - q, step2 = q2 - q1;
        bool settled = false;
        double next = q2;
        const double curvature = step2 - step1;
        const bool monotone = step1 * step2 > 0.0;
        if (curvature != 0.0) {
            const double extrapolated = q - step1 * step1 / curvature;
            const bool onward = monotone ? (extrapolated - q2) * step2 >= 0.0
                                         : extrapolated >= std::min(q1, q2) && extrapolated <= std::max(q1, q2);
            if (std::isfinite(extrapolated) && extrapolated >= 0.0 && onward) {
                next = extrapolated;
                settled = std::abs(next - q) <= kFixedPointTolerance * (1.0 + next);
            }
        }
        if (next == q2) {
            // Plain step: small steps alone prove nothing when the contraction rate
            // rho = step2 / step1 is near 1, so estimate the distance left, |step2| rho / (1 - rho).
            const double rho = step1 != 0.0 ? step2 / step1 : 0.0;
            const double left = rho < 0.0 ? std::abs(step2) : rho < 1.0 ? std::abs(step2) * rho / (1.0 - rho) : kUnbounded;
            settled = step2 == 0.0 || left <= kFixedPointTolerance * (1.0 + q2);
            // Creeping down onto q* = 0 at the critical point (g'(0) = 1): the extrapolation
            // drowns in rounding below q ~ 1e-8 while the true q* is 0.
            if (!settled && zeroIsFixed && monotone && step2 < 0.0 && q2 < 1e-6) {
                next = 0.0;
                settled = true;
            }
        }
        q = next;
        if (settled) {
            out.q = q;
            out.converged = true;
            return out;
        }
    }
    out.q = q;  // no fixed point found (e.g. relu at sigma_w^2 = 2 with a bias: q grows linearly)
    return out;
}

}  // namespace

double gaussianExpectation(const std::function<double(double)>& f) {
    const QuadratureRule& rule = standardNormalRule();
    double sum = 0.0;
    for (size_t i = 0; i < rule.nodes.size(); ++i) sum += rule.weights[i] * f(rule.nodes[i]);
    return sum;
}

double activationMoment(const ActivationSpec& activation, double mean, double variance, int valuePower, int slopePower) {
    const double s = std::sqrt(std::max(variance, std::numeric_limits<double>::min()));
    return gaussianExpectation([&](double z) {
        const double x = mean + s * z;
        // From 1.0, which every product leaves exact: the same bits as a * a * d * d written out.
        double product = 1.0;
        if (valuePower > 0) {
            const double a = activate(activation, x);
            for (int k = 0; k < valuePower; ++k) product *= a;
        }
        if (slopePower > 0) {
            const double d = activateDerivative(activation, x);
            for (int k = 0; k < slopePower; ++k) product *= d;
        }
        return product;
    });
}

MeanFieldPrediction predictMeanField(const ActivationSpec& activation, double sigmaW2, double sigmaB2) {
    MeanFieldPrediction out;
    out.sigmaW2 = sigmaW2;
    out.sigmaB2 = sigmaB2;
    if (!(sigmaW2 >= 0.0) || !(sigmaB2 >= 0.0) || !std::isfinite(sigmaW2) || !std::isfinite(sigmaB2)) {
        out.available = false;
        out.unavailableReason = "sigma_w^2 and sigma_b^2 must be finite and non-negative";
        out.converged = false;
        out.qStar = out.chi1 = out.depthScale = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    const FixedPoint fixedPoint = varianceFixedPoint(activation, sigmaW2, sigmaB2);
    out.converged = fixedPoint.converged;
    out.qStar = fixedPoint.converged ? fixedPoint.q : kUnbounded;
    // Without a fixed point chi_1 is taken at the last (large) iterate: the large-q limit,
    // which is what a deep net's gradients see once its variance has blown up (for relu
    // and linear nets chi_1 does not depend on q at all).
    out.chi1 = sigmaW2 * derivativeSecondMoment(activation, fixedPoint.q);
    if (std::abs(out.chi1 - 1.0) <= kCriticalTolerance) {
        out.depthScale = kUnbounded;
    } else {
        out.depthScale = -1.0 / std::log(out.chi1);  // 0 when chi_1 = 0
    }
    return out;
}

namespace {

struct HiddenToHidden {
    ActivationSpec activation;
    InitSpec init;
    int fanIn = 0;
    int fanOut = 0;
    std::string problem;
};

HiddenToHidden hiddenToHidden(const ExperimentConfig& config) {
    HiddenToHidden h;
    if (config.model == ModelKind::Recurrent) {
        if (config.recurrent.cell != CellKind::Vanilla) {
            h.problem = "mean-field theory here covers plain layers and vanilla recurrent cells, not gated cells";
            return h;
        }
        // The recurrent matrix is the hidden-to-hidden map; the input drive adds variance
        // that this single-map theory leaves out.
        h.activation = config.recurrent.activation;
        h.init = config.recurrent.recurrentInit;
        h.fanIn = h.fanOut = config.recurrent.hiddenSize;
        return h;
    }
    if (config.layers.empty()) {
        h.problem = "no hidden layers";
        return h;
    }
    const bool hasSecond = config.layers.size() >= 2;
    const LayerSpec& layer = hasSecond ? config.layers[1] : config.layers[0];
    h.activation = layer.activation;
    h.init = layer.init;
    h.fanIn = hasSecond ? config.layers[0].width : config.inputDimension();
    h.fanOut = layer.width;
    return h;
}

}  // namespace

MeanFieldPrediction predictMeanField(const ExperimentConfig& config) {
    const HiddenToHidden h = hiddenToHidden(config);
    if (!h.problem.empty()) {
        MeanFieldPrediction out;
        out.available = false;
        out.unavailableReason = h.problem;
        out.converged = false;
        out.qStar = out.chi1 = out.depthScale = std::numeric_limits<double>::quiet_NaN();
        return out;
    }
    const double sigmaB = config.biasInit.std;
    return predictMeanField(h.activation, sigmaW2(h.init, h.fanIn, h.fanOut), sigmaB * sigmaB);
}

namespace {

/// One depth unit of the recursion: its pre-activation law and the two moments it needs.
struct UnitMoments {
    double value = 0.0;  ///< E[phi(z)^2]
    double slope = 0.0;  ///< E[phi'(z)^2]
    double mean = 0.0;   ///< E[phi(z)], which a residual sum's cross term needs
};

/// z ~ N(mean, variance).
UnitMoments unitMoments(const ActivationSpec& activation, double mean, double variance) {
    UnitMoments m;
    m.value = activationMoment(activation, mean, variance, 2, 0);
    m.slope = activationMoment(activation, mean, variance, 0, 2);
    m.mean = activationMoment(activation, mean, variance, 1, 0);
    return m;
}

/// Each unit's forward input and its own factors, input side first.
struct UnitFactors {
    double inputNormSquared = 0.0;  ///< n_{l-1} m_{l-1}: E||h_{l-1}||^2 (or ||x||^2)
    double slope = 0.0;             ///< alpha^2 E[phi'(z_l)^2] (alpha: a residual branch's scale, else 1)
    double backward = 0.0;          ///< sigma_w^2 alpha^2 E[phi'(z_l)^2]: what the unit multiplies E||dl/dh||^2 by going down
    int skipFrom = -1;              ///< 0-based end of the residual group whose output's gradient this output also receives
    double sigmaW2 = 0.0;           ///< the unit's weight variance times fan-in, as initialised
};

/// What multiplies each residual branch at initialisation (ResidualSpec::branchScale).
double branchScaleAtInit(const ExperimentConfig& config) {
    switch (config.residual.branchScale) {
    case BranchScaleKind::None: return 1.0;
    case BranchScaleKind::ReZero: return 0.0;
    case BranchScaleKind::InverseSqrtBlocks: return 1.0 / std::sqrt(static_cast<double>(std::max(config.residualBlocks(), 1)));
    }
    return 1.0;
}

/// Residual groups (Yang & Schoenholz 2017): at initialisation a branch's output is
/// uncorrelated with the skip it is added to, so second moments add, plus the product of
/// the two means (relu branches and skips are both positive):
///   m_e = alpha^2 E[phi(z_e)^2] + m_{s-1} + 2 alpha E[phi(z_e)] mu_{s-1},  mu_e = alpha E[phi(z_e)] + mu_{s-1},
/// and on the way back the skip source s-1 receives the group output's gradient whole
/// beside the branch's, E||g_{s-1}||^2 = E||g_e||^2 + sigma_w,s^2 E[phi'^2] E||g_s||^2:
/// products of (1 + branch factor), growth polynomial in depth where a plain stack's is exponential.
std::vector<UnitFactors> feedForwardFactors(const ExperimentConfig& config, double inputSecondMoment) {
    const int depth = static_cast<int>(config.layers.size());
    std::vector<int> groupStartOfEnd(depth, -1);  // 0-based start of the group a layer ends
    std::vector<int> groupEndOfStart(depth, -1);
    if (config.residual.every > 0) {
        for (int start = 1; start < depth; start += config.residual.every) {
            const int end = std::min(start + config.residual.every - 1, depth - 1);
            groupStartOfEnd[end] = start;
            groupEndOfStart[start] = end;
        }
    }
    const double alpha = branchScaleAtInit(config);
    // Fixup rescales each branch's drawn weights and starts its last layer at W = 0: the
    // weight variance the recursion sees, per layer, so the line is the Fixup net's own.
    std::vector<double> weightVarianceFactor(static_cast<std::size_t>(depth), 1.0);
    if (config.residual.fixup) {
        for (int start = 1; start < depth; start += config.residual.every) {
            const int end = std::min(start + config.residual.every - 1, depth - 1);
            const double scale = config.fixupScale(end - start + 1);
            for (int l = start; l < end; ++l) weightVarianceFactor[static_cast<std::size_t>(l)] = scale * scale;
            weightVarianceFactor[static_cast<std::size_t>(end)] = 0.0;
        }
    }
    std::vector<UnitFactors> units;
    std::vector<double> outputSecondMoment, outputMean;
    int fanIn = config.inputDimension();
    double secondMoment = inputSecondMoment;
    const double biasVariance = config.biasInit.std * config.biasInit.std;
    for (int l = 0; l < depth; ++l) {
        const LayerSpec& layer = config.layers[static_cast<std::size_t>(l)];
        // LSUV rescales the drawn weights until q, the variance of W h + b, is 1 (to its
        // tolerance): sigma_w^2 m + sigma_b^2 = 1, whatever the initialiser drew.
        const double sigmaW2Layer =
            config.lsuv && secondMoment > 0.0
                ? std::max(0.0, 1.0 - biasVariance) / secondMoment
                : sigmaW2(layer.init, fanIn, layer.width) * weightVarianceFactor[static_cast<std::size_t>(l)];
        const double q = sigmaW2Layer * secondMoment + biasVariance;
        const UnitMoments m = unitMoments(layer.activation, config.biasInit.value, q);
        const int start = groupStartOfEnd[static_cast<std::size_t>(l)];
        const double scale2 = start >= 0 ? alpha * alpha : 1.0;
        UnitFactors unit{fanIn * secondMoment, scale2 * m.slope, sigmaW2Layer * scale2 * m.slope, -1, sigmaW2Layer};
        if (l > 0 && groupEndOfStart[static_cast<std::size_t>(l)] >= 0)
            units.back().skipFrom = groupEndOfStart[static_cast<std::size_t>(l)];
        units.push_back(unit);
        double value = m.value, mean = m.mean;
        if (start >= 0) {
            const std::size_t skip = static_cast<std::size_t>(start - 1);
            value = alpha * alpha * m.value + outputSecondMoment[skip] + 2.0 * alpha * m.mean * outputMean[skip];
            mean = alpha * m.mean + outputMean[skip];
        }
        outputSecondMoment.push_back(value);
        outputMean.push_back(mean);
        fanIn = layer.width;
        secondMoment = value;
    }
    return units;
}

std::vector<UnitFactors> recurrentFactors(const ExperimentConfig& config, double inputSecondMoment) {
    const RecurrentSpec& r = config.recurrent;
    const int hidden = r.hiddenSize;
    const double recurrentW2 = sigmaW2(r.recurrentInit, hidden, hidden);
    // The input drive adds the same variance at every step; h_0 = 0.
    const double drive =
        sigmaW2(r.inputInit, config.inputDimension(), hidden) * inputSecondMoment + config.biasInit.std * config.biasInit.std;
    std::vector<UnitFactors> units;
    double secondMoment = 0.0;
    for (int t = 1; t <= config.data.sequenceLength; ++t) {
        const UnitMoments m = unitMoments(r.activation, config.biasInit.value, recurrentW2 * secondMoment + drive);
        units.push_back({hidden * secondMoment, m.slope, recurrentW2 * m.slope, -1, recurrentW2});
        secondMoment = m.value;
    }
    return units;
}

std::vector<BandLayer> bandLayers(const ExperimentConfig& config, const std::vector<UnitFactors>& units) {
    std::vector<BandLayer> layers;
    int fanIn = config.inputDimension();
    for (const LayerSpec& layer : config.layers) {
        BandLayer b;
        b.activation = layer.activation;
        b.sigmaW2 = units[layers.size()].sigmaW2;
        b.biasMean = config.biasInit.value;
        b.biasVariance = config.biasInit.std * config.biasInit.std;
        b.fanIn = fanIn;
        b.width = layer.width;
        b.orthogonal = layer.init.kind == InitKind::Orthogonal;
        layers.push_back(b);
        fanIn = layer.width;
    }
    return layers;
}

}  // namespace

double meanSquare(const std::vector<Eigen::MatrixXd>& inputs) {
    double sum = 0.0;
    double count = 0.0;
    for (const Eigen::MatrixXd& x : inputs) {
        sum += x.squaredNorm();
        count += static_cast<double>(x.size());
    }
    return count > 0 ? sum / count : 0.0;
}

std::string profileUnavailableReason(const ExperimentConfig& config) {
    std::string reason;
    if (config.model == ModelKind::FeedForward) {
        if (std::any_of(config.layers.begin(), config.layers.end(), [](const LayerSpec& l) { return l.batchNorm; }))
            reason = "batch norm";
        else if (std::any_of(config.layers.begin(), config.layers.end(), [](const LayerSpec& l) { return l.layerNorm; }))
            reason = "layer norm";
        else if (config.layers.empty()) reason = "a net without hidden layers";
    } else if (config.recurrent.cell != CellKind::Vanilla) {
        reason = "gated cells";
    }
    // The theory averages over random zero-mean weights; an identity or constant matrix is
    // neither (an identity recurrent matrix keeps the gradient whole where this would halve it).
    const auto notRandom = [](const InitSpec& init) {
        return init.kind == InitKind::Identity || init.kind == InitKind::Constant;
    };
    if (reason.empty()) {
        const bool fixedWeights =
            config.model == ModelKind::FeedForward
                ? std::any_of(config.layers.begin(), config.layers.end(), [&](const LayerSpec& l) { return notRandom(l.init); })
                : notRandom(config.recurrent.recurrentInit);
        if (fixedWeights) reason = "identity or constant weights";
    }
    return reason;
}

GradientProfiles predictGradientProfiles(const ExperimentConfig& config, double inputSecondMoment) {
    GradientProfiles out;
    out.unavailableReason = profileUnavailableReason(config);
    if (!(inputSecondMoment >= 0.0) || !std::isfinite(inputSecondMoment)) out.unavailableReason = "input data that is not finite";
    if (!out.unavailableReason.empty()) return out;

    const std::vector<UnitFactors> units = config.model == ModelKind::FeedForward ? feedForwardFactors(config, inputSecondMoment)
                                                                                  : recurrentFactors(config, inputSecondMoment);
    const std::size_t depth = units.size();
    // Logarithms, relative to the last unit: the products span hundreds of decades in
    // deep nets, and only the ratios are drawn.
    std::vector<double> logActivation(depth, 0.0), logWeight(depth, 0.0);
    for (std::size_t l = depth - 1; l-- > 0;) {
        logActivation[l] = logActivation[l + 1] + 0.5 * std::log(units[l + 1].backward);
        if (units[l].skipFrom >= 0) {
            // ln sqrt(a^2 + b^2) from ln a and ln b, without leaving the log domain.
            const double viaSkip = logActivation[static_cast<std::size_t>(units[l].skipFrom)];
            const double high = std::max(logActivation[l], viaSkip), low = std::min(logActivation[l], viaSkip);
            if (std::isfinite(low)) logActivation[l] = high + 0.5 * std::log1p(std::exp(2.0 * (low - high)));
            else logActivation[l] = high;
        }
    }
    for (std::size_t l = 0; l < depth; ++l)
        logWeight[l] = logActivation[l] + 0.5 * std::log(units[l].slope) + 0.5 * std::log(units[l].inputNormSquared);
    const double weightAnchor = logWeight[depth - 1];
    for (std::size_t l = 0; l < depth; ++l) out.activationGradient.push_back(std::exp(logActivation[l]));
    if (std::isfinite(weightAnchor)) {
        for (std::size_t l = 0; l < depth; ++l) out.weightGradient.push_back(std::exp(logWeight[l] - weightAnchor));
    } else {
        // ReZero's last layer ends a block whose scale is 0: its dL/dW is exactly 0, and
        // a profile relative to 0 has no meaning.
        out.weightUnavailableReason = "ReZero's weight gradients (0 where blocks end)";
    }
    if (config.model == ModelKind::FeedForward && config.residual.every > 0) {
        // Measured, a ReLU stack's gradients grow faster through the skips than the
        // infinite-width line at finite width (2.1x at layer 1 after ten He blocks of width
        // 64, 1.6x at 128, 1.2x at 512, means of 48 nets), a drift the per-layer
        // account of finite_width_band.h has no term for: no band rather than a wrong one.
        out.bandUnavailableReason = "residual connections";
        return out;
    }
    if (config.model == ModelKind::Recurrent) {
        // One matrix at every step: its fluctuations do not average over steps as fresh
        // layers' do, so a sum of independent per-layer terms would understate them.
        out.bandUnavailableReason = "recurrent nets";
        return out;
    }
    FiniteWidthBands bands = finiteWidthBands(bandLayers(config, units), inputSecondMoment, out.activationGradient, out.weightGradient);
    out.activationBand = std::move(bands.activationGradient);
    out.weightBand = std::move(bands.weightGradient);
    if (out.activationBand.empty()) out.bandUnavailableReason = "layers that pass no gradient";
    return out;
}

PhaseDiagram computePhaseDiagram(const ActivationSpec& activation, int columns, int rows, double sigmaW2Max, double sigmaB2Max) {
    if (columns < 1 || rows < 1 || !(sigmaW2Max > 0.0) || !(sigmaB2Max >= 0.0))
        throw std::invalid_argument("computePhaseDiagram: need columns, rows >= 1, sigmaW2Max > 0, sigmaB2Max >= 0");
    PhaseDiagram d;
    d.columns = columns;
    d.rows = rows;
    d.sigmaW2Min = sigmaW2Max / columns;
    d.sigmaW2Max = sigmaW2Max;
    d.sigmaB2Min = 0.0;
    d.sigmaB2Max = rows > 1 ? sigmaB2Max : 0.0;
    d.chi1.resize(static_cast<size_t>(columns) * static_cast<size_t>(rows));
    const auto sigmaW2At = [&](int c) { return sigmaW2Max * (c + 1) / columns; };
    for (int r = 0; r < rows; ++r) {
        const double sigmaB2 = rows > 1 ? sigmaB2Max * r / (rows - 1) : 0.0;
        const auto chi1At = [&](double sw2) { return predictMeanField(activation, sw2, sigmaB2).chi1; };
        // chi_1 -> 0 as sigma_w^2 -> 0, so the scan starts below 1 at (0, 0).
        double previousW = 0.0, previousChi = 0.0;
        bool found = false;
        for (int c = 0; c < columns; ++c) {
            const double sw2 = sigmaW2At(c);
            const double chi = chi1At(sw2);
            d.chi1[static_cast<size_t>(r) * columns + c] = chi;
            if (!found && previousChi < 1.0 && chi >= 1.0) {
                // Bisection on the first crossing in this row: chi_1 is continuous in sigma_w^2.
                double lo = previousW, hi = sw2;
                for (int it = 0; it < 60 && hi - lo > 1e-12 * hi; ++it) {
                    const double mid = 0.5 * (lo + hi);
                    (chi1At(mid) < 1.0 ? lo : hi) = mid;
                }
                d.criticalLine.emplace_back(0.5 * (lo + hi), sigmaB2);
                found = true;
            }
            previousW = sw2;
            previousChi = chi;
        }
    }
    return d;
}

}  // namespace gradflow::core
