#pragma once
// The learning-rate schedules as files, the command line and the GUI name them, with the
// rule as the GUI's tooltip shows it (UTF-8). The rule itself is computed in
// core/training/learning_rate_schedule.h.

#include <string>
#include <string_view>

#include "core/config/experiment_config.h"
#include "core/config/name_registry.h"

namespace gradflow::core {

/// The formula is the rule after the warmup.
using ScheduleInfo = RuleName<ScheduleKind>;

inline constexpr ScheduleInfo kScheduleRegistry[] = {
    {ScheduleKind::Constant, "constant", "Constant", "\u03b7\u209c = \u03b7"},
    {ScheduleKind::StepDecay, "step", "Step decay", "\u03b7\u209c = \u03b7 \u00b7 \u03b3^\u230at / N\u230b"},
    {ScheduleKind::Cosine, "cosine", "Cosine decay",
     "\u03b7\u209c = \u03b7 (f + (1 \u2212 f)(1 + cos(\u03c0 min(t, T) / T)) / 2)  (Loshchilov & Hutter 2017)"},
};

/// "constant learning rate", "warmup over 100 steps, then cosine decay over 1000 steps to 0.1x": for captions,
/// comparison labels and the status bar.
std::string describeSchedule(const ScheduleSpec& schedule);

}  // namespace gradflow::core
