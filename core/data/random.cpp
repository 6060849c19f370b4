#include "core/data/random.h"

#include <cmath>
#include <numbers>

namespace gradflow::core {

namespace {

std::uint64_t splitMix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Random::Random(std::uint64_t seed) {
    std::uint64_t x = seed;
    for (auto& s : m_state) s = splitMix64(x);
}

std::uint64_t Random::nextU64() {
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
}

double Random::uniform() {
    // 53 random bits -> exactly representable doubles in [0, 1).
    return static_cast<double>(nextU64() >> 11) * 0x1.0p-53;
}

double Random::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Random::normal() {
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spareNormal;
    }
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    m_spareNormal = radius * std::sin(angle);
    m_hasSpare = true;
    return radius * std::cos(angle);
}

int Random::below(int n) {
    if (n <= 1) return 0;
    // Lemire's multiply-shift; the tiny bias is irrelevant for shuffling batches.
    const unsigned __int128 product = static_cast<unsigned __int128>(nextU64()) * static_cast<unsigned>(n);
    return static_cast<int>(product >> 64);
}

Random Random::fork(std::uint64_t stream) const {
    std::uint64_t mix = m_state[0] ^ rotl(m_state[2], 23);
    std::uint64_t x = mix ^ (stream * 0xD1B54A32D192ED03ULL);
    return Random(splitMix64(x));
}

}  // namespace gradflow::core
