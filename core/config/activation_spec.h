#pragma once
// Which activation a layer uses, as a configuration states it. The functions themselves
// live in core/model/activation.h; a config only needs the name of the choice.

namespace gradflow::core {

enum class ActivationKind { Linear, Sigmoid, Tanh, Relu, LeakyRelu, Elu, Selu, Gelu, Softsign, Swish };

struct ActivationSpec {
    ActivationKind kind = ActivationKind::Tanh;
    double slope = 0.01;  ///< leaky_relu: phi(x) = slope * x for x < 0 (file key "slope")
    double alpha = 1.0;   ///< elu: phi(x) = alpha (e^x - 1) for x < 0 (file key "alpha")
    bool operator==(const ActivationSpec&) const = default;
};

}  // namespace gradflow::core
