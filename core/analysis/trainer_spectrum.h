#pragma once
// The end-to-end Jacobian spectrum every front end shows for a trainer: the window, a
// figure and the command line's --spectrum CSV take it over the same probe samples, so
// their numbers agree.

#include "core/analysis/jacobian_chain.h"
#include "core/analysis/jacobian_spectrum.h"
#include "core/training/trainer.h"

namespace gradflow::core {

/// Probes (the first training samples) of the end-to-end Jacobian spectrum.
inline constexpr int kSpectrumProbes = 8;

/// The Jacobian chain of the current weights over the kSpectrumProbes probes.
inline JacobianChain spectrumChain(const Trainer& trainer) { return trainer.jacobianChain(kSpectrumProbes); }

/// The end-to-end spectrum of the current weights, all at once.
inline JacobianSpectrum endToEndSpectrum(const Trainer& trainer) { return computeEndToEndSpectrum(spectrumChain(trainer)); }

}  // namespace gradflow::core
