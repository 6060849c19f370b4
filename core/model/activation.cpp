#include "core/model/activation.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "core/config/name_registry.h"

namespace gradflow::core {

namespace {

// SELU constants (Klambauer et al. 2017), chosen so the variance map has a fixed point at 1.
constexpr double kSeluLambda = 1.0507009873554804934193349852946;
constexpr double kSeluAlpha = 1.6732632423543772848170429916717;

constexpr std::array<ActivationInfo, 10> kActivationRegistry{{
    {ActivationKind::Linear, "linear", "Linear", "phi(x) = x;  phi'(x) = 1", false, false},
    {ActivationKind::Sigmoid, "sigmoid", "Sigmoid", "phi(x) = 1 / (1 + e^-x);  phi' = phi (1 - phi) <= 1/4", false, false},
    {ActivationKind::Tanh, "tanh", "Tanh", "phi(x) = tanh x;  phi' = 1 - phi^2 <= 1", false, false},
    {ActivationKind::Relu, "relu", "ReLU", "phi(x) = max(0, x);  phi' = 1 for x > 0, else 0", false, false},
    {ActivationKind::LeakyRelu, "leaky_relu", "Leaky ReLU", "phi(x) = x for x > 0, a x otherwise (a = slope)", true, false},
    {ActivationKind::Elu, "elu", "ELU", "phi(x) = x for x > 0, alpha (e^x - 1) otherwise", false, true},
    {ActivationKind::Selu, "selu", "SELU",
     "phi(x) = lambda x for x > 0, lambda alpha (e^x - 1) otherwise; lambda = 1.0507, alpha = 1.6733", false, false},
    {ActivationKind::Gelu, "gelu", "GELU", "phi(x) = x Phi(x), Phi = standard normal CDF (exact, erf form)", false, false},
    {ActivationKind::Softsign, "softsign", "Softsign", "phi(x) = x / (1 + |x|);  phi' = 1 / (1 + |x|)^2", false, false},
    {ActivationKind::Swish, "swish", "Swish / SiLU", "phi(x) = x sigmoid(x)", false, false},
}};

double sigmoid(double x) {
    // Split by sign so exp never overflows.
    if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
}

double normalCdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double normalPdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

// For smooth activations whose derivative peaks away from 0 (gelu, swish): golden-section
// search on [0, 5], where both maxima lie.
double maximiseDerivative(const ActivationSpec& spec) {
    double lo = 0.0, hi = 5.0;
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    for (int i = 0; i < 200; ++i) {
        const double a = hi - ratio * (hi - lo);
        const double b = lo + ratio * (hi - lo);
        if (activateDerivative(spec, a) < activateDerivative(spec, b)) lo = a;
        else hi = b;
    }
    return activateDerivative(spec, 0.5 * (lo + hi));
}

}  // namespace

std::span<const ActivationInfo> activationRegistry() { return kActivationRegistry; }

const ActivationInfo& activationInfo(ActivationKind kind) { return kActivationRegistry[static_cast<std::size_t>(kind)]; }

bool activationFromName(std::string_view name, ActivationKind& out) { return enumFromName(kActivationRegistry, name, out); }

double activate(const ActivationSpec& spec, double x) {
    switch (spec.kind) {
    case ActivationKind::Linear: return x;
    case ActivationKind::Sigmoid: return sigmoid(x);
    case ActivationKind::Tanh: return std::tanh(x);
    case ActivationKind::Relu: return x > 0 ? x : 0.0;
    case ActivationKind::LeakyRelu: return x > 0 ? x : spec.slope * x;
    case ActivationKind::Elu: return x > 0 ? x : spec.alpha * std::expm1(x);
    case ActivationKind::Selu: return kSeluLambda * (x > 0 ? x : kSeluAlpha * std::expm1(x));
    case ActivationKind::Gelu: return x * normalCdf(x);
    case ActivationKind::Softsign: return x / (1.0 + std::abs(x));
    case ActivationKind::Swish: return x * sigmoid(x);
    }
    return x;
}

double activateDerivative(const ActivationSpec& spec, double x) {
    switch (spec.kind) {
    case ActivationKind::Linear: return 1.0;
    case ActivationKind::Sigmoid: {
        // s(x) s(-x) written with e^-|x|: s (1 - s) rounds to 0 once s rounds to 1 (x > 37),
        // and deep saturated nets need those tiny derivatives to be right.
        const double e = std::exp(-std::abs(x));
        return e / ((1.0 + e) * (1.0 + e));
    }
    case ActivationKind::Tanh: {
        const double e = std::exp(-2.0 * std::abs(x));
        return 4.0 * e / ((1.0 + e) * (1.0 + e));
    }
    case ActivationKind::Relu: return x > 0 ? 1.0 : 0.0;
    case ActivationKind::LeakyRelu: return x > 0 ? 1.0 : spec.slope;
    case ActivationKind::Elu: return x > 0 ? 1.0 : spec.alpha * std::exp(x);
    case ActivationKind::Selu: return kSeluLambda * (x > 0 ? 1.0 : kSeluAlpha * std::exp(x));
    case ActivationKind::Gelu: return normalCdf(x) + x * normalPdf(x);
    case ActivationKind::Softsign: {
        const double d = 1.0 + std::abs(x);
        return 1.0 / (d * d);
    }
    case ActivationKind::Swish: {
        const double s = sigmoid(x);
        return s + x * s * (1.0 - s);
    }
    }
    return 1.0;
}

double maxDerivative(const ActivationSpec& spec) {
    switch (spec.kind) {
    case ActivationKind::Sigmoid: return 0.25;
    case ActivationKind::LeakyRelu: return std::max(1.0, std::abs(spec.slope));
    case ActivationKind::Elu: return std::max(1.0, spec.alpha);
    case ActivationKind::Selu: return kSeluLambda * kSeluAlpha;
    case ActivationKind::Gelu:
    case ActivationKind::Swish: {
        static const double gelu = maximiseDerivative({ActivationKind::Gelu});
        static const double swish = maximiseDerivative({ActivationKind::Swish});
        return spec.kind == ActivationKind::Gelu ? gelu : swish;
    }
    default: return 1.0;
    }
}

// The batch versions are the training hot path: Eigen's vectorised exp/tanh where they
// exist, a plain loop over the scalar reference otherwise (gelu's erf).
template <typename Scalar>
void activateArray(const ActivationSpec& spec, std::span<const Scalar> pre, std::span<Scalar> out) {
    using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const Eigen::Map<const Array> x(pre.data(), static_cast<Eigen::Index>(pre.size()));
    Eigen::Map<Array> y(out.data(), static_cast<Eigen::Index>(out.size()));
    const Scalar one(1), zero(0);
    switch (spec.kind) {
    case ActivationKind::Linear: y = x; break;
    case ActivationKind::Sigmoid:
        // exp(-x) overflows to inf for x < -709 (double), which gives exactly 0: correct.
        y = one / (one + (-x).exp());
        break;
    case ActivationKind::Tanh:
        if constexpr (std::is_same_v<Scalar, float>) y = x.tanh();
        else
            for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = std::tanh(x[i]);
        break;
    case ActivationKind::Relu: y = x.max(zero); break;
    case ActivationKind::LeakyRelu: y = (x > zero).select(x, Scalar(spec.slope) * x); break;
    case ActivationKind::Elu: y = (x > zero).select(x, Scalar(spec.alpha) * (x.min(zero).exp() - one)); break;
    case ActivationKind::Selu:
        y = Scalar(kSeluLambda) * (x > zero).select(x, Scalar(kSeluAlpha) * (x.min(zero).exp() - one));
        break;
    case ActivationKind::Softsign: y = x / (one + x.abs()); break;
    case ActivationKind::Swish: y = x / (one + (-x).exp()); break;
    case ActivationKind::Gelu:
        for (Eigen::Index i = 0; i < x.size(); ++i) y[i] = static_cast<Scalar>(activate(spec, double(x[i])));
        break;
    }
}

template <typename Scalar>
void derivativeArray(const ActivationSpec& spec, std::span<const Scalar> pre, std::span<const Scalar> out,
                     std::span<Scalar> deriv) {
    using Array = Eigen::Array<Scalar, Eigen::Dynamic, 1>;
    const auto n = static_cast<Eigen::Index>(pre.size());
    const Eigen::Map<const Array> x(pre.data(), n);
    const Eigen::Map<const Array> y(out.data(), n);
    Eigen::Map<Array> d(deriv.data(), n);
    const Scalar one(1), zero(0);
    switch (spec.kind) {
    case ActivationKind::Linear: d.setOnes(); break;
    case ActivationKind::Sigmoid: {
        const Array e = (-x.abs()).exp();  // exact even where phi rounds to 1 (see activateDerivative)
        d = e / (one + e).square();
        break;
    }
    case ActivationKind::Tanh: {
        const Array e = (Scalar(-2) * x.abs()).exp();
        d = Scalar(4) * e / (one + e).square();
        break;
    }
    case ActivationKind::Relu: d = (x > zero).select(Array::Ones(n), Array::Zero(n)); break;
    case ActivationKind::LeakyRelu: d = (x > zero).select(Array::Ones(n), Array::Constant(n, Scalar(spec.slope))); break;
    // alpha e^x directly: y + alpha would cancel catastrophically for very negative x.
    case ActivationKind::Elu: d = (x > zero).select(Array::Ones(n), Scalar(spec.alpha) * x.min(zero).exp()); break;
    case ActivationKind::Selu:
        d = (x > zero).select(Array::Constant(n, Scalar(kSeluLambda)), Scalar(kSeluLambda * kSeluAlpha) * x.min(zero).exp());
        break;
    case ActivationKind::Softsign: d = one / (one + x.abs()).square(); break;
    case ActivationKind::Swish: {
        // y = x s, so phi' = s + x s (1 - s) = s + y (1 - s).
        const Array s = one / (one + (-x).exp());
        d = s + y * (one - s);
        break;
    }
    case ActivationKind::Gelu:
        for (Eigen::Index i = 0; i < n; ++i) d[i] = static_cast<Scalar>(activateDerivative(spec, double(x[i])));
        break;
    }
}

template void activateArray<float>(const ActivationSpec&, std::span<const float>, std::span<float>);
template void activateArray<double>(const ActivationSpec&, std::span<const double>, std::span<double>);
template void derivativeArray<float>(const ActivationSpec&, std::span<const float>, std::span<const float>, std::span<float>);
template void derivativeArray<double>(const ActivationSpec&, std::span<const double>, std::span<const double>, std::span<double>);

}  // namespace gradflow::core
