#include "core/model/recurrent_net.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "core/data/random.h"
#include "core/model/gru_cell.h"
#include "core/model/loss.h"
#include "core/model/lstm_cell.h"
#include "core/model/rescaled_moments.h"
#include "core/model/rnn_cell.h"
#include "core/training/gradient_clipping.h"

namespace gradflow::core {

namespace {

template <typename Scalar>
std::unique_ptr<RecurrentCell<Scalar>> makeCell(const ExperimentConfig& config, Random& rng) {
    const RecurrentSpec& spec = config.recurrent;
    const int inputs = config.inputDimension();
    switch (spec.cell) {
    case CellKind::Lstm: return std::make_unique<LstmCell<Scalar>>(spec, inputs, config.biasInit, rng);
    case CellKind::Gru: return std::make_unique<GruCell<Scalar>>(spec, inputs, config.biasInit, rng);
    case CellKind::Vanilla: break;
    }
    return std::make_unique<RnnCell<Scalar>>(spec, inputs, config.biasInit, rng);
}

template <typename Derived>
void meanAndStd(const Eigen::MatrixBase<Derived>& m, double& mean, double& stddev) {
    double sum = 0.0, sumSquares = 0.0;
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i) {
            const double v = m(i, j);
            sum += v;
            sumSquares += v * v;
        }
    const auto n = static_cast<double>(m.size());
    mean = sum / n;
    stddev = std::sqrt(std::max(0.0, sumSquares / n - mean * mean));
    if (!(std::isfinite(mean) && std::isfinite(stddev))) rescaledMeanAndStd(m, mean, stddev);
}

}  // namespace

template <typename Scalar>
RecurrentNet<Scalar>::RecurrentNet(const ExperimentConfig& config, Random& rng)
    : m_cell(makeCell<Scalar>(config, rng)),
      m_gated(config.recurrent.cell != CellKind::Vanilla),
      m_activation(config.recurrent.activation),
      m_readout(config.recurrent.hiddenSize, config.outputDimension(), rng) {}

template <typename Scalar>
std::string_view RecurrentNet<Scalar>::layerValuesMissing(LayerQuantity q, int unit) const {
    if (unit < 1 || unit > m_trace.steps) return "no such time step";
    switch (q) {
    case LayerQuantity::Preactivation:
        return m_gated ? "a gated cell has one pre-activation per gate, none of them the hidden state's" : "";
    case LayerQuantity::Weight:
    case LayerQuantity::WeightGrad:
        return "one weight matrix serves every time step: there is no per-time-step weight distribution";
    case LayerQuantity::Activation:
    case LayerQuantity::ActivationGrad: break;
    }
    return {};
}

template <typename Scalar>
std::span<const Scalar> RecurrentNet<Scalar>::layerValues(LayerQuantity q, int unit) const {
    if (!layerValuesMissing(q, unit).empty()) return {};
    const auto span = [](const auto& block) {
        // A block of whole columns of a column-major matrix is contiguous.
        return std::span<const Scalar>(block.data(), static_cast<std::size_t>(block.size()));
    };
    switch (q) {
    case LayerQuantity::Preactivation: return span(m_trace.block(m_trace.gates, unit - 1));
    case LayerQuantity::Activation: return span(m_trace.block(m_trace.hidden, unit));
    case LayerQuantity::ActivationGrad: return span(m_trace.block(m_cell->hiddenGradients(), unit - 1));
    case LayerQuantity::Weight:
    case LayerQuantity::WeightGrad: break;
    }
    return {};
}

template <typename Scalar>
typename RecurrentNet<Scalar>::Matrix RecurrentNet<Scalar>::stack(const std::vector<Eigen::MatrixXd>& inputs,
                                                                  Eigen::Index columns) {
    const Eigen::Index rows = inputs.empty() ? 0 : inputs.front().rows();
    Matrix stacked(rows, columns * static_cast<Eigen::Index>(inputs.size()));
    for (std::size_t t = 0; t < inputs.size(); ++t)
        stacked.middleCols(static_cast<Eigen::Index>(t) * columns, columns) = inputs[t].leftCols(columns).cast<Scalar>();
    return stacked;
}

template <typename Scalar>
const typename RecurrentNet<Scalar>::Matrix& RecurrentNet<Scalar>::forward(const Matrix& inputs, int batch) {
    m_inputs = &inputs;
    m_cell->forward(inputs, batch, m_trace);
    m_readout.forward(m_trace.block(m_trace.hidden, m_trace.steps), m_outputs);
    return m_outputs;
}

