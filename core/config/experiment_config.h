#pragma once
// The whole description of an experiment as plain values. Everything the engine builds
// (model, data, optimizer) comes from one of these; the experiment file, the GUI and the
// command line all read and write it. Layers are stored expanded (one entry per hidden
// layer); the file format's "repeat" groups are a serialisation detail.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config/activation_spec.h"
#include "core/config/init_spec.h"

namespace gradflow::core {

enum class Precision { Float64, Float32 };
enum class ModelKind { FeedForward, Recurrent };
enum class LossKind { CrossEntropy, MeanSquaredError };
enum class OptimizerKind { Sgd, Momentum, RmsProp, Adam };
enum class ClipMode { Off, Norm, Value };
enum class ScheduleKind { Constant, StepDecay, Cosine };
enum class DataKind { Spiral, Circles, Xor, Moons, Blobs, Sine, Adding, CopyFirst, Parity, FashionMnist };
enum class CellKind { Vanilla, Lstm, Gru };
enum class BranchScaleKind { None, ReZero, InverseSqrtBlocks };
/// The per-depth-unit statistics the gradient views can show (LayerStats fields; the
/// --metrics columns weight_grad_norm, activation_grad_norm, update_ratio, saturation).
enum class UnitStatisticKind { WeightGradient, ActivationGradient, UpdateRatio, Saturation };

/// One hidden layer: dense (width) -> optional batch or layer norm -> activation.
struct LayerSpec {
    int width = 64;
    ActivationSpec activation;
    InitSpec init;
    bool batchNorm = false;
    /// Layer normalisation (Ba et al. 2016): each sample's pre-activations normalised over
    /// the layer's units, then scaled and shifted per unit. Excludes batch norm.
    bool layerNorm = false;
    /// Inverted dropout (Srivastava et al. 2014) on the layer's output phi(y), before a skip
    /// adds: in training each unit of each sample is zeroed with this probability and the
    /// kept ones scaled by 1 / (1 - rate); in evaluation, predict() and probes the identity.
    /// 0 = off, below 1.
    double dropout = 0.0;
    bool operator==(const LayerSpec&) const = default;
};

struct BiasInitSpec {
    double value = 0.0;  ///< every bias starts at value + std * N(0,1)
    double std = 0.0;
    bool operator==(const BiasInitSpec&) const = default;
};

/// Identity skips around groups of `every` hidden layers, starting at layer 2 (layer 1
/// projects the input to the hidden width). 0 = no skips. A trailing shorter group gets
/// a skip too. Widths at both ends of a group must match.
struct ResidualSpec {
    int every = 0;
    /// What multiplies each block's branch F(h) before the skip adds h back: 1; a learnable
    /// scalar alpha per block starting at 0 (ReZero, Bachlechner et al. 2020; SkipInit, De &
    /// Smith 2020), so every block starts as the identity; or the fixed 1/sqrt(blocks),
    /// which keeps the sum of the blocks' variances bounded at any depth.
    BranchScaleKind branchScale = BranchScaleKind::None;
    /// Fixup initialisation (Zhang, Dauphin & Ma 2019), for unnormalised residual stacks:
    /// each branch's last layer starts at 0 and its other layers' drawn weights are scaled
    /// by B^(-1/(2m-2)), B the number of blocks and m the layers in that branch. Only the
    /// initialisation: the paper's scalar multipliers and biases are not added.
    bool fixup = false;
    bool operator==(const ResidualSpec&) const = default;
};

struct DataSpec {
    DataKind kind = DataKind::Spiral;
    int samples = 512;
    double noise = 0.1;
    int classes = 2;          ///< spiral arms / blob count; other sets fix it
    int sequenceLength = 50;  ///< recurrent tasks only
    /// Classification sets hold out this share of training + test samples: the test set has
    /// round(samples f / (1 - f)) samples drawn beside the training set (core/data/test_split.h),
    /// so the training set, and every number trained on it, is the same with or without it.
    /// 0.2 is the common 80/20 split: 128 test samples beside the default 512.
    double testFraction = 0.2;
    int testEvery = 10;       ///< test loss and accuracy are evaluated every this many steps
    int imageSize = 28;       ///< fashion_mnist: pixels a side (28, or averaged down to 14 or 7)
    bool standardize = true;  ///< fashion_mnist: pixels to zero mean, unit variance (else [0, 1])
    bool operator==(const DataSpec&) const = default;
};

struct OptimizerSpec {
    OptimizerKind kind = OptimizerKind::Sgd;
    double learningRate = 0.05;
    double momentum = 0.9;  ///< momentum optimizer
    bool nesterov = false;
    double rho = 0.9;       ///< rmsprop decay
    double beta1 = 0.9;     ///< adam
    double beta2 = 0.999;   ///< adam
    double epsilon = 1e-8;  ///< rmsprop, adam
    double weightDecay = 0.0;
    bool operator==(const OptimizerSpec&) const = default;
};

struct ClipSpec {
    ClipMode mode = ClipMode::Off;
    double threshold = 1.0;  ///< max global norm (Norm) or max |g| per element (Value)
    bool operator==(const ClipSpec&) const = default;
};

/// The learning rate over the run (core/training/learning_rate_schedule.h has the
/// formulas): optional linear warmup, then constant, step decay or cosine decay.
struct ScheduleSpec {
    ScheduleKind kind = ScheduleKind::Constant;
    int warmupSteps = 0;         ///< linear ramp to the full rate over this many updates
    int decayEvery = 1000;       ///< step decay: updates between drops
    double decayFactor = 0.1;    ///< step decay: the rate's factor at each drop
    int cosineSteps = 1000;      ///< cosine: updates from the full rate to the final one
    double finalFraction = 0.0;  ///< cosine: the final rate as a fraction of the full one
    bool operator==(const ScheduleSpec&) const = default;
};

struct TrainingSpec {
    OptimizerSpec optimizer;
    ScheduleSpec schedule;
    int batchSize = 64;
    ClipSpec clip;
    LossKind loss = LossKind::CrossEntropy;
    bool operator==(const TrainingSpec&) const = default;
};

/// Recurrent model: one cell unrolled over the sequence, then a dense readout of the last
/// hidden state. Depth units are time steps.
struct RecurrentSpec {
    CellKind cell = CellKind::Vanilla;
    int hiddenSize = 64;
    ActivationSpec activation{ActivationKind::Tanh};  ///< vanilla cell: tanh or relu
    InitSpec inputInit{InitKind::XavierUniform};
    InitSpec recurrentInit{InitKind::Orthogonal};
    double forgetBias = 1.0;  ///< LSTM forget-gate bias at initialisation
    bool operator==(const RecurrentSpec&) const = default;
};

/// Shown by the GUI's lesson panel; round-trips through the file.
struct LessonSpec {
    std::string title;
    std::string explanation;
    int suggestedSteps = 0;
    /// The statistic the gradient views open on: the one whose profile shows the lesson's
    /// point (a ReLU net's ||dL/dW|| is flat whatever its gain, its ||dL/dh|| is not).
    /// Unset: the views' own default, the weight gradient.
    std::optional<UnitStatisticKind> statistic;
    bool operator==(const LessonSpec&) const = default;
};

/// Where a saved run stood: reopening rebuilds from the config and seed and replays
/// `stepsDone` steps (training is deterministic), so the numbers come back bit for bit.
/// The GUI writes it on save and ignores it when deciding whether settings need a reset.
struct RunSpec {
    std::int64_t stepsDone = 0;
    std::string comparison;  ///< one-change id of a running comparison (core/config_change), or ""
    bool operator==(const RunSpec&) const = default;
};

struct ExperimentConfig {
    static constexpr int kFormatVersion = 1;
    std::uint64_t seed = 7;
    Precision precision = Precision::Float64;
    LessonSpec lesson;
    DataSpec data;
    ModelKind model = ModelKind::FeedForward;
    std::vector<LayerSpec> layers = std::vector<LayerSpec>(8, LayerSpec{});
    ResidualSpec residual;
    /// LSUV initialisation (Mishkin & Matas 2016), feed-forward only: after drawing, each
    /// hidden layer's weights are rescaled on a batch of the training data until its dense
    /// output has unit variance (FeedForwardNet::scaleToUnitVariance).
    bool lsuv = false;
    BiasInitSpec biasInit;
    RecurrentSpec recurrent;
    TrainingSpec training;
    RunSpec run;
    bool operator==(const ExperimentConfig&) const = default;

    int inputDimension() const;   ///< 2 for the 2-D sets, 1 for sine, per-task for sequences
    int outputDimension() const;  ///< classes, or 1 for regression
    int residualBlocks() const;   ///< groups with a skip (feed-forward); 0 without skips
    /// Fixup's factor on the drawn weights of the non-last layers of a branch of `layers`
    /// layers: B^(-1/(2 layers - 2)); 1 for a one-layer branch, which has no such layers.
    double fixupScale(int layers) const;
    bool isClassification() const;
};

}  // namespace gradflow::core
