#include "core/config/experiment_config.h"

#include <cmath>

#include "core/data/dataset.h"

namespace gradflow::core {

int ExperimentConfig::residualBlocks() const {
    const int hidden = static_cast<int>(layers.size());
    // Groups start at layer 2; a trailing shorter group counts too.
    if (model != ModelKind::FeedForward || residual.every <= 0 || hidden < 2) return 0;
    return (hidden - 1 + residual.every - 1) / residual.every;
}

// The dimensions follow the task definitions in dataset.cpp: 2-D points for the
// classification sets, x for sine, (value, marker) pairs for the adding problem, one-hot
// symbols for copy-first, one-hot bits for parity and one value per pixel for images.
double ExperimentConfig::fixupScale(int layers) const {
    const int blocks = residualBlocks();
    if (layers < 2 || blocks < 1) return 1.0;
    return std::pow(static_cast<double>(blocks), -1.0 / (2.0 * layers - 2.0));
}

int ExperimentConfig::inputDimension() const {
    switch (data.kind) {
    case DataKind::Spiral:
    case DataKind::Circles:
    case DataKind::Xor:
    case DataKind::Moons:
    case DataKind::Blobs: return 2;
    case DataKind::Sine: return 1;
    case DataKind::Adding: return 2;
    case DataKind::CopyFirst: return outputDimension();
    case DataKind::Parity: return 2;
    case DataKind::FashionMnist: return data.imageSize * data.imageSize;
    }
    return 2;
}

int ExperimentConfig::outputDimension() const {
    const DataKindInfo& info = dataKindInfo(data.kind);
    if (!info.classification) return 1;
    if (data.kind == DataKind::FashionMnist) return 10;
    return info.takesClasses ? data.classes : 2;
}

bool ExperimentConfig::isClassification() const { return dataKindInfo(data.kind).classification; }

}  // namespace gradflow::core
