#include "core/config/parameter_count.h"

#include <algorithm>
#include <limits>

namespace gradflow::core {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// Sizes are ints, so one product fits in 64 bits; sums of many may not.
std::int64_t saturatingAdd(std::int64_t a, std::int64_t b) { return a > kMax - b ? kMax : a + b; }
std::int64_t saturatingMul(std::int64_t a, std::int64_t b) { return a != 0 && b > kMax / a ? kMax : a * b; }

std::int64_t nonNegative(int size) { return std::max(size, 0); }

std::int64_t denseParameterCount(int fanIn, int width) { return nonNegative(fanIn) * nonNegative(width) + nonNegative(width); }

int gateCount(CellKind cell) {
    switch (cell) {
    case CellKind::Vanilla: return 1;
    case CellKind::Gru: return 3;
    case CellKind::Lstm: return 4;
    }
    return 1;
}

}  // namespace

std::int64_t layerParameterCount(const LayerSpec& layer, int fanIn) {
    const std::int64_t width = nonNegative(layer.width);
    const std::int64_t perUnit = layer.batchNorm || layer.layerNorm ? 2 : 1;
    return nonNegative(fanIn) * width + perUnit * width;
}

std::int64_t cellParameterCount(const RecurrentSpec& recurrent, int inputSize) {
    const std::int64_t gates = gateCount(recurrent.cell);
    const std::int64_t hidden = nonNegative(recurrent.hiddenSize);
    const std::int64_t input = nonNegative(inputSize);
    const std::int64_t perGate = gates * hidden;
    return saturatingAdd(saturatingAdd(saturatingMul(perGate, input), saturatingMul(perGate, hidden)), perGate);
}

std::int64_t parameterCount(const ExperimentConfig& config) {
    if (config.model == ModelKind::Recurrent) {
        return saturatingAdd(cellParameterCount(config.recurrent, config.inputDimension()),
                             denseParameterCount(config.recurrent.hiddenSize, config.outputDimension()));
    }
    std::int64_t total = 0;
    int fanIn = config.inputDimension();
    for (const LayerSpec& layer : config.layers) {
        total = saturatingAdd(total, layerParameterCount(layer, fanIn));
        fanIn = layer.width;
    }
    // ReZero: one learnable scale per residual block.
    if (config.residual.branchScale == BranchScaleKind::ReZero) total = saturatingAdd(total, config.residualBlocks());
    return saturatingAdd(total, denseParameterCount(fanIn, config.outputDimension()));
}

}  // namespace gradflow::core
