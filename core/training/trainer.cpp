#include "core/training/trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "core/data/random.h"
#include "core/data/test_split.h"
#include "core/model/feed_forward_net.h"
#include "core/model/loss.h"
#include "core/model/product_blocking.h"
#include "core/model/recurrent_net.h"
#include "core/training/divergence.h"
#include "core/training/gradient_clipping.h"
#include "core/training/learning_rate_schedule.h"
#include "core/training/optimizer.h"
#include "core/training/trainer_streams.h"

namespace gradflow::core {

namespace {

// Every program that trains links this file, and static initialisation runs before main()
// starts a thread, so the sizes never change under a running product.
[[maybe_unused]] const bool kProductBlockingPinned = (pinProductBlocking(), true);

/// One training loop for every network kind: batches, forward, loss, backward, statistics,
/// clipping, update, divergence detection. A net supplies the same small interface
/// (FeedForwardNet, RecurrentNet); what differs between them stays inside the net.
template <typename Net>
class NetTrainer final : public Trainer {
public:
    using Matrix = typename Net::Matrix;
    using Scalar = typename Matrix::Scalar;

    explicit NetTrainer(const ExperimentConfig& config)
        : m_config(config),
          m_data(generateDataset(config.data, dataSeed(config.seed))),
          m_test(generateTestSet(config.data, testDataSeed(config.seed), m_data)),
          m_weightRng(weightStream(config.seed)),
          m_batchRng(batchStream(config.seed)),
          m_net(config, m_weightRng),
          m_blocks(m_net.parameterBlocks()),
          m_optimizer(config.training.optimizer, blockSizes(m_blocks)),
          m_deltaNorms(m_blocks.size()),
          m_order(static_cast<std::size_t>(m_data.samples())) {
        std::iota(m_order.begin(), m_order.end(), 0);
        m_cursor = m_order.size();  // forces a shuffle before the first batch
        if constexpr (requires { m_net.scaleToUnitVariance(m_batchInputs); }) {
            if (config.lsuv) m_net.scaleToUnitVariance(unitVarianceBatch());
        }
    }

    const StepStats& step() override {
        if (m_divergence.diverged) return m_stats;
        // Before the update, so the test numbers describe the same weights as the row's
        // training numbers; evaluation only reads the net, so training is unchanged by it.
        m_stats.testLoss = m_stats.testAccuracy = kNotApplicable;
        m_stats.tested = false;
        if (m_test.samples() > 0 && m_steps % m_config.data.testEvery == 0) evaluateTest();
        nextBatch();
        m_stats.step = m_steps++;
        // A step that diverges before clipping must not show the previous step's norms.
        m_stats.gradNorm = m_stats.gradNormClipped = kNotApplicable;
        m_stats.learningRate =
            scheduledLearningRate(m_config.training.schedule, m_config.training.optimizer.learningRate, m_stats.step);
        m_stats.clipped = false;
        m_net.forward(m_batchInputs, m_config.training.batchSize);
        m_stats.loss = m_net.loss(m_batchTargets, m_config.training.loss, m_stats.accuracy);
        m_net.backward();
        m_net.gradientStatistics(m_stats.layers);
        // Before the loss check: the step that diverges is the one most worth looking at.
        if (m_inspector) m_inspector(m_stats.step, m_layerValues);
        if (!std::isfinite(m_stats.loss)) {
            return diverge(m_net.firstNonFiniteActivation(),
                           "the loss is not finite (" + std::string(Net::kActivationsName) + " overflowed)");
        }
        const ClipResult clip = clipGradients<Scalar>(m_config.training.clip, m_blocks);
        m_stats.gradNorm = clip.normBefore;
        m_stats.gradNormClipped = clip.normAfter;
        m_stats.clipped = clip.clipped;
        if (!std::isfinite(clip.normBefore))
            return diverge(m_net.firstNonFiniteGradient(), "a gradient is not finite (it overflowed)");
        m_optimizer.setLearningRate(m_stats.learningRate);
        m_optimizer.step(m_blocks, m_deltaNorms);
        // Finite gradients times a large learning rate can still overflow the update; the
        // weights are then unusable, so this step is where the run diverged. A block every
        // depth unit shares puts no unit more to blame than the last.
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            if (!std::isfinite(m_deltaNorms[i]))
                return diverge(m_blocks[i].depthUnit + 1, "a weight update is not finite (the learning rate is too large)");
        }
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            if (!m_blocks[i].isDepthUnitWeight) continue;
            if (m_blocks[i].depthUnit == kEveryDepthUnit) {
                for (LayerStats& s : m_stats.layers) s.updateRatio = updateRatio(m_deltaNorms[i], s.weightNorm);
            } else {
                LayerStats& s = m_stats.layers[static_cast<std::size_t>(m_blocks[i].depthUnit)];
                s.updateRatio = updateRatio(m_deltaNorms[i], s.weightNorm);
            }
        }
        return m_stats;
    }

