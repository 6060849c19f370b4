#pragma once
// Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et
// al. 2000). Gates stacked in the order i, f, g, o (rows [0,H), [H,2H), [2H,3H), [3H,4H)):
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o),  a = W_x x_t + W_h h_{t-1} + b
//   c_t = f (.) c_{t-1} + i (.) g,   h_t = o (.) tanh(c_t)
// Memory lives in c: along c the per-step Jacobian is diag(f), with no weight matrix and
// no squashing derivative, so a forget gate near 1 carries gradients across hundreds of
// steps. The forget-gate bias starts at RecurrentSpec::forgetBias (default 1, as
// Jozefowicz et al. 2015 recommend), the other biases from the bias initialiser.
//
// Per-step Jacobian: the state is s = (h, c), 2H long, because c is where the memory
// lives; d h_t / d h_{t-1} alone would hide the carousel. stepJacobian() is the 2H x 2H
// block matrix [[dh/dh, dh/dc], [dc/dh, dc/dc]].
// Trace fields: gates holds i, f, g, o after the nonlinearities; cell c_0..c_T; aux tanh(c_t).

#include "core/model/recurrent_cell.h"

namespace gradflow::core {

template <typename Scalar>
class LstmCell final : public RecurrentCell<Scalar> {
public:
    using Base = RecurrentCell<Scalar>;
    using typename Base::ConstBlock;
    using typename Base::Matrix;
    using typename Base::Trace;

    LstmCell(const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng);

    int stateSize() const override { return 2 * this->m_hiddenSize; }
    /// Saturation of tanh(c_t) (tanh' < 0.05); gate statistics of the forget gate f.
    void stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const override;
    Eigen::MatrixXd stepJacobian(const Trace& trace, int t, int probe) const override;

private:
    void prepareTrace(Trace& trace) const override;
    void forwardStep(int t, Trace& trace) const override;
    void beginBackward(int batch) override;
    void backwardStep(int t, const Trace& trace, const ConstBlock& dh) override;

    Matrix m_cellGrad;  ///< dL/dc_t through c_{t+1} (the carousel), carried between steps
};

}  // namespace gradflow::core
