#pragma once
// The learning rate as a function of the step: an optional linear warmup, then constant,
// step decay or cosine decay (the three schedules courses and frameworks name). The
// trainer asks for the rate before every update, so a schedule never keeps state and a
// replay from step 0 reproduces every rate exactly.

#include <cstdint>

#include "core/config/experiment_config.h"

namespace gradflow::core {

/// The rate update `stepIndex + 1` uses (0-based, like StepStats::step): warmup first,
///   warmup:  base * (k + 1) / warmup_steps           for k < warmup_steps,
/// then, with s = k - warmup_steps,
///   constant: base,
///   step:     base * decay_factor ^ floor(s / decay_every),
///   cosine:   base * (f + (1 - f) (1 + cos(pi min(s, T) / T)) / 2), T = cosine_steps,
///             f = final_fraction (the rate stays at f * base after T steps).
/// A constant schedule without warmup returns `base` itself, so runs without a schedule
/// keep their numbers bit for bit.
double scheduledLearningRate(const ScheduleSpec& schedule, double base, std::int64_t stepIndex);

}  // namespace gradflow::core
