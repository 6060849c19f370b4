#include "core/training/training_history.h"

#include <algorithm>

namespace gradflow::core {

TrainingHistory::TrainingHistory(std::size_t maxEntries, std::size_t maxLayerStats)
    : m_maxEntries(std::max<std::size_t>(maxEntries, 16)), m_maxLayerStats(maxLayerStats) {}

std::size_t TrainingHistory::capacity(std::size_t depthUnits) const {
    const std::size_t byMemory = m_maxLayerStats / std::max<std::size_t>(depthUnits, 1);
    // Never fewer than 16 entries, or a very deep net would show no history at all.
    return std::clamp<std::size_t>(byMemory, 16, m_maxEntries);
}

bool TrainingHistory::wouldKeep(std::int64_t step) const { return step % m_stride == 0; }

void TrainingHistory::append(const StepStats& stats) {
    // A diverged step is always kept: it is the end of the story.
    if (!wouldKeep(stats.step) && !stats.diverged) return;
    if (!m_entries.empty() && stats.step <= m_entries.back().step) return;
    m_entries.push_back(stats);
    if (m_entries.size() >= capacity(stats.layers.size())) thin();
}

void TrainingHistory::thin() {
    m_stride *= 2;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < m_entries.size(); ++i) {
        const bool isLast = i + 1 == m_entries.size();
        if (m_entries[i].step % m_stride == 0 || (isLast && m_entries[i].diverged)) m_entries[kept++] = std::move(m_entries[i]);
    }
    m_entries.resize(kept);
}

void TrainingHistory::clear() {
    m_entries.clear();
    m_stride = 1;
}

}  // namespace gradflow::core
