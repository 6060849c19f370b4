#pragma once
// Weight initialisers. Each fills a fan_out x fan_in matrix; every one is multiplied by a
// gain, the knob that moves a deep net from vanishing through critical to exploding.

#include <span>
#include <string_view>

#include "core/config/init_spec.h"

namespace gradflow::core {

class Random;

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
