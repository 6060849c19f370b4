#pragma once
// Where an activation saturates, in the terms of the saturation statistic: a unit is
// saturated (or dead) where phi'(y) < kSaturatedDerivativeFraction of max phi', so the
// shaded zones on a value histogram cover exactly the units the Layer health view counts:
// the tails of sigmoid and tanh, ReLU's negative half (whose outputs are all exactly 0).

#include <vector>

#include "core/config/activation_spec.h"

namespace gradflow::core {

struct ValueInterval {
    double lo = 0.0, hi = 0.0;  ///< closed; lo == hi is a single value (ReLU's 0)
};

/// Pre-activation intervals within [lo, hi] where the activation is saturated, ascending.
std::vector<ValueInterval> saturatedPreactivations(const ActivationSpec& activation, double lo, double hi);
/// The outputs phi(y) of those pre-activations (over every y, not just [lo, hi]), within
/// [lo, hi] of the activation axis, ascending.
std::vector<ValueInterval> saturatedActivations(const ActivationSpec& activation, double lo, double hi);

}  // namespace gradflow::core
