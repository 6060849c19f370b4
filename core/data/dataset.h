#pragma once
// Small synthetic data sets, generated from the seed, and Fashion-MNIST's images (read
// from the Debian package, core/data/fashion_mnist.h). Column per sample throughout.

#include <Eigen/Core>
#include <span>
#include <string_view>
#include <vector>

#include "core/config/experiment_config.h"

namespace gradflow::core {

struct Dataset {
    DataKind kind = DataKind::Spiral;
    int inputDimension = 2;
    int outputDimension = 2;  ///< classes, or 1 for regression
    bool classification = true;
    /// One matrix per time step (inputDimension x samples); a single entry for
    /// feed-forward sets.
    std::vector<Eigen::MatrixXd> inputs;
    Eigen::MatrixXd targets;  ///< outputDimension x samples: one-hot, or the regression value
    std::vector<int> labels;  ///< classification only: class index per sample
    /// Accuracy below this is chance level (for classification), reported by lessons.
    double chanceAccuracy = 0.5;
    /// Image sets: pixels a side (inputs are row-major images); 0 for the other sets.
    int imageSide = 0;
    /// Inputs are (raw - inputShift) * inputScale, raw in [0, 1] for images; the views undo
    /// it to draw the images, and a test set shares its training set's values.
    double inputShift = 0.0;
    double inputScale = 1.0;

    int samples() const { return static_cast<int>(targets.cols()); }
    int sequenceLength() const { return static_cast<int>(inputs.size()); }
};

struct DataKindInfo {
    DataKind kind;
    std::string_view name;   ///< file name, e.g. "spiral"
    std::string_view label;  ///< GUI label
    bool sequence;           ///< a recurrent task
    bool classification;
    bool takesClasses;  ///< spiral arms / blobs
};

std::span<const DataKindInfo> dataKindRegistry();
const DataKindInfo& dataKindInfo(DataKind kind);
bool dataKindFromName(std::string_view name, DataKind& out);

/// Builds the training set described by `spec` from `seed`. The spec must be valid.
/// Throws DataFileError (core/data/idx_file.h) when Fashion-MNIST's files are missing or damaged.
Dataset generateDataset(const DataSpec& spec, std::uint64_t seed);

}  // namespace gradflow::core
