#pragma once
// Trainers stepped together, for a comparison: each step() steps every lane that has not
// diverged, in lane order, so the lanes stand at the same step until one diverges and the
// others go on without it. The GUI's training worker and the command line's --compare
// both step their sides through this, so a comparison is the same run in either.

#include <cstddef>
#include <vector>

#include "core/training/step_stats.h"

namespace gradflow::core {

class Trainer;

class Lockstep {
public:
    /// Adds a lane after the others. Not owned: the trainer must outlive its use here.
    void addLane(Trainer& trainer);
    std::size_t lanes() const { return m_trainers.size(); }

    /// Whether lane `lane` can still step (it has not diverged).
    bool canStep(std::size_t lane) const;
    /// Whether some lane can still step.
    bool canStep() const;

    /// One step of every lane that can still step, in lane order. Per lane, the stats its
    /// step() returned, or null for a lane that did not step; valid until the next call.
    const std::vector<const StepStats*>& step();

private:
    std::vector<Trainer*> m_trainers;
    std::vector<const StepStats*> m_stepped;
};

}  // namespace gradflow::core
