#pragma once
// What one training step reports: plain values, cheap to copy across threads.
// A "depth unit" is a hidden layer of a feed-forward net (plus the output layer last) or
// a time step of a recurrent net; plots only know depth units.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace gradflow::core {

inline constexpr double kNotApplicable = std::numeric_limits<double>::quiet_NaN();

struct LayerStats {
    double weightGradNorm = kNotApplicable;      ///< ||dL/dW_l||_F
    double biasGradNorm = kNotApplicable;        ///< ||dL/db_l||_2
    double activationGradNorm = kNotApplicable;  ///< RMS over the batch of ||d loss_b / d h_l||
    double weightNorm = kNotApplicable;          ///< ||W_l||_F before the update
    double updateRatio = kNotApplicable;         ///< ||delta W_l||_F / ||W_l||_F of this update (see updateRatio())
    double activationMean = kNotApplicable;      ///< mean of h_l over units and batch
    double activationStd = kNotApplicable;
    double saturation = kNotApplicable;      ///< fraction of (unit, sample) with phi' < 0.05 max phi'
    double deadFraction = kNotApplicable;    ///< fraction of units with phi' exactly 0 for every sample (feed-forward hidden layers)
    /// Fraction of (unit, sample) that dropout zeroed in this training batch (hidden layers
    /// with dropout; evaluation drops none).
    double droppedFraction = kNotApplicable;
    double gateMean = kNotApplicable;        ///< LSTM forget / GRU update gate mean (recurrent only)
    double gateSaturation = kNotApplicable;  ///< fraction of gate values < 0.05 or > 0.95
};

/// ||delta W|| / ||W||, or kNotApplicable when W is all zeros (a constant-0 or gain-0
/// initialisation): a ratio to nothing is not a measurement, and Inf or 0/0 would read as
/// an overflow on a log axis.
inline double updateRatio(double updateNorm, double weightNorm) {
    return weightNorm > 0 ? updateNorm / weightNorm : kNotApplicable;
}

/// The one step convention (README, "Step numbers"): "step N" on screen, in captions and
/// in messages is the N-th update, and N updates done; step 0 is the initialised network.
/// StepStats::step and DivergenceInfo::step are 0-based indices, like the CSV files'
/// `step` column: the stats with index k are what update k + 1 computed, shown as step k + 1.
inline std::int64_t stepNumber(std::int64_t index) { return index + 1; }

struct StepStats {
    std::int64_t step = 0;  ///< 0-based index: the gradients update step+1 used (see stepNumber)
    double loss = kNotApplicable;
    double accuracy = kNotApplicable;  ///< classification: fraction correct on the batch
    double gradNorm = kNotApplicable;  ///< global norm before clipping
    double gradNormClipped = kNotApplicable;
    double learningRate = kNotApplicable;  ///< the rate this update used (the schedule's, see learning_rate_schedule.h)
    bool clipped = false;
    bool diverged = false;
    /// Loss and accuracy on the held-out test set (core/data/test_split.h) of the weights this
    /// update started from, every data.test_every steps (`tested`); kNotApplicable on the others.
    bool tested = false;
    double testLoss = kNotApplicable;
    double testAccuracy = kNotApplicable;
    std::vector<LayerStats> layers;  ///< depth units, input side first
};

struct DivergenceInfo {
    bool diverged = false;
    std::int64_t step = -1;  ///< 0-based index of the stats that diverged (step number step + 1)
    int layer = 0;           ///< 1-based depth unit that first went non-finite
    std::string message;     ///< "diverged at step N in layer k: ...", N the step number
};

}  // namespace gradflow::core
