#include "core/analysis/network_picture.h"

#include <algorithm>
#include <cmath>

#include "core/model/activation.h"

namespace gradflow::core {

namespace {

constexpr double kLowPercentile = 0.02;
constexpr double kHeadroomDecades = 1.0;
constexpr double kFewestDecades = 4.0;
constexpr double kMostDecades = 12.0;

/// The smallest of 1, 2 or 5 times a power of ten that is >= x (x > 0, finite).
double roundUpToNice(double x) {
    const double decade = std::pow(10.0, std::floor(std::log10(x)));
    for (double step : {1.0, 2.0, 5.0})
        if (x <= step * decade * (1.0 + 1e-12)) return step * decade;
    return 10.0 * decade;
}

double rootMeanSquare(const std::vector<double>& v) {
    if (v.empty()) return kNotApplicable;
    double sum = 0.0;
    for (double x : v) sum += x * x;
    return std::sqrt(sum / double(v.size()));
}

}  // namespace

PictureScale choosePictureScale(const std::vector<double>& magnitudes, double largestWeight) {
    PictureScale scale;
    std::vector<double> logs;
    logs.reserve(magnitudes.size());
    for (double m : magnitudes)
        if (std::isfinite(m) && m > 0) logs.push_back(std::log10(m));
    if (!logs.empty()) {
        const auto low = logs.begin() + std::ptrdiff_t(kLowPercentile * double(logs.size() - 1));
        std::nth_element(logs.begin(), low, logs.end());
        const double lowest = *low;
        const double highest = *std::max_element(logs.begin(), logs.end());
        scale.log10High = std::ceil(highest) + kHeadroomDecades;
        scale.log10Low = std::clamp(std::floor(lowest), scale.log10High - kMostDecades, scale.log10High - kFewestDecades);
    }
    if (std::isfinite(largestWeight) && largestWeight > 0) scale.weightMax = roundUpToNice(largestWeight);
    return scale;
}

NetworkPictureCollector::NetworkPictureCollector(const ExperimentConfig& config) : m_config(config) {}

void NetworkPictureCollector::describeUnits(PictureLayer& layer, const LayerValues& values, int unit) {
    // Per-sample gradients (the view scales them by the batch, see layer_values.h): the RMS
    // over samples of each one's norm is sqrt(sum of squares / batch).
    if (values.missingReason(LayerQuantity::ActivationGrad, unit).empty()) {
        values.copy(LayerQuantity::ActivationGrad, unit, m_scratch);
        const auto batch = layer.units > 0 ? m_scratch.size() / std::size_t(layer.units) : 0;
        double sum = 0.0;
        for (double g : m_scratch) sum += g * g;
        if (batch > 0) layer.activationGradNorm = std::sqrt(sum / double(batch));
    }
    const ActivationSpec* activation = values.activation(unit);
    if (activation == nullptr || !values.missingReason(LayerQuantity::Preactivation, unit).empty()) return;
    values.copy(LayerQuantity::Preactivation, unit, m_scratch);
    const auto units = std::size_t(layer.units);
    const std::size_t batch = units > 0 ? m_scratch.size() / units : 0;
    if (batch == 0 || batch * units != m_scratch.size()) return;
    // The same cut and the same "exactly zero on every sample" as LayerStats, from the
    // reference derivative in double.
    const double threshold = kSaturatedDerivativeFraction * maxDerivative(*activation);
    std::vector<double> saturated(units, 0.0);
    std::vector<std::uint8_t> dead(units, 1);
    for (std::size_t b = 0; b < batch; ++b) {
        for (std::size_t u = 0; u < units; ++u) {
            const double slope = activateDerivative(*activation, m_scratch[u + b * units]);
            if (std::abs(slope) < threshold) saturated[u] += 1.0;
            if (slope != 0.0) dead[u] = 0;
        }
    }
    double saturatedTotal = 0.0, deadTotal = 0.0;
    for (std::size_t u = 0; u < units; ++u) {
        saturatedTotal += saturated[u];
        deadTotal += dead[u];
        saturated[u] /= double(batch);
    }
    layer.saturation = saturatedTotal / double(units * batch);
    layer.deadFraction = deadTotal / double(units);
    if (layer.units <= kMaxDrawnUnits) {
        layer.unitSaturation = std::move(saturated);
        layer.unitDead = std::move(dead);
    }
}

NetworkPicturePtr NetworkPictureCollector::take(std::int64_t step, const LayerValues& values) {
    auto picture = std::make_shared<NetworkPicture>();
    picture->step = step;
    picture->unrolled = m_config.model == ModelKind::Recurrent;
    picture->inputDimension = m_config.inputDimension();
    picture->outputDimension = m_config.outputDimension();
    const int depthUnits = values.depthUnits();
    const int hidden = int(m_config.layers.size());
    picture->layers.resize(std::size_t(std::max(0, depthUnits)));
    // Residual groups run back to back from layer 2 (layer 1 projects the input to the
    // hidden width): each skip starts where the group before it ended, the first at layer 1.
    int skipOrigin = 1;
    std::vector<double> magnitudes;
    double largestWeight = 0.0;
    for (int unit = 1; unit <= depthUnits; ++unit) {
        PictureLayer& layer = picture->layers[std::size_t(unit - 1)];
        if (picture->unrolled) {
            layer.units = m_config.recurrent.hiddenSize;
        } else {
            layer.units = unit <= hidden ? m_config.layers[std::size_t(unit - 1)].width : picture->outputDimension;
            layer.inputs = unit == 1 ? picture->inputDimension : m_config.layers[std::size_t(unit - 2)].width;
        }
        layer.detailed = layer.inputs > 0 && layer.units <= kMaxDrawnUnits && layer.inputs <= kMaxDrawnUnits;
        if (values.addsSkip(unit)) {
            layer.skipFrom = skipOrigin;
            skipOrigin = unit;
        }
        describeUnits(layer, values, unit);
        const bool hasWeights = values.missingReason(LayerQuantity::Weight, unit).empty() &&
                                values.missingReason(LayerQuantity::WeightGrad, unit).empty();
        const auto size = std::size_t(layer.units) * std::size_t(layer.inputs);
        if (!hasWeights) layer.detailed = false;
        // Through the reused scratch buffer: a wide layer keeps only the RMS, and fresh
        // vectors of its size (256 x 256) cost more in page faults than the copy itself.
        for (LayerQuantity q : {LayerQuantity::Weight, LayerQuantity::WeightGrad}) {
            if (!hasWeights) break;
            values.copy(q, unit, m_scratch);
            (q == LayerQuantity::Weight ? layer.weightRms : layer.weightGradRms) = rootMeanSquare(m_scratch);
            if (m_scratch.size() != size) layer.detailed = false;
            if (layer.detailed) (q == LayerQuantity::Weight ? layer.weights : layer.weightGrads) = m_scratch;
        }
        if (!layer.detailed) {
            layer.weights.clear();
            layer.weightGrads.clear();
        }
        if (!m_scaleChosen) {
            if (layer.detailed) {
                for (double g : layer.weightGrads) magnitudes.push_back(std::abs(g));
                for (double w : layer.weights)
                    if (std::isfinite(w)) largestWeight = std::max(largestWeight, std::abs(w));
            } else {
                magnitudes.push_back(layer.weightGradRms);
                magnitudes.push_back(layer.activationGradNorm);
                if (std::isfinite(layer.weightRms)) largestWeight = std::max(largestWeight, layer.weightRms);
            }
        }
    }
    if (!m_scaleChosen) {
        m_scale = choosePictureScale(magnitudes, largestWeight);
        m_scaleChosen = true;
    }
    picture->scale = m_scale;
    return picture;
}

}  // namespace gradflow::core
