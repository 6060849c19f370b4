#include "core/config/experiment_validation.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/config/change_ids.h"
#include "core/config/parameter_count.h"
#include "core/data/dataset.h"
#include "core/data/fashion_mnist.h"
#include "core/data/test_split.h"
#include "core/model/activation.h"

namespace gradflow::core {
namespace {

std::string numberText(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : "?";
}

std::string gibText(double bytes) {
    char buffer[64];
    if (bytes >= 1024.0 * 1024 * 1024 * 1024)
        std::snprintf(buffer, sizeof buffer, "%.3g TiB", bytes / (1024.0 * 1024 * 1024 * 1024));
    else if (bytes >= 1024.0 * 1024 * 1024) std::snprintf(buffer, sizeof buffer, "%.3g GiB", bytes / (1024.0 * 1024 * 1024));
    else std::snprintf(buffer, sizeof buffer, "%.3g MiB", bytes / (1024.0 * 1024));
    return buffer;
}

/// Collects issues; every check names the file field and the allowed range.
class Checker {
public:
    std::vector<ConfigIssue> issues;

    void add(std::string field, std::string message) { issues.push_back({std::move(field), std::move(message)}); }

    void integer(const std::string& field, long long value, long long lo, long long hi) {
        if (value < lo || value > hi)
            add(field,
                "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]; got " + std::to_string(value));
    }

    /// A finite number in a range; open ends say so with ( and ).
    void real(const std::string& field, double value, double lo, double hi, bool loOpen = false, bool hiOpen = false) {
        const bool below = loOpen ? !(value > lo) : !(value >= lo);
        const bool above = hiOpen ? !(value < hi) : !(value <= hi);
        if (std::isfinite(value) && !below && !above) return;
        add(field, std::string("must be a finite number in ") + (loOpen ? "(" : "[") + numberText(lo) + ", " + numberText(hi) +
                       (hiOpen ? ")" : "]") + "; got " + numberText(value));
    }

    void init(const std::string& field, const InitSpec& spec) {
        real(field + ".gain", spec.gain, 0.0, ExperimentLimits::maxGain);
        real(field + ".std", spec.std, 0.0, 100.0);
        real(field + ".limit", spec.limit, 0.0, 100.0);
        real(field + ".value", spec.value, -100.0, 100.0);
    }

