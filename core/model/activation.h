#pragma once
// Element-wise activation functions and their exact derivatives. A registry entry per
// kind carries its name (as in experiment files), its formula (for tooltips) and the
// maximum of its derivative (for the saturation statistic).

#include <span>
#include <string>
#include <string_view>

#include "core/config/activation_spec.h"

namespace gradflow::core {

struct ActivationInfo {
    ActivationKind kind;
    std::string_view name;     ///< file/CLI name, e.g. "leaky_relu"
    std::string_view label;    ///< GUI label, e.g. "Leaky ReLU"
    std::string_view formula;  ///< e.g. "phi(x) = max(a x, x)"
    bool takesSlope;           ///< leaky_relu
    bool takesAlpha;           ///< elu
};

std::span<const ActivationInfo> activationRegistry();
const ActivationInfo& activationInfo(ActivationKind kind);
/// Kind for a file name; false if unknown.
bool activationFromName(std::string_view name, ActivationKind& out);

/// phi(x) and phi'(x) for one value, in double (reference implementation, used by
/// theory, tests and the scalar paths).
double activate(const ActivationSpec& spec, double x);
double activateDerivative(const ActivationSpec& spec, double x);
/// max over x of phi'(x); saturation counts units below kSaturatedDerivativeFraction of this.
double maxDerivative(const ActivationSpec& spec);
/// A unit is saturated when phi'(x) falls below this fraction of max phi' (every cell and
/// layer uses the same cut, so their saturation statistics compare).
inline constexpr double kSaturatedDerivativeFraction = 0.05;

/// In-place vectorisable batch versions (the training hot path). `pre` are
/// pre-activations, `out` receives phi(pre), `deriv` receives phi'(pre).
template <typename Scalar>
void activateArray(const ActivationSpec& spec, std::span<const Scalar> pre, std::span<Scalar> out);
template <typename Scalar>
void derivativeArray(const ActivationSpec& spec, std::span<const Scalar> pre, std::span<const Scalar> out,
                     std::span<Scalar> deriv);

}  // namespace gradflow::core
