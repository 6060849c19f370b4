#include "core/model/rnn_cell.h"

#include <span>

#include "core/model/activation.h"

namespace gradflow::core {

template <typename Scalar>
RnnCell<Scalar>::RnnCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng)
    : Base(1, spec, inputSize, bias, rng), m_activation(spec.activation), m_maxDerivative(maxDerivative(spec.activation)) {}

template <typename Scalar>
void RnnCell<Scalar>::prepareTrace(Trace& trace) const {
    trace.aux.resize(this->m_hiddenSize, Eigen::Index(trace.steps) * trace.batch);
}

template <typename Scalar>
void RnnCell<Scalar>::forwardStep(int t, Trace& trace) const {
    auto a = trace.block(trace.gates, t - 1);  // W_x x_t + b on entry
    a.noalias() += this->m_recurrentWeights * trace.block(trace.hidden, t - 1);
    auto h = trace.block(trace.hidden, t);
    auto d = trace.block(trace.aux, t - 1);
    // Column blocks of a column-major matrix are contiguous, so they can be viewed as spans.
    const std::span<const Scalar> pre(a.data(), static_cast<std::size_t>(a.size()));
    const std::span<Scalar> out(h.data(), static_cast<std::size_t>(h.size()));
    activateArray<Scalar>(m_activation, pre, out);
    derivativeArray<Scalar>(m_activation, pre, out, std::span<Scalar>(d.data(), static_cast<std::size_t>(d.size())));
}

template <typename Scalar>
void RnnCell<Scalar>::backwardStep(int t, const Trace& trace, const ConstBlock& dh) {
    // h_t = phi(a_t):  dL/da_t = dL/dh_t (.) phi'(a_t); the input and recurrent terms share it.
    this->m_delta = dh.cwiseProduct(trace.block(trace.aux, t - 1));
}

template <typename Scalar>
void RnnCell<Scalar>::stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const {
    const auto threshold = static_cast<Scalar>(kSaturatedDerivativeFraction * m_maxDerivative);
    for (int t = 1; t <= trace.steps; ++t) {
        const auto d = trace.block(trace.aux, t - 1);
        out[t - 1].saturation = static_cast<double>((d.array().abs() < threshold).count()) / static_cast<double>(d.size());
    }
}

template <typename Scalar>
Eigen::MatrixXd RnnCell<Scalar>::stepJacobian(const Trace& trace, int t, int probe) const {
    const Eigen::VectorXd d = trace.block(trace.aux, t - 1).col(probe).template cast<double>();
    return d.asDiagonal() * this->m_recurrentWeights.template cast<double>();
}

template <typename Scalar>
JacobianChain RnnCell<Scalar>::jacobianChain(const Trace& trace, int firstStep) const {
    JacobianChain chain;
    chain.probes = trace.batch;
    chain.firstDepthUnit = firstStep;
    const Eigen::MatrixXd weights = this->m_recurrentWeights.template cast<double>();
    for (int t = firstStep; t <= trace.steps; ++t) {
        chain.weights.push_back(weights);
        chain.derivatives.push_back(trace.block(trace.aux, t - 1).template cast<double>());
    }
    return chain;
}

template class RnnCell<float>;
template class RnnCell<double>;

}  // namespace gradflow::core
