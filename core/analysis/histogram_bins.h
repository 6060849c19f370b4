#pragma once
// A histogram's bins, chosen once per run and quantity and never moved: a bin layout that
// followed the data frame by frame would make a shift look like a change of shape (a known
// way such dashboards mislead). Values that later leave the range are not dropped but
// counted at its edges, so the counts always add up to the number of values.
//
// Linear bins (values):             below | count inner bins on [lo, hi) | above | NaN
// Log10-magnitude bins (gradients): zero | underflow | count inner bins on |v| in [10^lo, 10^hi) | above | NaN
//
// "below" is v < lo (with -inf), "above" v >= hi (|v| >= 10^hi, with inf); "zero" holds
// exact zeros (log 0 is -inf: a dead ReLU's gradient is exactly 0 and deserves its own
// count), "underflow" 0 < |v| < 10^lo (denormals included); NaN is counted apart.

#include <cstdint>
#include <span>
#include <vector>

namespace gradflow::core {

struct HistogramBins {
    enum class Scale { Linear, Log10Magnitude };
    Scale scale = Scale::Linear;
    double lo = 0.0;  ///< inner range: values (linear) or log10 |v| (log)
    double hi = 1.0;
    int count = 0;  ///< inner bins; 0 = no bins chosen yet

    bool chosen() const { return count > 0; }
    bool logarithmic() const { return scale == Scale::Log10Magnitude; }
    /// Inner bins plus the edge bins listed above.
    int totalBins() const { return count + (logarithmic() ? 4 : 3); }
    /// Index of the first inner bin in a counts vector.
    int firstInner() const { return logarithmic() ? 2 : 1; }
    int aboveBin() const { return firstInner() + count; }
    int nanBin() const { return aboveBin() + 1; }
    /// Log scale only.
    int zeroBin() const { return 0; }
    int underflowBin() const { return 1; }

    /// Edge of inner bin i (0..count), in the axis coordinate: a value, or log10 |v|.
    double innerEdge(int i) const { return lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(count); }
    /// Bin `index`'s range in values (magnitudes on a log scale), as the CSV writes it:
    /// [-inf, lo) below, [10^hi, inf] above, [0, 0] for zeros, NaN for the NaN bin.
    double valueLow(int index) const;
    double valueHigh(int index) const;

    /// The bin each value falls in, added to `counts` (sized totalBins(), zeros first).
    void accumulate(std::span<const double> values, std::vector<std::int64_t>& counts) const;
    int binOf(double value) const;
};

/// About 48 linear bins of a round width covering [lo, hi] padded by half its span each
/// side (the first step is a run's narrowest moment for most quantities), widened to take
/// `mustCover` (e.g. an activation's range or saturation thresholds; lo > hi = none).
HistogramBins chooseLinearBins(double dataLo, double dataHi, double mustCoverLo = 1.0, double mustCoverHi = 0.0);
/// Whole-decade-aligned log bins from 8 decades below the smallest non-zero magnitude to
/// 4 above the largest (gradients vanish further than they explode while a run goes on),
/// 4 bins a decade, fewer when the span is very wide. Magnitudes of 0 (none seen) fall
/// back to 1e-12 .. 1.
HistogramBins chooseLogBins(double smallestNonZero, double largest);

}  // namespace gradflow::core