    void activation(const std::string& field, const ActivationSpec& spec) {
        const ActivationInfo& info = activationInfo(spec.kind);
        if (info.takesSlope) real(field + ".slope", spec.slope, 0.0, 1.0);
        else if (!std::isfinite(spec.slope)) real(field + ".slope", spec.slope, 0.0, 10.0);
        // ELU's alpha is its own field: checking the slope instead let alpha = NaN through.
        if (info.takesAlpha) real(field + ".alpha", spec.alpha, 0.0, 10.0, true);
        else if (!std::isfinite(spec.alpha)) real(field + ".alpha", spec.alpha, 0.0, 10.0, true);
    }
};

std::string kindNames(bool sequence, bool classification, bool checkClassification) {
    std::string names;
    for (const DataKindInfo& info : dataKindRegistry()) {
        if (info.sequence != sequence) continue;
        if (checkClassification && info.classification != classification) continue;
        if (!names.empty()) names += ", ";
        names += info.name;
    }
    return names;
}

void checkData(Checker& c, const ExperimentConfig& config) {
    const DataSpec& d = config.data;
    const DataKindInfo& info = dataKindInfo(d.kind);
    c.integer("data.samples", d.samples, 1,
              d.kind == DataKind::FashionMnist ? kFashionMnistTrainImages : ExperimentLimits::maxSamples);
    c.real("data.noise", d.noise, 0.0, 10.0);
    // Beyond one half the held-out set would outnumber the training set.
    c.real("data.test_fraction", d.testFraction, 0.0, ExperimentLimits::maxTestFraction);
    c.integer("data.test_every", d.testEvery, 1, ExperimentLimits::maxTestEvery);
    if (d.kind == DataKind::FashionMnist && d.imageSize != 28 && d.imageSize != 14 && d.imageSize != 7)
        c.add("data.image_size",
              "must be 28, 14 or 7 (pixels a side: 28x28 averaged in 2x2 or 4x4 blocks); got " + std::to_string(d.imageSize));
    if (info.takesClasses) c.integer("data.classes", d.classes, 2, ExperimentLimits::maxClasses);
    if (info.sequence) c.integer("data.sequence_length", d.sequenceLength, 1, ExperimentLimits::maxSequenceLength);
}

// A branch's zeroed last layer starts with y = the bias for every sample; where phi' is 0
// there (ReLU at 0), no gradient ever reaches it and the branch stays off for good.
void checkFixupBranchEnds(Checker& c, const ExperimentConfig& config) {
    const int depth = static_cast<int>(config.layers.size());
    for (int start = 2; start <= depth; start += config.residual.every) {
        const int end = std::min(start + config.residual.every - 1, depth);
        const ActivationSpec& activation = config.layers[end - 1].activation;
        if (activateDerivative(activation, config.biasInit.value) != 0.0) continue;
        c.add("model.residual.fixup",
              "zeroes layer " + std::to_string(end) + ", the last of a residual branch, whose " +
                  std::string(activationInfo(activation.kind).name) + " has slope 0 at its bias (" +
                  numberText(config.biasInit.value) +
                  "): that layer would never get a gradient. End each branch with a layer whose slope there "
                  "is not 0 (linear, leaky_relu, tanh), or set bias_init.std above 0");
        return;
    }
}

void checkLayers(Checker& c, const ExperimentConfig& config) {
    const int depth = static_cast<int>(config.layers.size());
    if (depth < 1 || depth > ExperimentLimits::maxDepth) {
        c.add("model.layers", "must hold 1 to " + std::to_string(ExperimentLimits::maxDepth) + " hidden layers in total; got " +
                                  std::to_string(depth));
    }
    const std::size_t before = c.issues.size();
    int badLayers = 0;
    for (int i = 0; i < depth; ++i) {
        const std::size_t issuesBefore = c.issues.size();
        if (badLayers >= 20) {
            Checker scratch;  // still count the rest, but keep the message list readable
            const LayerSpec& l = config.layers[i];
            scratch.integer("", l.width, 1, ExperimentLimits::maxWidth);
            scratch.activation("", l.activation);
            scratch.init("", l.init);
            if (l.batchNorm && l.layerNorm) scratch.add("", "both normalisations");
            scratch.real("", l.dropout, 0.0, 1.0, false, true);
            if (!scratch.issues.empty()) ++badLayers;
            continue;
        }
        const std::string field = "model.layers[" + std::to_string(i) + "]";
        const LayerSpec& layer = config.layers[i];
        c.integer(field + ".width", layer.width, 1, ExperimentLimits::maxWidth);
        c.activation(field, layer.activation);
        c.init(field, layer.init);
        if (layer.batchNorm && layer.layerNorm)
            c.add(field + ".layernorm", "cannot be combined with batchnorm on the same layer; choose one normalisation");
        // A rate of 1 would drop every unit and scale by 1/0.
        c.real(field + ".dropout", layer.dropout, 0.0, 1.0, false, true);
        if (c.issues.size() != issuesBefore) ++badLayers;
    }
    if (badLayers > 20) c.add("model.layers", std::to_string(badLayers - 20) + " more layers have errors");
    if (c.issues.size() != before) return;  // widths are unusable; residual checks would only repeat them

    const int every = config.residual.every;
    c.integer("model.residual.every", every, 0, ExperimentLimits::maxDepth);
    if (every == 0 && config.residual.branchScale != BranchScaleKind::None)
        c.add("model.residual.branch_scale",
              "scales residual branches, but model.residual.every is 0 (no skips); use \"none\" "
              "or set every to 1 or more");
    if (config.residual.fixup) {
        // Fixup replaces normalisation: with it, zeroed branches would be renormalised away.
        const bool normalised = std::any_of(config.layers.begin(), config.layers.end(),
                                            [](const LayerSpec& l) { return l.batchNorm || l.layerNorm; });
        if (every == 0)
            c.add("model.residual.fixup",
                  "initialises residual branches, but model.residual.every is 0 (no skips); "
                  "set every to 1 or more, or fixup to false");
        else if (normalised)
            c.add("model.residual.fixup",
                  "is for residual stacks without normalisation; turn batchnorm and layernorm "
                  "off on every layer, or fixup to false");
        else if (config.residual.branchScale != BranchScaleKind::None)
            c.add("model.residual.fixup",
                  "cannot be combined with branch_scale \"" +
                      std::string(config.residual.branchScale == BranchScaleKind::ReZero ? "rezero" : "inverse_sqrt_blocks") +
                      "\" (a zero last layer under ReZero's zero scale never learns); use "
                      "branch_scale \"none\" with fixup");
        else if (every > 0 && every <= ExperimentLimits::maxDepth && config.biasInit.std == 0.0) checkFixupBranchEnds(c, config);
    }
    if (every <= 0 || every > ExperimentLimits::maxDepth) return;
    int mismatches = 0;
    for (int first = 1; first < depth && mismatches < 5; first += every) {
        const int last = std::min(first + every, depth) - 1;  // the trailing group may be shorter
        const int inWidth = config.layers[first - 1].width;
        const int outWidth = config.layers[last].width;
        if (inWidth == outWidth) continue;
        ++mismatches;
        c.add("model.residual.every", "the skip around hidden layers " + std::to_string(first + 1) + "-" +
                                          std::to_string(last + 1) + " adds layer " + std::to_string(first) +
                                          "'s output (width " + std::to_string(inWidth) + ") to layer " +
                                          std::to_string(last + 1) + "'s output (width " + std::to_string(outWidth) +
                                          "); the widths at both ends of each group of " + std::to_string(every) +
                                          " layers (counted from hidden layer 2) must match, or use every = 0");
    }
}

void checkRecurrent(Checker& c, const ExperimentConfig& config) {
    const RecurrentSpec& r = config.recurrent;
    c.integer("model.recurrent.hidden_size", r.hiddenSize, 1, ExperimentLimits::maxHiddenSize);
    if (r.cell == CellKind::Vanilla && r.activation.kind != ActivationKind::Tanh && r.activation.kind != ActivationKind::Relu) {
        c.add("model.recurrent.activation",
              "a vanilla cell takes tanh or relu; got " + std::string(activationInfo(r.activation.kind).name));
    }
    c.activation("model.recurrent", r.activation);
    c.init("model.recurrent.input_init", r.inputInit);
    c.init("model.recurrent.recurrent_init", r.recurrentInit);
    c.real("model.recurrent.forget_bias", r.forgetBias, -100.0, 100.0);
}

void checkModel(Checker& c, const ExperimentConfig& config) {
    const DataKindInfo& info = dataKindInfo(config.data.kind);
    const bool recurrent = config.model == ModelKind::Recurrent;
    if (recurrent && !info.sequence) {
        c.add("model.kind", "a recurrent model needs a sequence task (" + kindNames(true, false, false) + "); data.kind is " +
                                std::string(info.name));
    } else if (!recurrent && info.sequence) {
        c.add("model.kind", "data.kind " + std::string(info.name) +
                                " is a sequence task; it needs \"kind\": \"recurrent\" (feedforward takes " +
                                kindNames(false, false, false) + ")");
    }
    if (recurrent) checkRecurrent(c, config);
    else checkLayers(c, config);
    if (config.lsuv && recurrent)
        c.add("model.lsuv", "rescales feed-forward layers on data; a recurrent model has none (set lsuv to false, or kind "
                            "to \"feedforward\")");
    else if (config.lsuv && config.residual.fixup)
        c.add("model.lsuv", "cannot be combined with model.residual.fixup, which sets the same weights' scale (and "
                            "zeroes layers LSUV could not rescale); choose one");
    c.real("model.bias_init.value", config.biasInit.value, -100.0, 100.0);
    c.real("model.bias_init.std", config.biasInit.std, 0.0, 100.0);
}

void checkTraining(Checker& c, const ExperimentConfig& config) {
    const TrainingSpec& t = config.training;
    const OptimizerSpec& o = t.optimizer;
    c.real("training.learning_rate", o.learningRate, 0.0, ExperimentLimits::maxLearningRate, true);
    c.real("training.momentum", o.momentum, 0.0, 1.0, false, true);
    c.real("training.rho", o.rho, 0.0, 1.0, false, true);
    c.real("training.beta1", o.beta1, 0.0, 1.0, false, true);
    c.real("training.beta2", o.beta2, 0.0, 1.0, false, true);
    c.real("training.epsilon", o.epsilon, 0.0, 1.0, true);
    c.real("training.weight_decay", o.weightDecay, 0.0, 1.0);
    c.real("training.clip.threshold", t.clip.threshold, 0.0, 1e9, true);
    const ScheduleSpec& schedule = t.schedule;
    c.integer("training.schedule.warmup_steps", schedule.warmupSteps, 0, ExperimentLimits::maxScheduleSteps);
    c.integer("training.schedule.decay_every", schedule.decayEvery, 1, ExperimentLimits::maxScheduleSteps);
    c.real("training.schedule.decay_factor", schedule.decayFactor, 0.0, 1.0, true);
    c.integer("training.schedule.cosine_steps", schedule.cosineSteps, 1, ExperimentLimits::maxScheduleSteps);
    c.real("training.schedule.final_fraction", schedule.finalFraction, 0.0, 1.0);
    const int samples = config.data.samples;
    if (samples >= 1) c.integer("training.batch_size", t.batchSize, 1, std::min(samples, ExperimentLimits::maxSamples));

    const DataKindInfo& info = dataKindInfo(config.data.kind);
    if (t.loss == LossKind::CrossEntropy && !info.classification) {
        c.add("training.loss", "cross_entropy needs a classification data set (" + kindNames(false, true, true) + ", " +
                                   kindNames(true, true, true) + "); data.kind " + std::string(info.name) +
                                   " is a regression task: use mse");
    } else if (t.loss == LossKind::MeanSquaredError && info.classification) {
        c.add("training.loss", "mse needs a regression data set (" + kindNames(false, false, true) + ", " +
                                   kindNames(true, false, true) + "); data.kind " + std::string(info.name) +
                                   " is a classification task: use cross_entropy");
    }
}

double optimizerCopies(OptimizerKind kind) {
    switch (kind) {
    case OptimizerKind::Sgd: return 0;
    case OptimizerKind::Momentum:
    case OptimizerKind::RmsProp: return 1;
    case OptimizerKind::Adam: return 2;
    }
    return 2;
}

}  // namespace

std::int64_t estimateMemoryBytes(const ExperimentConfig& config) {
    // Everything in double arithmetic: absurd sizes must give a huge number, not overflow.
    const double scalar = config.precision == Precision::Float32 ? 4.0 : 8.0;
    const double samples = std::max(config.data.samples, 0) + requestedTestSamples(config.data);
    const double batch = std::clamp(static_cast<double>(config.training.batchSize), 0.0, samples);
    const double steps = dataKindInfo(config.data.kind).sequence ? std::max(config.data.sequenceLength, 1) : 1;
    const double in = config.inputDimension();
    const double out = config.outputDimension();
    const double params = static_cast<double>(parameterCount(config));
    double activations = 0, jacobians = 0;
    constexpr double kProbes = 8;
    if (config.model == ModelKind::Recurrent) {
        const double h = std::max(config.recurrent.hiddenSize, 0);
        const double gates = config.recurrent.cell == CellKind::Lstm ? 4 : config.recurrent.cell == CellKind::Gru ? 3 : 1;
        activations = steps * batch * h * (3 * gates + 4);
        jacobians = (gates > 1 ? kProbes : 1) * steps * h * h * 8;  // explicit per-probe Jacobians for gated cells
    } else {
        double fanIn = in;
        for (const LayerSpec& layer : config.layers) {
            const double w = std::max(layer.width, 0);
            // pre-activation, output, derivative, gradient, batch-norm buffers; running mean and variance
            activations += 6 * w * batch + (layer.batchNorm ? 2 * w : 0) + (layer.layerNorm ? w * batch + batch : 0) +
                           (layer.dropout > 0 ? w * batch : 0);
            jacobians += w * fanIn * 8 + w * kProbes * 8;
            fanIn = w;
        }
        activations += 4 * out * batch;
    }
    // weights + gradients + optimizer state; the data set in double plus a working copy.
    const double bytes = params * scalar * (2 + optimizerCopies(config.training.optimizer.kind)) + activations * scalar +
                         jacobians + samples * (in * steps + out) * (8 + scalar);
    if (!(bytes < 9.0e18)) return std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(bytes);
}

std::vector<ConfigIssue> validateExperiment(const ExperimentConfig& config) {
    Checker c;
    checkData(c, config);
    checkModel(c, config);
    checkTraining(c, config);
    c.integer("lesson.suggested_steps", config.lesson.suggestedSteps, 0, 10'000'000);
    if (config.lesson.title.size() > 200) c.add("lesson.title", "must be at most 200 bytes long");
    if (config.lesson.explanation.size() > 4000) c.add("lesson.explanation", "must be at most 4000 bytes long");
    if (config.run.stepsDone < 0 || config.run.stepsDone > ExperimentLimits::maxRunSteps)
        c.add("run.steps_done", "must be an integer in [0, " + std::to_string(ExperimentLimits::maxRunSteps) + "]; got " +
                                    std::to_string(config.run.stepsDone));
    if (!config.run.comparison.empty()) {
        if (!isChangeId(config.run.comparison))
            c.add("run.compare", "must name a one-change comparison (batch-norm-on, relu-he, ...); got \"" +
                                     config.run.comparison.substr(0, 40) + "\"");
    }
    if (c.issues.empty()) {
        // Only meaningful once sizes are sane; then it is the last line of defence.
        const std::int64_t bytes = estimateMemoryBytes(config);
        if (bytes > ExperimentLimits::maxMemoryBytes) {
            c.add("model", "this configuration would need about " + gibText(static_cast<double>(bytes)) +
                               " of memory; the limit is " + gibText(static_cast<double>(ExperimentLimits::maxMemoryBytes)) +
                               " (reduce depth, width, batch size, samples or sequence length)");
        }
    }
    return c.issues;
}

}  // namespace gradflow::core
