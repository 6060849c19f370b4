#pragma once
// Weight initialisers. Each fills a fan_out x fan_in matrix; every one is multiplied by a
// gain, the knob that moves a deep net from vanishing through critical to exploding.

#include <span>
#include <string_view>

namespace gradflow::core {

class Random;

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

struct InitializerInfo {
    InitKind kind;
    std::string_view name;     ///< file/CLI name, e.g. "xavier_normal"
    std::string_view label;    ///< GUI label
    std::string_view formula;  ///< tooltip text
};

std::span<const InitializerInfo> initializerRegistry();
const InitializerInfo& initializerInfo(InitKind kind);
bool initializerFromName(std::string_view name, InitKind& out);

/// Variance of one weight implied by the spec (before any sampling), in double.
double weightVariance(const InitSpec& spec, int fanIn, int fanOut);
/// sigma_w^2 of mean-field theory: weight variance times fan-in.
inline double sigmaW2(const InitSpec& spec, int fanIn, int fanOut) { return weightVariance(spec, fanIn, fanOut) * fanIn; }

/// Fills `weights` (column-major, fanOut rows x fanIn columns) in double.
void initializeWeights(const InitSpec& spec, int fanIn, int fanOut, Random& rng, std::span<double> weights);

}  // namespace gradflow::core
