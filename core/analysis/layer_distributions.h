#pragma once
// Per depth unit, the distribution of each LayerQuantity at a step: a histogram on bins
// fixed for the whole run (one layout per quantity, shared by every unit, so layers
// compare), the TensorBoard percentile band, and a bounded history of those bands.
// Gradients are binned and banded by magnitude on log10 bins; values on linear bins. The
// collector runs where the step runs (the worker thread, the command line); what it
// publishes is immutable and shared, so a snapshot carries it for the cost of a pointer.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/histogram_bins.h"
#include "core/analysis/network_picture.h"
#include "core/analysis/percentile_band.h"
#include "core/analysis/saturation_zones.h"
#include "core/training/layer_values.h"

namespace gradflow::core {

inline constexpr std::size_t kQuantityCount = kLayerQuantities.size();
constexpr std::size_t quantityIndex(LayerQuantity q) { return static_cast<std::size_t>(q); }

/// One quantity of one depth unit at one step.
struct UnitHistogram {
    std::vector<std::int64_t> counts;  ///< per bin of the quantity's HistogramBins; empty when missing
    PercentileBand band;               ///< of the values (magnitudes for gradients)
    std::int64_t values = 0;           ///< the sum of counts
};

/// Everything collected at one step: histograms[quantity][unit - 1].
struct DistributionStep {
    std::int64_t step = -1;  ///< 0-based step index, as StepStats::step (shown as step + 1)
    std::array<std::vector<UnitHistogram>, kQuantityCount> histograms;
};

/// The bands alone, for the history: bands[quantity][unit - 1].
struct BandStep {
    std::int64_t step = -1;
    std::array<std::vector<PercentileBand>, kQuantityCount> bands;
};

struct LayerDistributions {
    int depthUnits = 0;
    std::array<HistogramBins, kQuantityCount> bins;
    /// Per quantity and unit: empty when the unit has it, else why not (layer_values.h).
    std::array<std::vector<std::string>, kQuantityCount> missing;
    /// Per quantity and unit, on the quantity's inner bin range: where the unit's activation
    /// saturates (pre-activations and activations only; none after a residual skip, at the
    /// output, or for a gated cell's hidden state, where phi alone does not make the value).
    std::array<std::vector<std::vector<ValueInterval>>, kQuantityCount> saturationZones;
    std::shared_ptr<const DistributionStep> initial;  ///< the first step collected: the network as initialised
    std::shared_ptr<const DistributionStep> current;
    std::vector<std::shared_ptr<const BandStep>> history;  ///< oldest first, bounded (see DistributionCollector)
    /// The network picture of the same step as `current`; null for a collector built
    /// without the run's config.
    NetworkPicturePtr network;

    const UnitHistogram* histogram(const DistributionStep* at, LayerQuantity q, int unit) const;
    const std::string& missingReason(LayerQuantity q, int unit) const;
};

using LayerDistributionsPtr = std::shared_ptr<const LayerDistributions>;

class DistributionCollector {
public:
    /// `maxHistory` bounds the band history: when full, every other entry goes and only
    /// every 2nd (4th, ...) later collection is kept, like TrainingHistory.
    explicit DistributionCollector(std::size_t maxHistory = 512);
    /// Also takes the network picture (network_picture.h) at every collection, shaped by
    /// `config`: both are read at the same steps, so the views they feed agree.
    explicit DistributionCollector(const ExperimentConfig& config, std::size_t maxHistory = 512);

    /// Histograms and bands of every quantity and unit in `values`. The first call fixes
    /// the bins from its values (the run's step 0).
    void collect(std::int64_t step, const LayerValues& values);
    /// What the last collect() found, or null before the first.
    LayerDistributionsPtr latest() const { return m_published; }

private:
    void chooseBins(const LayerValues& values);

    std::size_t m_maxHistory;
    std::int64_t m_historyStride = 1;
    std::int64_t m_collections = 0;
    LayerDistributions m_state;
    LayerDistributionsPtr m_published;
    std::vector<double> m_scratch;
    std::optional<NetworkPictureCollector> m_pictures;
};

}  // namespace gradflow::core
