#pragma once
// The --histograms file: one row per non-empty bin of each (step, layer, quantity), so the
// counts of a (step, layer, quantity) add up to its number of values. Bins are those of
// core/analysis/histogram_bins.h, fixed for the whole run: bin_lo and bin_hi are values
// (magnitudes for weight_grad and activation_grad), -inf / inf at the open edges, 0,0 for
// exact zeros of a gradient, nan,nan for NaN. A quantity a layer does not have (a
// recurrent net's per-time-step weights) has no rows.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/analysis/layer_distributions.h"
#include "core/io/metrics_csv.h"

namespace gradflow::core {

inline constexpr std::string_view kHistogramCsvHeader = "step,layer,quantity,bin_lo,bin_hi,count";

/// The rows of distributions.current, each ending in '\n'.
void appendHistogramRows(std::string& out, const LayerDistributions& distributions);

class HistogramCsvWriter : public CsvFileWriter {
public:
    HistogramCsvWriter() : CsvFileWriter(kHistogramCsvHeader) {}
    void append(const LayerDistributions& distributions);
};

}  // namespace gradflow::core
