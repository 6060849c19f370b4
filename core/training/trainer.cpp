#include "core/training/trainer.h"

#include "core/training/feed_forward_trainer.h"
#include "core/training/recurrent_trainer.h"

namespace gradflow::core {

std::unique_ptr<Trainer> Trainer::create(const ExperimentConfig& config) {
    if (config.model == ModelKind::Recurrent) return createRecurrentTrainer(config);
    return createFeedForwardTrainer(config);
}

}  // namespace gradflow::core
