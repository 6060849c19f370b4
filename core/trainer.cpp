#include "trainer.h"

#include "feed_forward_trainer.h"
#include "recurrent_trainer.h"

namespace gradflow::core {

std::unique_ptr<Trainer> Trainer::create(const ExperimentConfig& config) {
    if (config.model == ModelKind::Recurrent) return createRecurrentTrainer(config);
    return createFeedForwardTrainer(config);
}

}  // namespace gradflow::core