template <typename Scalar>
double RecurrentNet<Scalar>::loss(const Matrix& targets, LossKind kind, double& accuracy) {
    return computeLoss<Scalar>(m_outputs, targets, kind, m_outputGrad, accuracy);
}

template <typename Scalar>
void RecurrentNet<Scalar>::backward() {
    m_readout.backward(m_outputGrad, m_trace.block(m_trace.hidden, m_trace.steps), &m_lastHiddenGrad);
    m_cell->backward(*m_inputs, m_trace, m_lastHiddenGrad);
}

template <typename Scalar>
typename RecurrentNet<Scalar>::Matrix RecurrentNet<Scalar>::predict(const std::vector<Eigen::MatrixXd>& inputs) const {
    const Eigen::Index n = inputs.empty() ? 0 : inputs.front().cols();
    if (n == 0) return Matrix(m_readout.weights().rows(), 0);
    SequenceTrace<Scalar> trace;
    m_cell->forward(stack(inputs, n), static_cast<int>(n), trace);
    return m_readout.evaluate(trace.block(trace.hidden, trace.steps));
}

template <typename Scalar>
void RecurrentNet<Scalar>::gradientStatistics(std::vector<LayerStats>& out) const {
    const int steps = m_trace.steps;
    out.assign(static_cast<std::size_t>(steps), LayerStats{});
    // The loss is a batch mean, so sample b's own gradient is B times column b: the RMS
    // over samples of ||B g_b|| equals sqrt(B) ||G||_F (as in FeedForwardNet).
    const double rootBatch = std::sqrt(static_cast<double>(m_trace.batch));
    const Matrix& w = m_cell->recurrentWeights();
    const double weightNorm = l2Norm(w.data(), w.size());
    const Matrix& grads = m_cell->hiddenGradients();
    for (int t = 1; t <= steps; ++t) {
        LayerStats& s = out[static_cast<std::size_t>(t - 1)];
        const auto g = m_trace.block(grads, t - 1);
        s.activationGradNorm = rootBatch * fastNorm(g.data(), g.size());
        s.weightGradNorm = m_cell->stepRecurrentGradNorms()[static_cast<std::size_t>(t - 1)];
        s.biasGradNorm = m_cell->stepBiasGradNorms()[static_cast<std::size_t>(t - 1)];
        s.weightNorm = weightNorm;
        meanAndStd(m_trace.block(m_trace.hidden, t), s.activationMean, s.activationStd);
    }
    m_cell->stepStatistics(m_trace, out);
}

template <typename Scalar>
int RecurrentNet<Scalar>::firstNonFiniteActivation() const {
    for (int t = 1; t <= m_trace.steps; ++t)
        if (!m_trace.block(m_trace.hidden, t).allFinite()) return t;
    return m_outputs.allFinite() ? 0 : m_trace.steps;
}

template <typename Scalar>
int RecurrentNet<Scalar>::firstNonFiniteGradient() const {
    if (!m_outputGrad.allFinite() || !m_readout.weightGrad().allFinite()) return m_trace.steps;
    const Matrix& grads = m_cell->hiddenGradients();
    for (int t = m_trace.steps; t >= 1; --t) {
        const auto index = static_cast<std::size_t>(t - 1);
        if (!m_trace.block(grads, t - 1).allFinite() || !std::isfinite(m_cell->stepRecurrentGradNorms()[index]) ||
            !std::isfinite(m_cell->stepBiasGradNorms()[index]))
            return t;
    }
    return 0;
}

template <typename Scalar>
std::vector<ParameterBlock<Scalar>> RecurrentNet<Scalar>::parameterBlocks() {
    std::vector<ParameterBlock<Scalar>> blocks = m_cell->parameterBlocks();
    m_readout.appendParameterBlocks(blocks, kEveryDepthUnit, false);
    return blocks;
}

template <typename Scalar>
JacobianChain RecurrentNet<Scalar>::jacobianChain(const std::vector<Eigen::MatrixXd>& inputs, int probes) const {
    const int steps = static_cast<int>(inputs.size());
    const int available = inputs.empty() ? 0 : static_cast<int>(inputs.front().cols());
    int used = 0, firstStep = 2;
    m_cell->chainWindow(steps, std::clamp(probes, 1, std::max(available, 1)), used, firstStep);
    used = std::min(used, available);
    if (used == 0) return JacobianChain{};
    // Only the probes' own forward pass; the training caches stay as they are.
    SequenceTrace<Scalar> trace;
    m_cell->forward(stack(inputs, used), used, trace);
    return m_cell->jacobianChain(trace, firstStep);
}

template class RecurrentNet<float>;
template class RecurrentNet<double>;

}  // namespace gradflow::core