    std::int64_t stepsDone() const override { return m_steps; }
    const DivergenceInfo& divergence() const override { return m_divergence; }
    const ExperimentConfig& config() const override { return m_config; }
    const Dataset& dataset() const override { return m_data; }
    const Dataset& testDataset() const override { return m_test; }
    int depthUnits() const override {
        if constexpr (Net::kUnrolledOverTime) return m_data.sequenceLength();
        else return m_net.depthUnits();
    }
    std::string depthUnitName() const override { return std::string(Net::kDepthUnitName); }

    // The base rate: the schedule scales it from the next update on.
    void setLearningRate(double learningRate) override { m_config.training.optimizer.learningRate = learningRate; }
    void setClip(const ClipSpec& clip) override { m_config.training.clip = clip; }

    Eigen::MatrixXd predict(const std::vector<Eigen::MatrixXd>& inputs) const override {
        Eigen::MatrixXd outputs = m_net.predict(inputs).template cast<double>();
        if (m_config.training.loss == LossKind::CrossEntropy) softmaxColumns(outputs);
        return outputs;
    }

    JacobianChain jacobianChain(int probes) const override {
        return m_net.jacobianChain(m_data.inputs, std::clamp(probes, 1, m_data.samples()));
    }

    std::vector<Eigen::MatrixXd> weightMatrices() const override { return m_net.weightMatrices(); }

    void setStepInspector(StepInspector inspector) override { m_inspector = std::move(inspector); }

private:
    /// The net's caches seen as LayerValues. Activation gradients are scaled by the batch
    /// size: the loss is a batch mean, so B dL/dh is each sample's own gradient, the
    /// per-sample quantity activation_grad_norm reports too, whatever the batch size.
    class NetLayerValues final : public LayerValues {
    public:
        explicit NetLayerValues(const NetTrainer& trainer) : m_trainer(trainer) {}
        int depthUnits() const override { return m_trainer.depthUnits(); }
        std::string_view missingReason(LayerQuantity q, int unit) const override {
            return m_trainer.m_net.layerValuesMissing(q, unit);
        }
        void copy(LayerQuantity q, int unit, std::vector<double>& out) const override {
            const std::span<const Scalar> values = m_trainer.m_net.layerValues(q, unit);
            const double scale = q == LayerQuantity::ActivationGrad ? static_cast<double>(m_trainer.m_net.batch()) : 1.0;
            out.resize(values.size());
            for (std::size_t i = 0; i < values.size(); ++i) out[i] = scale * static_cast<double>(values[i]);
        }
        const ActivationSpec* activation(int unit) const override { return m_trainer.m_net.layerActivation(unit); }
        bool addsSkip(int unit) const override { return m_trainer.m_net.layerAddsSkip(unit); }

    private:
        const NetTrainer& m_trainer;
    };

    static std::vector<Eigen::Index> blockSizes(const std::vector<ParameterBlock<Scalar>>& blocks) {
        std::vector<Eigen::Index> sizes;
        for (const auto& b : blocks) sizes.push_back(b.size);
        return sizes;
    }

    // Sampling without replacement, reshuffled each epoch (Fisher-Yates on our own RNG so
    // the order is the same on every platform). A feed-forward sample is a one-step
    // sequence; time step t of sample j goes to column t B + j.
    /// LSUV's batch: a batch's worth of training samples evenly spaced through the set, so
    /// it spans the classes (the generators write them in runs) and draws nothing from the
    /// batch stream, whose order training keeps whether LSUV is on or off.
    Matrix unitVarianceBatch() const {
        const Eigen::Index samples = m_data.samples();
        const Eigen::Index batch = std::min<Eigen::Index>(m_config.training.batchSize, samples);
        Matrix inputs(m_data.inputDimension, batch);
        for (Eigen::Index j = 0; j < batch; ++j)
            inputs.col(j) = m_data.inputs.front().col(j * samples / batch).template cast<Scalar>();
        return inputs;
    }

