#pragma once
// The optimizers as files, the command line and the GUI name them: one entry per kind,
// with the update rule as the GUI's tooltip shows it (UTF-8). The rules themselves are in
// core/training/optimizer.h.

#include <string_view>

#include "core/config/experiment_config.h"
#include "core/config/name_registry.h"

namespace gradflow::core {

using OptimizerInfo = RuleName<OptimizerKind>;

inline constexpr OptimizerInfo kOptimizerRegistry[] = {
    {OptimizerKind::Sgd, "sgd", "SGD", "w \u2190 w \u2212 \u03b7 g"},
    {OptimizerKind::Momentum, "momentum", "Momentum", "v \u2190 \u03bc v + g;  w \u2190 w \u2212 \u03b7 v"},
    {OptimizerKind::RmsProp, "rmsprop", "RMSProp",
     "s \u2190 \u03c1 s + (1\u2212\u03c1) g\u00b2;  w \u2190 w \u2212 \u03b7 g / (\u221as + \u03b5)"},
    {OptimizerKind::Adam, "adam", "Adam", "Kingma & Ba 2015: bias-corrected moving averages of g and g\u00b2"},
};

}  // namespace gradflow::core
