#include "core/analysis/saturation_zones.h"

#include <algorithm>
#include <cmath>

#include "core/model/activation.h"

namespace gradflow::core {

namespace {

constexpr int kSamples = 4096;
constexpr int kBisections = 60;
/// Beyond |y| = 60 every activation here is in its asymptote (sigmoid's tail is 1e-26).
constexpr double kWidestPreactivation = 60.0;

bool saturated(const ActivationSpec& activation, double threshold, double y) {
    return std::abs(activateDerivative(activation, y)) < threshold;
}

/// The point between `a` (saturated or not) and `b` (the other) where that changes.
double boundary(const ActivationSpec& activation, double threshold, double a, double b) {
    const bool atA = saturated(activation, threshold, a);
    for (int i = 0; i < kBisections; ++i) {
        const double middle = 0.5 * (a + b);
        (saturated(activation, threshold, middle) == atA ? a : b) = middle;
    }
    return 0.5 * (a + b);
}

}  // namespace

std::vector<ValueInterval> saturatedPreactivations(const ActivationSpec& activation, double lo, double hi) {
    std::vector<ValueInterval> zones;
    if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) return zones;
    const double threshold = kSaturatedDerivativeFraction * maxDerivative(activation);
    const double step = (hi - lo) / kSamples;
    bool inside = saturated(activation, threshold, lo);
    double start = lo;
    for (int i = 1; i <= kSamples; ++i) {
        const double y = i == kSamples ? hi : lo + step * i;
        const bool now = saturated(activation, threshold, y);
        if (now == inside) continue;
        const double edge = boundary(activation, threshold, y - step, y);
        if (inside) zones.push_back({start, edge});
        else start = edge;
        inside = now;
    }
    if (inside) zones.push_back({start, hi});
    return zones;
}

std::vector<ValueInterval> saturatedActivations(const ActivationSpec& activation, double lo, double hi) {
    std::vector<ValueInterval> zones;
    if (!(lo <= hi)) return zones;
    for (const ValueInterval& z : saturatedPreactivations(activation, -kWidestPreactivation, kWidestPreactivation)) {
        // phi need not be monotone (GELU, swish dip below 0): the image is the range of phi
        // over the interval, sampled.
        double outLo = HUGE_VAL, outHi = -HUGE_VAL;
        constexpr int kImageSamples = 512;
        for (int i = 0; i <= kImageSamples; ++i) {
            const double h = activate(activation, z.lo + (z.hi - z.lo) * i / kImageSamples);
            outLo = std::min(outLo, h);
            outHi = std::max(outHi, h);
        }
        // An open-ended tail reaches its asymptote: at +-60 that is the asymptote itself.
        outLo = std::max(outLo, lo);
        outHi = std::min(outHi, hi);
        if (outLo <= outHi) zones.push_back({outLo, outHi});
    }
    std::sort(zones.begin(), zones.end(), [](const ValueInterval& a, const ValueInterval& b) { return a.lo < b.lo; });
    return zones;
}

}  // namespace gradflow::core
