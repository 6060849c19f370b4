#pragma once
// Checks an ExperimentConfig before anything is allocated. Every problem names the field
// (as written in the experiment file, e.g. "model.layers[3].width") and the allowed
// values or range, so the GUI, the command line and the file loader say the same thing.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config/experiment_config.h"

namespace gradflow::core {

struct ConfigIssue {
    std::string field;    ///< e.g. "training.learning_rate"
    std::string message;  ///< e.g. "must be a finite number in (0, 10]; got nan"
    std::string text() const { return field + ": " + message; }
};

/// Bounds that keep every configuration trainable on a 2-core, few-GiB machine.
struct ExperimentLimits {
    static constexpr int maxDepth = 2000;
    /// A saved run is replayed on open: at most this many steps (hours of replay beyond).
    static constexpr long long maxRunSteps = 100'000'000;
    static constexpr int maxWidth = 4096;
    static constexpr int maxSamples = 100000;
    static constexpr int maxClasses = 10;
    static constexpr double maxTestFraction = 0.5;
    static constexpr int maxTestEvery = 1'000'000;
    static constexpr int maxSequenceLength = 1000;
    static constexpr int maxHiddenSize = 1024;
    static constexpr double maxLearningRate = 100.0;
    static constexpr double maxGain = 100.0;
    static constexpr int maxScheduleSteps = 100'000'000;       ///< warmup, decay interval, cosine period
    static constexpr std::int64_t maxMemoryBytes = 4LL << 30;  ///< refuse above 4 GiB
};

/// Rough peak memory of building and training this config (weights, optimizer state,
/// gradients, per-layer activations for one batch, data set), in bytes.
std::int64_t estimateMemoryBytes(const ExperimentConfig& config);

/// Empty when the config can be built and trained.
std::vector<ConfigIssue> validateExperiment(const ExperimentConfig& config);

}  // namespace gradflow::core
