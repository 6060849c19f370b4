#include "core/model/gru_cell.h"

#include "core/model/activation.h"

namespace gradflow::core {

template <typename Scalar>
GruCell<Scalar>::GruCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng)
    : Base(3, spec, inputSize, bias, rng) {}

template <typename Scalar>
void GruCell<Scalar>::prepareTrace(Trace& trace) const {
    trace.aux.resize(this->m_hiddenSize, Eigen::Index(trace.steps) * trace.batch);
}

template <typename Scalar>
void GruCell<Scalar>::forwardStep(int t, Trace& trace) const {
    const Eigen::Index h = this->m_hiddenSize;
    auto a = trace.block(trace.gates, t - 1);  // A = W_x x_t + b on entry, 3H x B
    const auto hPrev = trace.block(trace.hidden, t - 1);
    auto un = trace.block(trace.aux, t - 1);
    a.topRows(2 * h).noalias() += this->m_recurrentWeights.topRows(2 * h) * hPrev;
    un.noalias() = this->m_recurrentWeights.bottomRows(h) * hPrev;
    sigmoidInPlace<Scalar>(a.topRows(2 * h));  // r, z
    auto n = a.bottomRows(h);
    n.array() += a.topRows(h).array() * un.array();
    tanhInPlace<Scalar>(n);
    // (1 - z) n + z h_{t-1}, written as n + z (h_{t-1} - n).
    trace.block(trace.hidden, t).array() = n.array() + a.middleRows(h, h).array() * (hPrev.array() - n.array());
}

template <typename Scalar>
void GruCell<Scalar>::backwardStep(int t, const Trace& trace, const ConstBlock& dh) {
    // With dh = dL/dh_t (H x B) and p_n = A_n + r U_n the candidate's pre-activation:
    //   dL/dp_n = dh (1 - z) (1 - n^2)          -> dL/dA_n;  dL/dU_n = dL/dp_n r
    //   dL/dA_z = dL/dU_z = dh (h_{t-1} - n) z (1 - z)
    //   dL/dA_r = dL/dU_r = dL/dp_n U_n r (1 - r)
    // The direct path dh z to h_{t-1} is added in addBypassGradient.
    const Eigen::Index h = this->m_hiddenSize;
    const auto gates = trace.block(trace.gates, t - 1);
    const auto r = gates.topRows(h).array(), z = gates.middleRows(h, h).array(), n = gates.bottomRows(h).array();
    const auto un = trace.block(trace.aux, t - 1).array();
    const auto hPrev = trace.block(trace.hidden, t - 1).array();
    const auto dhA = dh.array();
    const Scalar one(1);
    Matrix& delta = this->m_delta;
    delta.resize(3 * h, dh.cols());
    delta.bottomRows(h).array() = dhA * (one - z) * (one - n.square());
    delta.topRows(h).array() = delta.bottomRows(h).array() * un * r * (one - r);
    delta.middleRows(h, h).array() = dhA * (hPrev - n) * z * (one - z);
    m_recurrentDelta.resize(3 * h, dh.cols());
    m_recurrentDelta.topRows(2 * h) = delta.topRows(2 * h);
    m_recurrentDelta.bottomRows(h).array() = delta.bottomRows(h).array() * r;
}

template <typename Scalar>
void GruCell<Scalar>::addBypassGradient(int t, const Trace& trace, const ConstBlock& dh, MutableBlock dhPrev) const {
    const Eigen::Index h = this->m_hiddenSize;
    dhPrev.array() += dh.array() * trace.block(trace.gates, t - 1).middleRows(h, h).array();
}

template <typename Scalar>
void GruCell<Scalar>::stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const {
    const Eigen::Index h = this->m_hiddenSize;
    for (int t = 1; t <= trace.steps; ++t) {
        const auto gates = trace.block(trace.gates, t - 1);
        const auto n = gates.bottomRows(h);
        const auto saturated = ((Scalar(1) - n.array().square()) < Scalar(kSaturatedDerivativeFraction)).count();
        out[t - 1].saturation = static_cast<double>(saturated) / static_cast<double>(n.size());
        gateSummary(gates.middleRows(h, h), out[t - 1].gateMean, out[t - 1].gateSaturation);
    }
}

template <typename Scalar>
Eigen::MatrixXd GruCell<Scalar>::stepJacobian(const Trace& trace, int t, int probe) const {
    // h_t = n + z (h_{t-1} - n), differentiated through z, n and r (U_k = gate k's block of
    // W_h, vectors meaning diag of them):
    //   dh_t/dh_{t-1} = z + (h_{t-1} - n) z(1-z) U_z + (1-z)(1-n^2) [ r U_n + U_n h_{t-1} r(1-r) U_r ]
    const Eigen::Index h = this->m_hiddenSize;
    const Eigen::VectorXd gates = trace.block(trace.gates, t - 1).col(probe).template cast<double>();
    const Eigen::ArrayXd r = gates.segment(0, h), z = gates.segment(h, h), n = gates.segment(2 * h, h);
    const Eigen::ArrayXd un = trace.block(trace.aux, t - 1).col(probe).template cast<double>();
    const Eigen::ArrayXd hPrev = trace.block(trace.hidden, t - 1).col(probe).template cast<double>();
    // A reference: Eigen's cast to the same scalar is a no-op, so double nets copy nothing.
    const Eigen::MatrixXd& w = this->m_recurrentWeights.template cast<double>();
    const Eigen::ArrayXd throughN = (1.0 - z) * (1.0 - n.square());
    Eigen::MatrixXd jacobian = z.matrix().asDiagonal();
    jacobian.noalias() += ((hPrev - n) * z * (1.0 - z)).matrix().asDiagonal() * w.middleRows(h, h);
    jacobian.noalias() += (throughN * r).matrix().asDiagonal() * w.bottomRows(h);
    jacobian.noalias() += (throughN * un * r * (1.0 - r)).matrix().asDiagonal() * w.topRows(h);
    return jacobian;
}

template class GruCell<float>;
template class GruCell<double>;

}  // namespace gradflow::core
