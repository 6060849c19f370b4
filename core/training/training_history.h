#pragma once
// A bounded record of a whole run: when it fills, every other kept step is dropped and
// only every 2nd (then 4th, 8th ...) later step is kept, so a run of any length keeps its
// whole shape in fixed memory.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/training/step_stats.h"

namespace gradflow::core {

class TrainingHistory {
public:
    /// `maxLayerStats` bounds entries x depth units (memory); `maxEntries` bounds entries.
    explicit TrainingHistory(std::size_t maxEntries = 4096, std::size_t maxLayerStats = 1u << 19);

    /// Keeps `stats` if its step falls on the current stride; thins when full.
    void append(const StepStats& stats);
    /// True if append() would keep a step with this index (lets producers skip copies).
    bool wouldKeep(std::int64_t step) const;
    const std::vector<StepStats>& entries() const { return m_entries; }
    std::int64_t stride() const { return m_stride; }
    std::size_t capacity(std::size_t depthUnits) const;
    void clear();

private:
    void thin();
    std::vector<StepStats> m_entries;
    std::size_t m_maxEntries;
    std::size_t m_maxLayerStats;
    std::int64_t m_stride = 1;
};

}  // namespace gradflow::core
