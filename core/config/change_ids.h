#pragma once
// The ids of the one-change comparisons (core/config/config_change.h), in its teaching
// order. Their own header because validation checks a saved run's comparison against
// them, while the comparisons validate every configuration they produce: with the ids
// here, validation does not depend on the comparisons.

#include <algorithm>
#include <string_view>

namespace gradflow::core {

inline constexpr std::string_view kChangeIds[] = {"batch-norm-on",      "batch-norm-off",
                                                  "layer-norm-on",      "layer-norm-off",
                                                  "fixup-on",           "fixup-off",
                                                  "lsuv-on",            "lsuv-off",
                                                  "dropout-on",         "dropout-off",
                                                  "residual-on",        "residual-off",
                                                  "residual-rezero",    "residual-inverse-sqrt",
                                                  "residual-unscaled",  "relu-he",
                                                  "activation-relu",    "activation-tanh",
                                                  "activation-sigmoid", "init-he",
                                                  "init-xavier",        "init-orthogonal",
                                                  "cell-lstm",          "cell-gru",
                                                  "cell-vanilla",       "clip-on",
                                                  "clip-off",           "learning-rate-down",
                                                  "learning-rate-up",   "warmup-on",
                                                  "schedule-cosine",    "schedule-off",
                                                  "optimizer-adam",     "depth-half",
                                                  "depth-double"};

inline bool isChangeId(std::string_view id) {
    return std::find(std::begin(kChangeIds), std::end(kChangeIds), id) != std::end(kChangeIds);
}

}  // namespace gradflow::core
