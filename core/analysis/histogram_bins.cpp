#include "core/analysis/histogram_bins.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradflow::core {

namespace {

constexpr int kLinearBins = 48;
/// log10 of the smallest denormal is -323.3: an edge at 10^-324 would be 0 in a double.
constexpr double kLowestDecade = -323;
constexpr double kHighestDecade = 308;  ///< 10^309 is inf in a double
/// Keeps the span of a diverging run's first step finite.
constexpr double kLargestLinearValue = 1e300;
constexpr double kLog10Of2 = 0.30102999566398119521;

/// The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `x`: bin edges on
/// round numbers read as themselves on an axis and in a CSV.
double roundWidth(double x) {
    const double decade = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : {1.0, 2.0, 2.5, 5.0}) {
        if (m * decade >= x) return m * decade;
    }
    return 10.0 * decade;
}

/// Inner-bin edges in the values' own terms (magnitudes on a log scale), so a value is
/// binned by comparing it with the very edges the CSV writes.
std::vector<double> valueEdges(const HistogramBins& bins) {
    std::vector<double> edges(static_cast<std::size_t>(bins.count) + 1);
    for (int i = 0; i <= bins.count; ++i)
        edges[static_cast<std::size_t>(i)] = bins.logarithmic() ? std::pow(10.0, bins.innerEdge(i)) : bins.innerEdge(i);
    return edges;
}

int binWithEdges(const HistogramBins& bins, const std::vector<double>& edges, double value) {
    if (std::isnan(value)) return bins.nanBin();
    double v = value, coordinate = value;
    if (bins.logarithmic()) {
        v = std::abs(value);
        if (v == 0.0) return bins.zeroBin();
        // A guess at log10 v from the binary exponent and a straight line through the
        // mantissa (off by under 0.03 decades, denormals included), 5x cheaper than log10
        // where every gradient of every layer passes; the edges below settle the bin.
        int exponent = 0;
        const double mantissa = std::frexp(v, &exponent);
        coordinate = (exponent + 2.0 * mantissa - 2.0) * kLog10Of2;
    }
    if (v < edges.front()) return bins.logarithmic() ? bins.underflowBin() : 0;
    if (v >= edges.back()) return bins.aboveBin();
    int i = static_cast<int>(std::floor((coordinate - bins.lo) / (bins.hi - bins.lo) * bins.count));
    // The guess can miss by one bin; the comparisons with the edges settle it.
    i = std::clamp(i, 0, bins.count - 1);
    while (i > 0 && v < edges[static_cast<std::size_t>(i)]) --i;
    while (i + 1 < bins.count && v >= edges[static_cast<std::size_t>(i) + 1]) ++i;
    return bins.firstInner() + i;
}

}  // namespace

double HistogramBins::valueLow(int index) const {
    if (index == nanBin()) return std::numeric_limits<double>::quiet_NaN();
    if (index == aboveBin()) return logarithmic() ? std::pow(10.0, hi) : hi;
    if (logarithmic()) {
        if (index == zeroBin() || index == underflowBin()) return 0.0;
        return std::pow(10.0, innerEdge(index - firstInner()));
    }
    return index == 0 ? -std::numeric_limits<double>::infinity() : innerEdge(index - firstInner());
}

double HistogramBins::valueHigh(int index) const {
    if (index == nanBin()) return std::numeric_limits<double>::quiet_NaN();
    if (index == aboveBin()) return std::numeric_limits<double>::infinity();
    if (logarithmic()) {
        if (index == zeroBin()) return 0.0;
        if (index == underflowBin()) return std::pow(10.0, lo);
        return std::pow(10.0, innerEdge(index - firstInner() + 1));
    }
    return index == 0 ? lo : innerEdge(index - firstInner() + 1);
}

int HistogramBins::binOf(double value) const { return binWithEdges(*this, valueEdges(*this), value); }

void HistogramBins::accumulate(std::span<const double> values, std::vector<std::int64_t>& counts) const {
    counts.resize(static_cast<std::size_t>(totalBins()), 0);
    const std::vector<double> edges = valueEdges(*this);
    for (double v : values) ++counts[static_cast<std::size_t>(binWithEdges(*this, edges, v))];
}

HistogramBins chooseLinearBins(double dataLo, double dataHi, double mustCoverLo, double mustCoverHi) {
    if (!(dataLo <= dataHi)) {
        dataLo = -1.0;
        dataHi = 1.0;
    }
    dataLo = std::clamp(dataLo, -kLargestLinearValue, kLargestLinearValue);
    dataHi = std::clamp(dataHi, -kLargestLinearValue, kLargestLinearValue);
    double span = dataHi - dataLo;
    // A constant (weights of a constant initialiser) has no spread to scale by.
    if (!(span > 0.0)) span = dataLo == 0.0 ? 1.0 : std::abs(dataLo) * 0.5;
    double lo = dataLo - 0.5 * span, hi = dataHi + 0.5 * span;
    if (mustCoverLo <= mustCoverHi) {
        lo = std::min(lo, mustCoverLo);
        hi = std::max(hi, mustCoverHi);
    }
    const double width = roundWidth((hi - lo) / kLinearBins);
    HistogramBins bins;
    bins.scale = HistogramBins::Scale::Linear;
    bins.lo = std::floor(lo / width) * width;
    bins.count = std::max(1, static_cast<int>(std::ceil((hi - bins.lo) / width - 1e-9)));
    bins.hi = bins.lo + bins.count * width;
    return bins;
}

HistogramBins chooseLogBins(double smallestNonZero, double largest) {
    if (!(smallestNonZero > 0.0 && std::isfinite(smallestNonZero))) smallestNonZero = 1e-12;
    if (!(largest >= smallestNonZero && std::isfinite(largest))) largest = std::max(1.0, smallestNonZero);
    const double lo = std::max(kLowestDecade, std::floor(std::log10(smallestNonZero)) - 8.0);
    double hi = std::min(kHighestDecade, std::max(lo + 1.0, std::ceil(std::log10(largest)) + 4.0));
    const double decades = hi - lo;
    // A few hundred bins at most, so a bar stays wider than a pixel on a slide.
    const double width = decades <= 30 ? 0.25 : decades <= 60 ? 0.5 : decades <= 150 ? 1.0 : std::ceil(decades / 150.0);
    HistogramBins bins;
    bins.scale = HistogramBins::Scale::Log10Magnitude;
    bins.lo = lo;
    bins.count = static_cast<int>(std::ceil(decades / width));
    bins.hi = std::min(kHighestDecade, lo + bins.count * width);
    return bins;
}

}  // namespace gradflow::core
