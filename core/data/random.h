#pragma once
// A small, fully specified random generator (xoshiro256** seeded by splitmix64, normals by
// Box-Muller). The standard library's distributions differ between implementations; this
// one makes "same file + same seed => same numbers" hold everywhere.

#include <cstdint>

namespace gradflow::core {

class Random {
public:
    explicit Random(std::uint64_t seed);
    std::uint64_t nextU64();
    double uniform();                      ///< [0, 1)
    double uniform(double lo, double hi);  ///< [lo, hi)
    double normal();                       ///< N(0, 1)
    int below(int n);                      ///< uniform integer in [0, n)
    /// An independent stream for a named purpose, so adding draws in one place never
    /// changes the numbers of another (data vs weights vs batches).
    Random fork(std::uint64_t stream) const;

private:
    std::uint64_t m_state[4];
    double m_spareNormal = 0.0;
    bool m_hasSpare = false;
};

}  // namespace gradflow::core
