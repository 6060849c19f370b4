#include "core/model/lstm_cell.h"

#include "core/model/activation.h"

namespace gradflow::core {

template <typename Scalar>
LstmCell<Scalar>::LstmCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng)
    : Base(4, spec, inputSize, bias, rng) {
    this->m_bias.segment(this->m_hiddenSize, this->m_hiddenSize).setConstant(static_cast<Scalar>(spec.forgetBias));
}

template <typename Scalar>
void LstmCell<Scalar>::prepareTrace(Trace& trace) const {
    const Eigen::Index h = this->m_hiddenSize, cols = Eigen::Index(trace.steps) * trace.batch;
    trace.cell.resize(h, cols + trace.batch);
    trace.block(trace.cell, 0).setZero();
    trace.aux.resize(h, cols);
}

template <typename Scalar>
void LstmCell<Scalar>::forwardStep(int t, Trace& trace) const {
    const Eigen::Index h = this->m_hiddenSize;
    auto z = trace.block(trace.gates, t - 1);  // W_x x_t + b on entry, 4H x B
    z.noalias() += this->m_recurrentWeights * trace.block(trace.hidden, t - 1);
    sigmoidInPlace<Scalar>(z.topRows(2 * h));     // i, f
    tanhInPlace<Scalar>(z.middleRows(2 * h, h));  // g
    sigmoidInPlace<Scalar>(z.bottomRows(h));      // o
    auto c = trace.block(trace.cell, t);
    auto tanhC = trace.block(trace.aux, t - 1);
    c.array() = z.middleRows(h, h).array() * trace.block(trace.cell, t - 1).array() +
                z.topRows(h).array() * z.middleRows(2 * h, h).array();
    tanhC.array() = c.array().tanh();
    trace.block(trace.hidden, t).array() = z.bottomRows(h).array() * tanhC.array();
}

template <typename Scalar>
void LstmCell<Scalar>::beginBackward(int batch) {
    m_cellGrad = Matrix::Zero(this->m_hiddenSize, batch);
}

template <typename Scalar>
void LstmCell<Scalar>::backwardStep(int t, const Trace& trace, const ConstBlock& dh) {
    // With dh = dL/dh_t and m_cellGrad = dL/dc_t via c_{t+1} (all H x B):
    //   dc      = m_cellGrad + dh o (1 - tanh^2 c_t)          (total dL/dc_t)
    //   dL/da_o = dh tanh(c_t) o (1 - o)
    //   dL/da_i = dc g i (1 - i)
    //   dL/da_f = dc c_{t-1} f (1 - f)
    //   dL/da_g = dc i (1 - g^2)
    //   dL/dc_{t-1} via this step = dc f  -> carried to step t-1
    // Derivatives come from the stored gate values, as in common frameworks.
    const Eigen::Index h = this->m_hiddenSize;
    const auto gates = trace.block(trace.gates, t - 1);
    const auto i = gates.topRows(h).array(), f = gates.middleRows(h, h).array();
    const auto g = gates.middleRows(2 * h, h).array(), o = gates.bottomRows(h).array();
    const auto tanhC = trace.block(trace.aux, t - 1).array();
    const auto cPrev = trace.block(trace.cell, t - 1).array();
    const auto dhA = dh.array();
    const Scalar one(1);
    m_cellGrad.array() += dhA * o * (one - tanhC.square());
    const auto dc = m_cellGrad.array();
    Matrix& delta = this->m_delta;
    delta.resize(4 * h, dh.cols());
    delta.topRows(h).array() = dc * g * i * (one - i);
    delta.middleRows(h, h).array() = dc * cPrev * f * (one - f);
    delta.middleRows(2 * h, h).array() = dc * i * (one - g.square());
    delta.bottomRows(h).array() = dhA * tanhC * o * (one - o);
    m_cellGrad.array() *= f;
}

template <typename Scalar>
void LstmCell<Scalar>::stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const {
    const Eigen::Index h = this->m_hiddenSize;
    for (int t = 1; t <= trace.steps; ++t) {
        const auto tanhC = trace.block(trace.aux, t - 1);
        // tanh' = 1 - tanh^2 against 0.05 of its maximum 1.
        const auto saturated = ((Scalar(1) - tanhC.array().square()) < Scalar(kSaturatedDerivativeFraction)).count();
        out[t - 1].saturation = static_cast<double>(saturated) / static_cast<double>(tanhC.size());
        gateSummary(trace.block(trace.gates, t - 1).middleRows(h, h), out[t - 1].gateMean, out[t - 1].gateSaturation);
    }
}

template <typename Scalar>
Eigen::MatrixXd LstmCell<Scalar>::stepJacobian(const Trace& trace, int t, int probe) const {
    // Differentiating c_t = f c_{t-1} + i g and h_t = o tanh(c_t) with a = ... + W_h h_{t-1}
    // (U_k = gate k's H x H block of W_h, vectors below meaning diag of them):
    //   dc_t/dh_{t-1} = c_{t-1} f(1-f) U_f + g i(1-i) U_i + i (1-g^2) U_g
    //   dc_t/dc_{t-1} = f
    //   dh_t/dh_{t-1} = tanh(c_t) o(1-o) U_o + o (1 - tanh^2 c_t) dc_t/dh_{t-1}
    //   dh_t/dc_{t-1} = o (1 - tanh^2 c_t) f
    const Eigen::Index h = this->m_hiddenSize;
    const Eigen::VectorXd gates = trace.block(trace.gates, t - 1).col(probe).template cast<double>();
    const Eigen::ArrayXd i = gates.segment(0, h), f = gates.segment(h, h), g = gates.segment(2 * h, h),
                         o = gates.segment(3 * h, h);
    const Eigen::ArrayXd tanhC = trace.block(trace.aux, t - 1).col(probe).template cast<double>();
    const Eigen::ArrayXd cPrev = trace.block(trace.cell, t - 1).col(probe).template cast<double>();
    // A reference: Eigen's cast to the same scalar is a no-op, so double nets copy nothing.
    const Eigen::MatrixXd& w = this->m_recurrentWeights.template cast<double>();
    const Eigen::ArrayXd throughC = o * (1.0 - tanhC.square());
    Eigen::MatrixXd jacobian(2 * h, 2 * h);
    auto dcdh = jacobian.bottomLeftCorner(h, h);
    dcdh.noalias() = (cPrev * f * (1.0 - f)).matrix().asDiagonal() * w.middleRows(h, h);
    dcdh.noalias() += (g * i * (1.0 - i)).matrix().asDiagonal() * w.topRows(h);
    dcdh.noalias() += (i * (1.0 - g.square())).matrix().asDiagonal() * w.middleRows(2 * h, h);
    jacobian.bottomRightCorner(h, h) = f.matrix().asDiagonal();
    jacobian.topLeftCorner(h, h).noalias() = (tanhC * o * (1.0 - o)).matrix().asDiagonal() * w.bottomRows(h);
    jacobian.topLeftCorner(h, h).noalias() += throughC.matrix().asDiagonal() * dcdh;
    jacobian.topRightCorner(h, h) = (throughC * f).matrix().asDiagonal();
    return jacobian;
}

template class LstmCell<float>;
template class LstmCell<double>;

}  // namespace gradflow::core
