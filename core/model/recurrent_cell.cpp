#include "core/model/recurrent_cell.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "core/data/random.h"
#include "core/model/initializer.h"
#include "core/training/gradient_clipping.h"

namespace gradflow::core {

template <typename Scalar>
double fastNorm(const Scalar* data, Eigen::Index size) {
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    const double squares = Eigen::Map<const Vector>(data, size).template cast<double>().squaredNorm();
    // Within these bounds no square that matters can have underflowed (their sum would be
    // below 1e-308 * size) and nothing overflowed.
    if (squares > 1e-280 && squares < 1e300) return std::sqrt(squares);
    return l2Norm(data, size);  // includes a zero sum, which may be squares that underflowed
}

template double fastNorm<float>(const float*, Eigen::Index);
template double fastNorm<double>(const double*, Eigen::Index);

template <typename Scalar>
RecurrentCell<Scalar>::RecurrentCell(int gates, const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng)
    : m_gates(gates), m_hiddenSize(spec.hiddenSize) {
    const int h = m_hiddenSize;
    const auto draw = [&](const InitSpec& init, int fanIn, Matrix& target) {
        target.resize(Eigen::Index(gates) * h, fanIn);
        Eigen::MatrixXd block(h, fanIn);
        for (int g = 0; g < gates; ++g) {
            initializeWeights(init, fanIn, h, rng, std::span<double>(block.data(), static_cast<std::size_t>(block.size())));
            target.middleRows(Eigen::Index(g) * h, h) = block.cast<Scalar>();
        }
    };
    draw(spec.inputInit, inputSize, m_inputWeights);
    draw(spec.recurrentInit, h, m_recurrentWeights);
    m_bias.resize(Eigen::Index(gates) * h);
    for (Eigen::Index i = 0; i < m_bias.size(); ++i) m_bias[i] = static_cast<Scalar>(bias.value + bias.std * rng.normal());
    m_inputWeightGrad = Matrix::Zero(m_inputWeights.rows(), m_inputWeights.cols());
    m_recurrentWeightGrad = Matrix::Zero(m_recurrentWeights.rows(), m_recurrentWeights.cols());
    m_biasGrad = Vector::Zero(m_bias.size());
}

template <typename Scalar>
void RecurrentCell<Scalar>::forward(const Matrix& inputs, int batch, Trace& trace) const {
    trace.batch = batch;
    trace.steps = static_cast<int>(inputs.cols() / batch);
    trace.hidden.resize(m_hiddenSize, Eigen::Index(trace.steps + 1) * batch);
    trace.block(trace.hidden, 0).setZero();
    // The input side of every step in one large product instead of T small ones.
    trace.gates.noalias() = m_inputWeights * inputs;
    trace.gates.colwise() += m_bias;
    prepareTrace(trace);
    for (int t = 1; t <= trace.steps; ++t) forwardStep(t, trace);
}

template <typename Scalar>
void RecurrentCell<Scalar>::backward(const Matrix& inputs, const Trace& trace, const Matrix& lastHiddenGrad) {
    // Every step computes a_t = W_x x_t + [W_h h_{t-1}] + b (per gate), so with
    // dA_t = dL/d(W_x x_t + b) and dU_t = dL/d(W_h h_{t-1}), both G H x B:
    //   dL/dW_x = sum_t dA_t x_t^T      (G H x I)
    //   dL/db   = sum_t dA_t 1          (G H)
    //   dL/dW_h = sum_t dU_t h_{t-1}^T  (G H x H)   <- the BPTT sum; its terms are reported per step
    //   dL/dh_{t-1} = W_h^T dU_t (+ the cell's bypass paths)   (H x B)
    const int steps = trace.steps, batch = trace.batch;
    m_inputWeightGrad.setZero();
    m_recurrentWeightGrad.setZero();
    m_biasGrad.setZero();
    m_hiddenGrad.resize(m_hiddenSize, Eigen::Index(steps) * batch);
    trace.block(m_hiddenGrad, steps - 1) = lastHiddenGrad;
    m_stepWeightNorms.assign(steps, 0.0);
    m_stepBiasNorms.assign(steps, 0.0);
    beginBackward(batch);
    for (int t = steps; t >= 1; --t) {
        const auto dh = trace.block(m_hiddenGrad, t - 1);
        backwardStep(t, trace, dh);
        const Matrix& dU = recurrentDelta();
        m_inputWeightGrad.noalias() += m_delta * trace.block(inputs, t - 1).transpose();
        m_stepBiasGrad = m_delta.rowwise().sum();
        m_stepBiasNorms[t - 1] = fastNorm(m_stepBiasGrad.data(), m_stepBiasGrad.size());
        m_biasGrad += m_stepBiasGrad;
        if (t == 1) break;  // h_0 = 0: no W_h term and no earlier state to reach
        const auto hPrev = trace.block(trace.hidden, t - 1);
        m_stepWeightGrad.noalias() = dU * hPrev.transpose();
        m_stepWeightNorms[t - 1] = fastNorm(m_stepWeightGrad.data(), m_stepWeightGrad.size());
        m_recurrentWeightGrad += m_stepWeightGrad;
        auto dhPrev = trace.block(m_hiddenGrad, t - 2);
        dhPrev.noalias() = m_recurrentWeights.transpose() * dU;
        addBypassGradient(t, trace, dh, dhPrev);
    }
}

template <typename Scalar>
void RecurrentCell<Scalar>::chainWindow(int steps, int requestedProbes, int& probes, int& firstStep) const {
    const double units = std::max(steps - 1, 0);
    const double h = m_hiddenSize, s = stateSize();
    const bool explicitForm = m_gates > 1;  // gated cells: explicit matrices (see jacobianChain)
    // Explicit: S x S per unit per probe. Vanilla: a copy of W_h per unit plus H derivatives per probe.
    const auto perUnit = [&](int p) { return 8.0 * (explicitForm ? p * s * s : h * h + p * h); };
    probes = std::max(requestedProbes, 1);
    // Probes go first (one probe still shows the whole sequence), then the earliest steps.
    while (explicitForm && probes > 1 && units * perUnit(probes) > kJacobianChainBudgetBytes) --probes;
    const double fit = std::floor(kJacobianChainBudgetBytes / perUnit(probes));
    const int kept = static_cast<int>(std::clamp(fit, std::min(1.0, units), units));
    firstStep = steps - kept + 1;
}

template <typename Scalar>
JacobianChain RecurrentCell<Scalar>::jacobianChain(const Trace& trace, int firstStep) const {
    JacobianChain chain;
    chain.probes = trace.batch;
    chain.firstDepthUnit = firstStep;
    chain.explicitJacobians.resize(static_cast<std::size_t>(trace.batch));
    for (int p = 0; p < trace.batch; ++p) {
        auto& perStep = chain.explicitJacobians[static_cast<std::size_t>(p)];
        for (int t = firstStep; t <= trace.steps; ++t) perStep.push_back(stepJacobian(trace, t, p));
    }
    return chain;
}

template <typename Scalar>
std::vector<Eigen::MatrixXd> RecurrentCell<Scalar>::recurrentBlocks() const {
    std::vector<Eigen::MatrixXd> blocks;
    for (int g = 0; g < m_gates; ++g)
        blocks.push_back(m_recurrentWeights.middleRows(Eigen::Index(g) * m_hiddenSize, m_hiddenSize).template cast<double>());
    return blocks;
}

template <typename Scalar>
std::vector<ParameterBlock<Scalar>> RecurrentCell<Scalar>::parameterBlocks() {
    return {{m_inputWeights.data(), m_inputWeightGrad.data(), m_inputWeights.size(), true, kEveryDepthUnit, false},
            {m_recurrentWeights.data(), m_recurrentWeightGrad.data(), m_recurrentWeights.size(), true, kEveryDepthUnit, true},
            {m_bias.data(), m_biasGrad.data(), m_bias.size(), false, kEveryDepthUnit, false}};
}

template class RecurrentCell<float>;
template class RecurrentCell<double>;

}  // namespace gradflow::core
