#include "core/data/fashion_mnist.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/data/idx_file.h"

namespace gradflow::core {

namespace {

struct SplitFiles {
    const char* images;
    const char* labels;
};
constexpr SplitFiles kTrainFiles{"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};
constexpr SplitFiles kTestFiles{"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::string pathOf(const char* file) { return (std::filesystem::path(fashionMnistDirectory()) / file).string(); }

FashionMnistImages readSplit(const SplitFiles& files, int expectedCount) {
    const std::string imagePath = pathOf(files.images), labelPath = pathOf(files.labels);
    IdxBytes images = readIdxFile(imagePath, 3);
    const IdxBytes labels = readIdxFile(labelPath, 1);
    if (images.dims[1] != kFashionMnistSide || images.dims[2] != kFashionMnistSide) {
        throw DataFileError(imagePath + ": at byte offset 8: images are " + std::to_string(images.dims[1]) + "x" +
                            std::to_string(images.dims[2]) + " pixels; Fashion-MNIST's are 28x28");
    }
    if (images.dims[0] != std::uint32_t(expectedCount))
        throw DataFileError(imagePath + ": at byte offset 4: " + std::to_string(images.dims[0]) + " images; expected " +
                            std::to_string(expectedCount));
    if (labels.dims[0] != images.dims[0])
        throw DataFileError(labelPath + ": at byte offset 4: " + std::to_string(labels.dims[0]) + " labels for " +
                            std::to_string(images.dims[0]) + " images");
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        if (labels.values[i] > 9)
            throw DataFileError(labelPath + ": at byte offset " + std::to_string(8 + i) + ": label " +
                                std::to_string(labels.values[i]) + " is outside 0..9");
    }
    FashionMnistImages split;
    split.count = expectedCount;
    split.pixels = std::move(images.values);
    split.labels = labels.values;
    return split;
}

}  // namespace

std::string fashionMnistDirectory() {
    if (const char* dir = std::getenv("GRADFLOW_FASHION_MNIST_DIR"); dir != nullptr && *dir != '\0') return dir;
    return "/usr/share/datasets/fashion-mnist";
}

std::string fashionMnistInstallCommand() { return "sudo apt install " + std::string(kFashionMnistPackage); }

std::string fashionMnistMissing() {
    for (const SplitFiles& split : {kTrainFiles, kTestFiles}) {
        for (const char* file : {split.images, split.labels}) {
            std::error_code error;
            const std::string path = pathOf(file);
            if (!std::filesystem::is_regular_file(path, error)) {
                return "Fashion-MNIST is not installed (no " + path + "); install the Debian package " +
                       std::string(kFashionMnistPackage) + ": " + fashionMnistInstallCommand();
            }
        }
    }
    return {};
}

const std::vector<std::string>& fashionMnistClassNames() {
    static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

std::shared_ptr<const FashionMnistImages> fashionMnistImages(bool testSplit) {
    static std::mutex mutex;
    // Keyed by directory as well, so a test pointing GRADFLOW_FASHION_MNIST_DIR elsewhere
    // never sees another directory's images.
    static std::map<std::pair<std::string, bool>, std::shared_ptr<const FashionMnistImages>> cache;
    const std::lock_guard lock(mutex);
    const auto key = std::pair{fashionMnistDirectory(), testSplit};
    if (auto found = cache.find(key); found != cache.end()) return found->second;
    if (const std::string missing = fashionMnistMissing(); !missing.empty()) throw DataFileError(missing);
    auto split = std::make_shared<const FashionMnistImages>(testSplit ? readSplit(kTestFiles, kFashionMnistTestImages)
                                                                      : readSplit(kTrainFiles, kFashionMnistTrainImages));
    cache.emplace(key, split);
    return split;
}

Dataset fashionMnistDataset(const DataSpec& spec, bool testSplit, int count, const Dataset* reference) {
    const std::shared_ptr<const FashionMnistImages> images = fashionMnistImages(testSplit);
    count = std::clamp(count, 0, images->count);
    const int side = spec.imageSize;
    const int block = kFashionMnistSide / side;
    Dataset set;
    set.kind = DataKind::FashionMnist;
    set.inputDimension = side * side;
    set.outputDimension = 10;
    set.classification = true;
    set.chanceAccuracy = 0.1;
    set.imageSide = side;
    set.inputs.resize(1);  // sized in place: assign() would hold a second copy of up to 376 MB
    set.inputs[0].resize(set.inputDimension, count);
    set.targets = Eigen::MatrixXd::Zero(10, count);
    set.labels.resize(static_cast<std::size_t>(count));
    Eigen::MatrixXd& x = set.inputs[0];
    const double scale = 1.0 / (255.0 * block * block);
    constexpr int kPixels = kFashionMnistSide * kFashionMnistSide;
    for (int i = 0; i < count; ++i) {
        const std::uint8_t* image = images->pixels.data() + std::size_t(i) * kPixels;
        for (int r = 0; r < side; ++r) {
            for (int c = 0; c < side; ++c) {
                int sum = 0;
                for (int dr = 0; dr < block; ++dr)
                    for (int dc = 0; dc < block; ++dc) sum += image[(r * block + dr) * kFashionMnistSide + c * block + dc];
                x(r * side + c, i) = sum * scale;
            }
        }
        const int label = images->labels[std::size_t(i)];
        set.labels[std::size_t(i)] = label;
        set.targets(label, i) = 1.0;
    }
    if (reference != nullptr) {
        set.inputShift = reference->inputShift;
        set.inputScale = reference->inputScale;
    } else if (spec.standardize && count > 0) {
        const double mean = x.mean();
        const double variance = (x.array() - mean).square().mean();
        set.inputShift = mean;
        set.inputScale = variance > 0 ? 1.0 / std::sqrt(variance) : 1.0;
    }
    if (set.inputShift != 0.0 || set.inputScale != 1.0) x = (x.array() - set.inputShift) * set.inputScale;
    return set;
}

}  // namespace gradflow::core
