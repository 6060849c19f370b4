#pragma once
// Trainer for feed-forward nets: batches, forward, loss, backward, statistics, clipping,
// update, divergence detection. Internal to core; front ends use Trainer::create().

#include <memory>

#include "core/training/trainer.h"

namespace gradflow::core {

std::unique_ptr<Trainer> createFeedForwardTrainer(const ExperimentConfig& config);

}  // namespace gradflow::core
