#pragma once
// The one place that words a divergence, so the trainer's message, the command line's
// report, the status bar, the loss view and a figure's caption never disagree.

#include <cstdint>
#include <string>

#include "core/training/step_stats.h"

namespace gradflow::core {

/// "diverged at step N" for the 0-based stats index `stepIndex` (N is its step number).
inline std::string divergedAtStep(std::int64_t stepIndex) { return "diverged at step " + std::to_string(stepNumber(stepIndex)); }

/// "diverged at step N in <unit name> k: <why>", k 1-based; `why` may be empty.
inline std::string divergenceMessage(std::int64_t stepIndex, const std::string& depthUnitName, int depthUnit,
                                     const std::string& why) {
    std::string text = divergedAtStep(stepIndex) + " in " + depthUnitName + " " + std::to_string(depthUnit);
    if (!why.empty()) text += ": " + why;
    return text;
}

}  // namespace gradflow::core
