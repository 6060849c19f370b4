#pragma once
// The statistic a lesson opens its gradient views on (the experiment file's
// lesson.statistic), in the views' own terms.

#include "core/config/experiment_config.h"
#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

/// The lesson's statistic, or the views' default (the weight gradient) when it names none.
inline UnitStatistic openingStatistic(const core::LessonSpec& lesson) {
    switch (lesson.statistic.value_or(core::UnitStatisticKind::WeightGradient)) {
    case core::UnitStatisticKind::WeightGradient: return UnitStatistic::WeightGradient;
    case core::UnitStatisticKind::ActivationGradient: return UnitStatistic::ActivationGradient;
    case core::UnitStatisticKind::UpdateRatio: return UnitStatistic::UpdateRatio;
    case core::UnitStatisticKind::Saturation: return UnitStatistic::Saturation;
    }
    return UnitStatistic::WeightGradient;
}

}  // namespace gradflow::ui
