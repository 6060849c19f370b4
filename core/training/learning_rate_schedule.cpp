#include "core/training/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace gradflow::core {

double scheduledLearningRate(const ScheduleSpec& schedule, double base, std::int64_t stepIndex) {
    const std::int64_t warmup = schedule.warmupSteps;
    // Ends at the full rate on the last warmup step rather than one step later: "warm up
    // over N steps" then means N updates, the first at base / N.
    if (stepIndex < warmup) return base * static_cast<double>(stepIndex + 1) / static_cast<double>(warmup);
    const std::int64_t s = stepIndex - warmup;
    switch (schedule.kind) {
    case ScheduleKind::Constant: return base;
    case ScheduleKind::StepDecay: {
        const std::int64_t drops = s / std::max<std::int64_t>(1, schedule.decayEvery);
        return base * std::pow(schedule.decayFactor, static_cast<double>(drops));
    }
    case ScheduleKind::Cosine: {
        const double period = static_cast<double>(std::max(1, schedule.cosineSteps));
        const double progress = std::min(static_cast<double>(s), period) / period;
        const double f = schedule.finalFraction;
        return base * (f + (1.0 - f) * 0.5 * (1.0 + std::cos(std::numbers::pi * progress)));
    }
    }
    return base;
}

}  // namespace gradflow::core
