#pragma once
// The held-out test set of a classification task. The synthetic sets draw it as extra
// samples from the same generator with a seed of its own, so adding it takes nothing out of
// the training set: the training data, the batches and every trained number stay those of
// a run without it. Fashion-MNIST's test set is its own t10k file.

#include <cstdint>

#include "core/config/experiment_config.h"
#include "core/data/dataset.h"

namespace gradflow::core {

/// round(samples f / (1 - f)) for classification tasks (at most 10,000 for Fashion-MNIST,
/// the size of its test file), 0 for regression or f = 0.
int requestedTestSamples(const DataSpec& spec);

/// The test set for `training` (built from the same spec). Synthetic draws that repeat a
/// training sample exactly (possible on the discrete sequence tasks when sequences are
/// short) are dropped, so no test sample was trained on; the set may then hold fewer than
/// requested. Empty (0 samples) for regression. Throws DataFileError like generateDataset.
Dataset generateTestSet(const DataSpec& spec, std::uint64_t testSeed, const Dataset& training);

}  // namespace gradflow::core
