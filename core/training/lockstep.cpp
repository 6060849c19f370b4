#include "core/training/lockstep.h"

#include "core/training/trainer.h"

namespace gradflow::core {

void Lockstep::addLane(Trainer& trainer) {
    m_trainers.push_back(&trainer);
    m_stepped.push_back(nullptr);
}

bool Lockstep::canStep(std::size_t lane) const { return !m_trainers.at(lane)->divergence().diverged; }

bool Lockstep::canStep() const {
    for (std::size_t i = 0; i < m_trainers.size(); ++i)
        if (canStep(i)) return true;
    return false;
}

const std::vector<const StepStats*>& Lockstep::step() {
    for (std::size_t i = 0; i < m_trainers.size(); ++i) m_stepped[i] = canStep(i) ? &m_trainers[i]->step() : nullptr;
    return m_stepped;
}

}  // namespace gradflow::core
