#include "core/analysis/layer_distributions.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/model/activation.h"

namespace gradflow::core {

namespace {

/// Pre-activation axes reach a quarter past the outermost saturation threshold, so the
/// tails a lesson is about are on screen even while no unit is in them yet.
constexpr double kThresholdMargin = 1.25;
constexpr double kAsymptoteProbe = 60.0;
/// An activation whose value at +-60 stays within this is bounded there (sigmoid, tanh,
/// softsign, ReLU's 0): the activation axis shows that whole side.
constexpr double kBoundedActivation = 10.0;

struct Extent {
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    void take(double lower, double upper) {
        lo = std::min(lo, lower);
        hi = std::max(hi, upper);
    }
};

/// The activation whose saturation zones apply to `q` of `unit`: on pre-activations
/// always, on activations only where they are phi of the pre-activations alone.
const ActivationSpec* zoneActivation(const LayerValues& values, LayerQuantity q, int unit) {
    if (q == LayerQuantity::Preactivation) return values.activation(unit);
    if (q == LayerQuantity::Activation && !values.addsSkip(unit)) return values.activation(unit);
    return nullptr;
}

}  // namespace

const UnitHistogram* LayerDistributions::histogram(const DistributionStep* at, LayerQuantity q, int unit) const {
    if (at == nullptr || unit < 1) return nullptr;
    const auto& units = at->histograms[quantityIndex(q)];
    if (unit > static_cast<int>(units.size())) return nullptr;
    const UnitHistogram& h = units[static_cast<std::size_t>(unit - 1)];
    return h.counts.empty() ? nullptr : &h;
}

const std::string& LayerDistributions::missingReason(LayerQuantity q, int unit) const {
    static const std::string none = "no such layer";
    const auto& reasons = missing[quantityIndex(q)];
    if (unit < 1 || unit > static_cast<int>(reasons.size())) return none;
    return reasons[static_cast<std::size_t>(unit - 1)];
}

DistributionCollector::DistributionCollector(std::size_t maxHistory) : m_maxHistory(std::max<std::size_t>(2, maxHistory)) {}

DistributionCollector::DistributionCollector(const ExperimentConfig& config, std::size_t maxHistory)
    : DistributionCollector(maxHistory) {
    m_pictures.emplace(config);
}

void DistributionCollector::chooseBins(const LayerValues& values) {
    const int units = values.depthUnits();
    for (LayerQuantity q : kLayerQuantities) {
        const std::size_t qi = quantityIndex(q);
        Extent data, cover;
        double smallestNonZero = HUGE_VAL;
        for (int unit = 1; unit <= units; ++unit) {
            if (!values.missingReason(q, unit).empty()) continue;
            values.copy(q, unit, m_scratch);
            for (double v : m_scratch) {
                if (!std::isfinite(v)) continue;
                if (isGradientQuantity(q)) {
                    const double magnitude = std::abs(v);
                    data.take(magnitude, magnitude);
                    if (magnitude > 0) smallestNonZero = std::min(smallestNonZero, magnitude);
                } else {
                    data.take(v, v);
                }
            }
            const ActivationSpec* activation = zoneActivation(values, q, unit);
            if (activation == nullptr) continue;
            if (q == LayerQuantity::Preactivation) {
                for (const ValueInterval& z : saturatedPreactivations(*activation, -kAsymptoteProbe, kAsymptoteProbe)) {
                    for (double edge : {z.lo, z.hi})
                        if (std::abs(edge) < kAsymptoteProbe) cover.take(kThresholdMargin * edge, kThresholdMargin * edge);
                }
            } else {
                for (double y : {-kAsymptoteProbe, kAsymptoteProbe}) {
                    const double h = activate(*activation, y);
                    if (std::abs(h) <= kBoundedActivation) cover.take(h, h);
                }
            }
        }
        HistogramBins& bins = m_state.bins[qi];
        if (isGradientQuantity(q)) bins = chooseLogBins(smallestNonZero, data.hi);
        else bins = chooseLinearBins(data.lo, data.hi, cover.lo, cover.hi);
        auto& zones = m_state.saturationZones[qi];
        zones.assign(static_cast<std::size_t>(units), {});
        for (int unit = 1; unit <= units; ++unit) {
            const ActivationSpec* activation = zoneActivation(values, q, unit);
            if (activation == nullptr) continue;
            zones[static_cast<std::size_t>(unit - 1)] = q == LayerQuantity::Preactivation
                                                            ? saturatedPreactivations(*activation, bins.lo, bins.hi)
                                                            : saturatedActivations(*activation, bins.lo, bins.hi);
        }
    }
}

void DistributionCollector::collect(std::int64_t step, const LayerValues& values) {
    const int units = values.depthUnits();
    if (!m_state.initial) {
        m_state.depthUnits = units;
        chooseBins(values);
    }
    auto now = std::make_shared<DistributionStep>();
    auto bands = std::make_shared<BandStep>();
    now->step = bands->step = step;
    for (LayerQuantity q : kLayerQuantities) {
        const std::size_t qi = quantityIndex(q);
        const HistogramBins& bins = m_state.bins[qi];
        auto& histograms = now->histograms[qi];
        auto& reasons = m_state.missing[qi];
        histograms.assign(static_cast<std::size_t>(units), {});
        reasons.assign(static_cast<std::size_t>(units), {});
        bands->bands[qi].assign(static_cast<std::size_t>(units), {});
        for (int unit = 1; unit <= units; ++unit) {
            const auto u = static_cast<std::size_t>(unit - 1);
            if (const std::string_view why = values.missingReason(q, unit); !why.empty()) {
                reasons[u] = std::string(why);
                continue;
            }
            UnitHistogram& h = histograms[u];
            values.copy(q, unit, m_scratch);
            bins.accumulate(m_scratch, h.counts);
            h.values = static_cast<std::int64_t>(m_scratch.size());
            if (isGradientQuantity(q)) {
                for (double& v : m_scratch) v = std::abs(v);
            }
            h.band = percentileBand(m_scratch);
            bands->bands[qi][u] = h.band;
        }
    }
    if (!m_state.initial) m_state.initial = now;
    m_state.current = now;
    if (m_pictures) m_state.network = m_pictures->take(step, values);

    auto& history = m_state.history;
    if (m_collections++ % m_historyStride == 0) {
        history.push_back(std::move(bands));
        if (history.size() > m_maxHistory) {
            // Keep the first (the initialisation) and every other one after it.
            std::size_t kept = 0;
            for (std::size_t i = 0; i < history.size(); i += 2) history[kept++] = std::move(history[i]);
            history.resize(kept);
            m_historyStride *= 2;
            m_collections = 1;
        }
    }
    m_published = std::make_shared<const LayerDistributions>(m_state);
}

}  // namespace gradflow::core
