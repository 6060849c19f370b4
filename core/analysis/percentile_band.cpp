#include "core/analysis/percentile_band.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gradflow::core {

PercentileBand percentileBand(std::vector<double>& values) {
    PercentileBand band;
    const auto numbers = std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); });
    const auto n = static_cast<std::size_t>(numbers - values.begin());
    band.numbers = static_cast<std::int64_t>(n);
    if (n == 0) {
        band.values.fill(std::numeric_limits<double>::quiet_NaN());
        return band;
    }
    // Percentiles in increasing order, so each search only partitions what lies above the
    // previous rank: seven linear passes, not a sort.
    auto from = values.begin();
    for (std::size_t i = 0; i < kBandPercentiles.size(); ++i) {
        const double position = kBandPercentiles[i] / 100.0 * static_cast<double>(n - 1);
        const auto rank = static_cast<std::size_t>(std::floor(position));
        const double fraction = position - static_cast<double>(rank);
        const auto at = values.begin() + static_cast<std::ptrdiff_t>(rank);
        std::nth_element(from, at, numbers);
        from = at;
        const double low = *at;
        if (fraction == 0.0 || rank + 1 >= n) {
            band.values[i] = low;
            continue;
        }
        const double high = *std::min_element(at + 1, numbers);
        // Written so that equal neighbours (or infinities of one sign) give themselves back.
        band.values[i] = low == high ? low : low + fraction * (high - low);
    }
    return band;
}

}  // namespace gradflow::core
