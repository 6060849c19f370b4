#pragma once
// The vanilla ("Elman") recurrent cell: h_t = phi(W_x x_t + W_h h_{t-1} + b), phi tanh or
// relu. Its per-step Jacobian d h_t / d h_{t-1} = diag(phi'(a_t)) W_h is the recurrent
// twin of a feed-forward layer's D_l W_l: the same matrix at every step, so a spectral
// radius below 1 makes gradients vanish geometrically in time, above 1 explode
// (Bengio et al. 1994; Pascanu et al. 2013). With relu and W_h = I this is the IRNN
// (Le et al. 2015).
//
// Trace fields: gates holds the pre-activations a_t (H x T B), aux the derivatives phi'(a_t).

#include "core/model/recurrent_cell.h"

namespace gradflow::core {

template <typename Scalar>
class RnnCell final : public RecurrentCell<Scalar> {
public:
    using Base = RecurrentCell<Scalar>;
    using typename Base::ConstBlock;
    using typename Base::Matrix;
    using typename Base::Trace;

    RnnCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng);

    void stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const override;
    Eigen::MatrixXd stepJacobian(const Trace& trace, int t, int probe) const override;
    /// weights[u] = W_h, derivatives[u] = phi'(a_t) per probe: no explicit products.
    JacobianChain jacobianChain(const Trace& trace, int firstStep) const override;

private:
    void prepareTrace(Trace& trace) const override;
    void forwardStep(int t, Trace& trace) const override;
    void backwardStep(int t, const Trace& trace, const ConstBlock& dh) override;

    ActivationSpec m_activation;
    double m_maxDerivative;
};

}  // namespace gradflow::core
