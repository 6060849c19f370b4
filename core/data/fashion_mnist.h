#pragma once
// Zalando's Fashion-MNIST (60,000 training and 10,000 test images, 28x28 grey, 10 classes)
// as Debian's dataset-fashion-mnist package installs it. The files are read once per
// process and kept as bytes (55 MB); each trainer builds its own Dataset from them at the
// size (28, 14 or 7 pixels a side) and subset it asks for.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/data/dataset.h"

namespace gradflow::core {

inline constexpr std::string_view kFashionMnistPackage = "dataset-fashion-mnist";
inline constexpr int kFashionMnistTrainImages = 60000;
inline constexpr int kFashionMnistTestImages = 10000;
inline constexpr int kFashionMnistSide = 28;

/// GRADFLOW_FASHION_MNIST_DIR if set (tests, a copy elsewhere), else where the Debian
/// package installs the files.
std::string fashionMnistDirectory();

/// Empty when the four files exist; otherwise the message to show, naming the missing file
/// and the package (and the apt command) that installs it.
std::string fashionMnistMissing();

/// The command that installs the data set, for messages and the GUI's dialog.
std::string fashionMnistInstallCommand();

/// The class names in label order (0 = T-shirt/top ... 9 = ankle boot).
const std::vector<std::string>& fashionMnistClassNames();

/// One split's raw images (count x 28 x 28 bytes, row-major) and labels.
struct FashionMnistImages {
    int count = 0;
    std::vector<std::uint8_t> pixels;
    std::vector<std::uint8_t> labels;
};

/// The training or test split, read on first use and cached for the process's lifetime
/// (thread-safe). Throws DataFileError naming the file (and byte offset) when it is missing
/// or damaged; a failed read is not cached, so installing the package fixes the next try.
std::shared_ptr<const FashionMnistImages> fashionMnistImages(bool testSplit);

/// The first `count` images of a split at spec.imageSize pixels a side (2x2 or 4x4 blocks
/// averaged), scaled to [0, 1], then standardised with `reference`'s shift and scale when
/// given (the test set uses the training set's), else with their own pixel mean and
/// standard deviation when spec.standardize. Throws DataFileError.
Dataset fashionMnistDataset(const DataSpec& spec, bool testSplit, int count, const Dataset* reference = nullptr);

}  // namespace gradflow::core
