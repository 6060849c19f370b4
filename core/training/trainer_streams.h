#pragma once
// Independent random streams per purpose, derived from the experiment seed, shared by
// every trainer so "same file + same seed => same numbers" holds, and drawing more in
// one place (say, a wider layer) never changes another (the data set or batch order).

#include <Eigen/Core>
#include <cmath>
#include <cstdint>

#include "core/data/random.h"

namespace gradflow::core {

inline std::uint64_t dataSeed(std::uint64_t seed) { return seed ^ 0x5EEDDA7A5EEDDA7AULL; }
/// The held-out test set's draws: a seed of their own, so the training set never changes.
inline std::uint64_t testDataSeed(std::uint64_t seed) { return seed ^ 0x7E577E577E577E57ULL; }
inline Random weightStream(std::uint64_t seed) { return Random(seed).fork(1); }
inline Random batchStream(std::uint64_t seed) { return Random(seed).fork(2); }
/// Dropout masks: a stream of their own, so a net without dropout draws exactly what it drew
/// before dropout existed, and one with it keeps its weights and batches.
inline Random dropoutStream(std::uint64_t seed) { return Random(seed).fork(3); }

/// In place, per column, with the max subtracted so large logits never overflow.
inline void softmaxColumns(Eigen::MatrixXd& logits) {
    for (Eigen::Index j = 0; j < logits.cols(); ++j) {
        auto col = logits.col(j);
        col.array() = (col.array() - col.maxCoeff()).exp();
        col /= col.sum();
    }
}

}  // namespace gradflow::core
