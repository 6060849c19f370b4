#pragma once
// How many trainable numbers a configuration builds, layer by layer as the model allocates
// them. The layer editor's summary and the memory estimate both read this, so the count a
// user sees is the count the engine trains.

#include <cstdint>

#include "core/config/experiment_config.h"

namespace gradflow::core {

/// One hidden layer fed by `fanIn` units: fanIn * width weights, then either a bias per
/// unit or, with batch or layer norm, a scale and a shift per unit (the shift replaces the bias).
std::int64_t layerParameterCount(const LayerSpec& layer, int fanIn);

/// One recurrent cell with G gates (vanilla 1, GRU 3, LSTM 4), hidden size H and input
/// size I: G*H*I input weights, G*H*H recurrent weights and G*H biases. No readout.
std::int64_t cellParameterCount(const RecurrentSpec& recurrent, int inputSize);

/// Every trainable number of the model `config` describes: the hidden layers and the dense
/// output layer (feed-forward) plus ReZero's one scale per residual block, or the cell and
/// its dense readout (recurrent). Running
/// batch-norm statistics are not trained and not counted. Saturates instead of
/// overflowing for sizes no valid config has.
std::int64_t parameterCount(const ExperimentConfig& config);

}  // namespace gradflow::core
