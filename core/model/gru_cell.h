#pragma once
// Gated recurrent unit (Cho et al. 2014), in the "reset after" form used by cuDNN and
// PyTorch (without their separate recurrent bias of the candidate). Gates stacked in the
// order r, z, n (rows [0,H), [H,2H), [2H,3H)); A = W_x x_t + b, U = W_h h_{t-1}:
//   r = sigmoid(A_r + U_r),  z = sigmoid(A_z + U_z),  n = tanh(A_n + r (.) U_n)
//   h_t = (1 - z) (.) n + z (.) h_{t-1}
// The update gate z interpolates: where z is near 1 the state is copied, and the per-step
// Jacobian has diag(z) as its weight-free part, the GRU's version of the LSTM carousel.
// The state is h, so the per-step Jacobian is H x H.
// Trace fields: gates holds r, z, n after the nonlinearities; aux holds U_n = W_hn h_{t-1}.

#include "core/model/recurrent_cell.h"

namespace gradflow::core {

template <typename Scalar>
class GruCell final : public RecurrentCell<Scalar> {
public:
    using Base = RecurrentCell<Scalar>;
    using typename Base::ConstBlock;
    using typename Base::Matrix;
    using typename Base::MutableBlock;
    using typename Base::Trace;

    GruCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng);

    /// Saturation of the candidate n (tanh' < 0.05); gate statistics of the update gate z.
    void stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const override;
    Eigen::MatrixXd stepJacobian(const Trace& trace, int t, int probe) const override;

private:
    void prepareTrace(Trace& trace) const override;
    void forwardStep(int t, Trace& trace) const override;
    void backwardStep(int t, const Trace& trace, const ConstBlock& dh) override;
    const Matrix& recurrentDelta() const override { return m_recurrentDelta; }
    void addBypassGradient(int t, const Trace& trace, const ConstBlock& dh, MutableBlock dhPrev) const override;

    Matrix m_recurrentDelta;  ///< dL/dU: equals dL/dA except the n rows, scaled by r
};

}  // namespace gradflow::core
