#pragma once
// Eigen splits large matrix products into blocks sized from the CPU's cache sizes, and the
// blocks set the order in which each sum is added up. So the last bits of a product, and
// of everything downstream, depended on the machine: the same seed gave different LSTM
// spectra (128 x 128 Jacobian products) on two machines. Fixed sizes, typical of current
// x86-64 cores, make a seed's numbers the same everywhere at no measurable cost.

#include <Eigen/Core>

namespace gradflow::core {

inline constexpr std::ptrdiff_t kProductBlockingL1 = 32 * 1024;
inline constexpr std::ptrdiff_t kProductBlockingL2 = 1024 * 1024;
inline constexpr std::ptrdiff_t kProductBlockingL3 = 16 * 1024 * 1024;

/// Process-wide; call before any thread multiplies (core does it before main()).
inline void pinProductBlocking() { Eigen::setCpuCacheSizes(kProductBlockingL1, kProductBlockingL2, kProductBlockingL3); }

}  // namespace gradflow::core