    void nextBatch() {
        const int batch = m_config.training.batchSize;
        const int steps = m_data.sequenceLength();
        if (m_cursor + static_cast<std::size_t>(batch) > m_order.size()) {
            for (std::size_t i = m_order.size() - 1; i > 0; --i)
                std::swap(m_order[i], m_order[static_cast<std::size_t>(m_batchRng.below(static_cast<int>(i + 1)))]);
            m_cursor = 0;
        }
        m_batchInputs.resize(m_data.inputDimension, Eigen::Index(steps) * batch);
        m_batchTargets.resize(m_data.outputDimension, batch);
        for (int j = 0; j < batch; ++j) {
            const int sample = m_order[m_cursor++];
            for (int t = 0; t < steps; ++t)
                m_batchInputs.col(Eigen::Index(t) * batch + j) =
                    m_data.inputs[static_cast<std::size_t>(t)].col(sample).template cast<Scalar>();
            m_batchTargets.col(j) = m_data.targets.col(sample).template cast<Scalar>();
        }
    }

    // Evaluation mode (batch norm's running statistics), in chunks so a 10,000-image test set
    // never needs more than a chunk's activations at once.
    void evaluateTest() {
        constexpr Eigen::Index kChunk = 1024;
        const Eigen::Index total = m_test.samples();
        double lossSum = 0.0, correct = 0.0;
        std::vector<Eigen::MatrixXd> inputs(m_test.inputs.size());
        Matrix targets, outputGrad;
        for (Eigen::Index first = 0; first < total; first += kChunk) {
            const Eigen::Index n = std::min(kChunk, total - first);
            for (std::size_t t = 0; t < inputs.size(); ++t) inputs[t] = m_test.inputs[t].middleCols(first, n);
            targets = m_test.targets.middleCols(first, n).template cast<Scalar>();
            double accuracy = 0.0;
            const double loss = computeLoss<Scalar>(m_net.predict(inputs), targets, m_config.training.loss, outputGrad, accuracy);
            lossSum += loss * double(n);
            correct += accuracy * double(n);
        }
        m_stats.tested = true;
        m_stats.testLoss = lossSum / double(total);
        m_stats.testAccuracy = correct / double(total);
    }

    /// `depthUnit` 1-based; outside 1..depthUnits() (nothing found, or a shared block) it is
    /// the last depth unit, the one nearest the loss.
    const StepStats& diverge(int depthUnit, const std::string& why) {
        if (depthUnit < 1 || depthUnit > depthUnits()) depthUnit = depthUnits();
        m_stats.diverged = true;
        m_divergence.diverged = true;
        m_divergence.step = m_stats.step;
        m_divergence.layer = depthUnit;
        m_divergence.message = divergenceMessage(m_stats.step, std::string(Net::kDepthUnitName), depthUnit, why);
        return m_stats;
    }

    ExperimentConfig m_config;
    Dataset m_data;
    Dataset m_test;
    Random m_weightRng;
    Random m_batchRng;
    Net m_net;
    std::vector<ParameterBlock<Scalar>> m_blocks;
    Optimizer<Scalar> m_optimizer;
    std::vector<double> m_deltaNorms;
    std::vector<int> m_order;
    std::size_t m_cursor = 0;
    Matrix m_batchInputs, m_batchTargets;
    StepStats m_stats;
    DivergenceInfo m_divergence;
    std::int64_t m_steps = 0;
    StepInspector m_inspector;
    NetLayerValues m_layerValues{*this};
};

template <template <typename> class Net>
std::unique_ptr<Trainer> createFor(const ExperimentConfig& config) {
    if (config.precision == Precision::Float32) return std::make_unique<NetTrainer<Net<float>>>(config);
    return std::make_unique<NetTrainer<Net<double>>>(config);
}

}  // namespace

std::unique_ptr<Trainer> Trainer::create(const ExperimentConfig& config) {
    if (config.model == ModelKind::Recurrent) return createFor<RecurrentNet>(config);
    return createFor<FeedForwardNet>(config);
}

}  // namespace gradflow::core
