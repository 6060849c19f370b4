#pragma once
// Which weight initialiser a layer uses, as a configuration states it. The samplers live
// in core/model/initializer.h; a config only needs the name of the choice and its knobs.

namespace gradflow::core {

enum class InitKind {
    XavierUniform,  ///< Glorot & Bengio 2010: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))
    XavierNormal,   ///< Glorot & Bengio 2010: N(0, gain^2 * 2 / (fan_in + fan_out))
    HeUniform,      ///< He et al. 2015: U(-a, a), a = gain * sqrt(6 / fan_in)
    HeNormal,       ///< He et al. 2015: N(0, gain^2 * 2 / fan_in)
    LecunNormal,    ///< LeCun et al. 1998: N(0, gain^2 / fan_in)
    Orthogonal,     ///< Saxe et al. 2014: gain * (semi-)orthogonal, from QR of a Gaussian matrix
    Normal,         ///< N(0, (gain * std)^2)
    Uniform,        ///< U(-gain * limit, gain * limit)
    Constant,       ///< every weight gain * value
    Identity,       ///< gain * I (Le et al. 2015, IRNN); square part of the identity otherwise
};

struct InitSpec {
    InitKind kind = InitKind::XavierNormal;
    double gain = 1.0;
    double std = 0.01;    ///< normal
    double limit = 0.05;  ///< uniform
    double value = 0.0;   ///< constant
    bool operator==(const InitSpec&) const = default;
};

}  // namespace gradflow::core
