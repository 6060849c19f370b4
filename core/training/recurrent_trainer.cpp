#include "core/training/recurrent_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/training/gradient_clipping.h"
#include "core/training/optimizer.h"
#include "core/data/random.h"
#include "core/model/recurrent_net.h"
#include "core/training/trainer_streams.h"

namespace gradflow::core {

namespace {

template <typename Scalar>
class RecurrentTrainer final : public Trainer {
public:
    using Net = RecurrentNet<Scalar>;
    using Matrix = typename Net::Matrix;

    explicit RecurrentTrainer(const ExperimentConfig& config)
        : m_config(config),
          m_data(generateDataset(config.data, dataSeed(config.seed))),
          m_weightRng(weightStream(config.seed)),
          m_batchRng(batchStream(config.seed)),
          m_net(config, m_weightRng),
          m_blocks(m_net.parameterBlocks()),
          m_optimizer(config.training.optimizer, blockSizes(m_blocks)),
          m_order(static_cast<std::size_t>(m_data.samples())) {
        std::iota(m_order.begin(), m_order.end(), 0);
        m_cursor = m_order.size();  // forces a shuffle before the first batch
        for (std::size_t i = 0; i < m_blocks.size(); ++i) {
            const auto& b = m_blocks[i];
            m_optimizerBlocks.push_back({b.value, b.gradient, b.size, b.isWeight});
            m_gradientBlocks.push_back({b.gradient, b.size});
            if (b.isRecurrent) m_recurrentBlock = i;
        }
        m_deltaNorms.resize(m_blocks.size());
    }

    const StepStats& step() override {
        if (m_divergence.diverged) return m_stats;
        nextBatch();
        m_stats.step = m_steps++;
        // A step that diverges before clipping must not show the previous step's norms.
        m_stats.gradNorm = m_stats.gradNormClipped = kNotApplicable;
        m_stats.clipped = false;
        m_net.forward(m_batchInputs, m_config.training.batchSize);
        m_stats.loss = m_net.loss(m_batchTargets, m_config.training.loss, m_stats.accuracy);
        m_net.backward();
        m_net.gradientStatistics(m_stats.layers);
        if (!std::isfinite(m_stats.loss)) {
            const int t = m_net.firstNonFiniteActivation();
            return diverge(t > 0 ? t : depthUnits(), "the loss is not finite (hidden states overflowed)");
        }
        const ClipResult clip = clipGradients<Scalar>(m_config.training.clip, m_gradientBlocks);
        m_stats.gradNorm = clip.normBefore;
        m_stats.gradNormClipped = clip.normAfter;
        m_stats.clipped = clip.clipped;
        if (!std::isfinite(clip.normBefore)) {
            const int t = m_net.firstNonFiniteGradient();
            return diverge(t > 0 ? t : depthUnits(), "a gradient is not finite (it overflowed)");
        }
        m_optimizer.step(m_optimizerBlocks, m_deltaNorms);
        // Finite gradients times a large learning rate can still overflow the update. The
        // weights are shared by every time step, so no step is to blame more than the last.
        for (const double norm : m_deltaNorms) {
            if (!std::isfinite(norm)) return diverge(depthUnits(), "a weight update is not finite (the learning rate is too large)");
        }
        // One W_h serves every step, so its update ratio is the same at every t.
        for (LayerStats& s : m_stats.layers) s.updateRatio = updateRatio(m_deltaNorms[m_recurrentBlock], s.weightNorm);
        return m_stats;
    }

    std::int64_t stepsDone() const override { return m_steps; }
    const DivergenceInfo& divergence() const override { return m_divergence; }
    const ExperimentConfig& config() const override { return m_config; }
    const Dataset& dataset() const override { return m_data; }
    int depthUnits() const override { return m_data.sequenceLength(); }
    std::string depthUnitName() const override { return "time step"; }

    void setLearningRate(double learningRate) override {
        m_config.training.optimizer.learningRate = learningRate;
        m_optimizer.setLearningRate(learningRate);
    }
    void setClip(const ClipSpec& clip) override { m_config.training.clip = clip; }

    Eigen::MatrixXd predict(const std::vector<Eigen::MatrixXd>& inputs) const override {
        Eigen::MatrixXd outputs = m_net.predict(inputs).template cast<double>();
        if (m_config.training.loss == LossKind::CrossEntropy) softmaxColumns(outputs);
        return outputs;
    }

    JacobianChain jacobianChain(int probes) const override {
        return m_net.jacobianChain(m_data.inputs, std::clamp(probes, 1, m_data.samples()));
    }

    std::vector<Eigen::MatrixXd> weightMatrices() const override { return m_net.cell().recurrentBlocks(); }

private:
    static std::vector<Eigen::Index> blockSizes(const std::vector<typename Net::Block>& blocks) {
        std::vector<Eigen::Index> sizes;
        for (const auto& b : blocks) sizes.push_back(b.size);
        return sizes;
    }

    // Sampling without replacement, reshuffled each epoch, exactly as the feed-forward
    // trainer does (Fisher-Yates on our own RNG: the same order on every platform).
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
                m_batchInputs.col(Eigen::Index(t) * batch + j) = m_data.inputs[static_cast<std::size_t>(t)].col(sample).template cast<Scalar>();
            m_batchTargets.col(j) = m_data.targets.col(sample).template cast<Scalar>();
        }
    }

    const StepStats& diverge(int timeStep, const std::string& why) {
        m_stats.diverged = true;
        m_divergence.diverged = true;
        m_divergence.step = m_stats.step;
        m_divergence.layer = timeStep;
        m_divergence.message = "diverged at step " + std::to_string(stepNumber(m_stats.step)) + " in time step " +
                               std::to_string(timeStep) + ": " + why;
        return m_stats;
    }

    ExperimentConfig m_config;
    Dataset m_data;
    Random m_weightRng;
    Random m_batchRng;
    Net m_net;
    std::vector<typename Net::Block> m_blocks;
    std::vector<ParameterBlock<Scalar>> m_optimizerBlocks;
    std::vector<GradientBlock<Scalar>> m_gradientBlocks;
    Optimizer<Scalar> m_optimizer;
    std::vector<double> m_deltaNorms;
    std::size_t m_recurrentBlock = 0;
    std::vector<int> m_order;
    std::size_t m_cursor = 0;
    Matrix m_batchInputs, m_batchTargets;
    StepStats m_stats;
    DivergenceInfo m_divergence;
    std::int64_t m_steps = 0;
};

}  // namespace

std::unique_ptr<Trainer> createRecurrentTrainer(const ExperimentConfig& config) {
    if (config.precision == Precision::Float32) return std::make_unique<RecurrentTrainer<float>>(config);
    return std::make_unique<RecurrentTrainer<double>>(config);
}

}  // namespace gradflow::core
