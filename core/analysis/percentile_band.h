#pragma once
// The seven order statistics TensorBoard's distribution dashboard draws as nested bands:
// min, 7%, 16%, 50%, 84%, 93%, max (for a normal distribution: the median, +-1 and +-1.5
// standard deviations, and the extremes). Exact, from the values themselves, not from a
// histogram: the q-th percentile is the linear interpolation between the two order
// statistics around rank q (n - 1) (NumPy's default), found with nth_element.

#include <array>
#include <cstdint>
#include <vector>

namespace gradflow::core {

inline constexpr std::array<double, 7> kBandPercentiles = {0.0, 7.0, 16.0, 50.0, 84.0, 93.0, 100.0};

struct PercentileBand {
    std::array<double, 7> values{};  ///< at kBandPercentiles; NaN when no value is a number
    std::int64_t numbers = 0;        ///< values that entered (NaN is left out; +-inf is not)
};

/// Reorders `values` (a scratch copy) and returns their band.
PercentileBand percentileBand(std::vector<double>& values);

}  // namespace gradflow::core
