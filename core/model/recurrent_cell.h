#pragma once
// One recurrent cell unrolled over a whole sequence: the forward pass and full
// backpropagation through time (BPTT). This base class holds what every cell shares: the
// stacked gate weights W_x (G H x I) and W_h (G H x H), the bias b (G H), their gradients,
// the BPTT loop with its per-time-step bookkeeping, and the memory budget of Jacobian
// snapshots. The cells (rnn_cell.h, lstm_cell.h, gru_cell.h) supply one step's arithmetic.
//
// Layout (column per sample, as everywhere in core): a batch of B sequences of T steps is
// one matrix of T blocks of B columns; time step t = 1..T is block t-1, i.e.
// middleCols((t-1) B, B). Hidden states carry one block more: block k is h_k, k = 0..T,
// with h_0 = 0 (and c_0 = 0 for the LSTM).

#include <Eigen/Core>
#include <vector>

#include "core/analysis/jacobian_chain.h"
#include "core/config/experiment_config.h"
#include "core/model/parameter_block.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

class Random;

/// What a forward pass leaves behind for BPTT, the statistics and the Jacobians. Each cell
/// uses the fields it needs (see its header). predict() and jacobianChain() fill their own
/// trace, so the training caches are never disturbed.
template <typename Scalar>
struct SequenceTrace {
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    int steps = 0;
    int batch = 0;
    Matrix hidden;  ///< H x (T+1) B: h_0 .. h_T
    Matrix cell;    ///< LSTM only: c_0 .. c_T, H x (T+1) B
    Matrix gates;   ///< G H x T B: W_x x_t + b on entry to a step; afterwards what the cell keeps
    Matrix aux;     ///< H x T B: one more per-step quantity the cell needs (see its header)

    /// Block of time step t (1..T) in a T-block matrix, or of state k (0..T) in hidden/cell.
    auto block(Matrix& m, int index) const { return m.middleCols(Eigen::Index(index) * batch, batch); }
    auto block(const Matrix& m, int index) const { return m.middleCols(Eigen::Index(index) * batch, batch); }
};

/// Snapshot memory bound for JacobianChain: explicit per-step Jacobians of gated cells cost
/// S^2 doubles per step per probe (S = 2H for the LSTM), which at H = 256, T = 500 would be
/// 1 GiB per probe. Above this budget the chain keeps fewer probes (at least one), then only
/// the last time steps; JacobianChain::firstDepthUnit says where it starts.
inline constexpr double kJacobianChainBudgetBytes = 128.0 * 1024 * 1024;

template <typename Scalar>
class RecurrentCell {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Trace = SequenceTrace<Scalar>;
    using ConstBlock = Eigen::Ref<const Matrix>;
    using MutableBlock = Eigen::Ref<Matrix>;

    virtual ~RecurrentCell() = default;

    int inputSize() const { return static_cast<int>(m_inputWeights.cols()); }
    int hiddenSize() const { return m_hiddenSize; }
    int gateCount() const { return m_gates; }
    /// Size of the state the per-step Jacobian maps: H, or 2H for the LSTM's (h, c).
    virtual int stateSize() const { return m_hiddenSize; }

    /// Unrolls the cell over `inputs` (I x T B, step t in block t-1) from h_0 = 0.
    void forward(const Matrix& inputs, int batch, Trace& trace) const;
    /// BPTT over the whole sequence that `trace` recorded for `inputs`. `lastHiddenGrad`
    /// (H x B) is dL/dh_T from the readout. Overwrites every parameter gradient, the
    /// per-step hidden gradients and the per-step contributions' norms.
    void backward(const Matrix& inputs, const Trace& trace, const Matrix& lastHiddenGrad);

    /// dL/dh_t (all paths) of the last backward(), H x T B, step t in block t-1.
    const Matrix& hiddenGradients() const { return m_hiddenGrad; }
    /// ||dU_t h_{t-1}^T||_F: step t's term of the BPTT sum dL/dW_h = sum_t dU_t h_{t-1}^T
    /// (dU_t = dL/d(W_h h_{t-1})). Zero at t = 1, since h_0 = 0.
    const std::vector<double>& stepRecurrentGradNorms() const { return m_stepWeightNorms; }
    /// ||dA_t 1||: step t's term of dL/db (dA_t = dL/d(W_x x_t + b)).
    const std::vector<double>& stepBiasGradNorms() const { return m_stepBiasNorms; }

    /// Per step of `trace`: saturation of the cell's output nonlinearity and, for gated
    /// cells, gate mean and gate saturation. `out` has one entry per time step.
    virtual void stepStatistics(const Trace& trace, std::vector<LayerStats>& out) const = 0;

    /// d s_t / d s_{t-1} (stateSize() square) at step t (2..T) for column `probe` of `trace`.
    virtual Eigen::MatrixXd stepJacobian(const Trace& trace, int t, int probe) const = 0;
    /// The chain d s_t / d s_{t-1}, t = firstStep..T, for every column of `trace` (the
    /// probes). Gated cells give explicit matrices; the vanilla cell overrides this with
    /// the cheaper weights-and-derivatives form.
    virtual JacobianChain jacobianChain(const Trace& trace, int firstStep) const;
    /// Within kJacobianChainBudgetBytes: how many probes (<= requested) and from which time
    /// step (>= 2) a chain over `steps` steps can be kept.
    void chainWindow(int steps, int requestedProbes, int& probes, int& firstStep) const;

    /// The recurrent weights as square H x H blocks in gate order (see the cell's header).
    std::vector<Eigen::MatrixXd> recurrentBlocks() const;
    const Matrix& recurrentWeights() const { return m_recurrentWeights; }

    /// W_x, W_h, b in that order, shared by every time step; W_h is the matrix whose norm
    /// and update ratio each step reports.
    std::vector<ParameterBlock<Scalar>> parameterBlocks();

protected:
    /// Draws W_x and W_h per gate block (each H x I or H x H, so orthogonal and identity
    /// initialisers act on each gate's own square matrix), then biases from `bias`.
    RecurrentCell(int gates, const RecurrentSpec& spec, int inputSize, const BiasInitSpec& bias, Random& rng);

    /// Sizes the trace fields the cell uses, beyond hidden and gates.
    virtual void prepareTrace(Trace& trace) const = 0;
    /// Step t (1..T): gates block t-1 holds W_x x_t + b on entry. The cell adds its
    /// recurrent terms, applies its nonlinearities and writes h_t (hidden block t).
    virtual void forwardStep(int t, Trace& trace) const = 0;
    virtual void beginBackward(int /*batch*/) {}
    /// Given dh = dL/dh_t (all paths), writes m_delta = dL/d(W_x x_t + b) (G H x B) and,
    /// for cells where it differs, the recurrent delta (see recurrentDelta()).
    virtual void backwardStep(int t, const Trace& trace, const ConstBlock& dh) = 0;
    /// dU_t = dL/d(W_h h_{t-1}); the same as m_delta except in the GRU.
    virtual const Matrix& recurrentDelta() const { return m_delta; }
    /// Adds the part of dL/dh_{t-1} that does not pass through W_h (the GRU's z path).
    virtual void addBypassGradient(int /*t*/, const Trace& /*trace*/, const ConstBlock& /*dh*/, MutableBlock /*dhPrev*/) const {}

    int m_gates;
    int m_hiddenSize;
    Matrix m_inputWeights, m_recurrentWeights;  ///< G H x I, G H x H
    Vector m_bias;                              ///< G H
    Matrix m_inputWeightGrad, m_recurrentWeightGrad;
    Vector m_biasGrad;
    Matrix m_delta;  ///< G H x B scratch of backwardStep

private:
    Matrix m_hiddenGrad;
    Matrix m_stepWeightGrad;  ///< G H x H scratch: one step's term of dL/dW_h
    Vector m_stepBiasGrad;
    std::vector<double> m_stepWeightNorms, m_stepBiasNorms;
};

/// Element-wise helpers shared by the gated cells, in place on any block.
template <typename Scalar>
void sigmoidInPlace(Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>> x) {
    // exp(-x) overflows to +inf for very negative x, which gives exactly 0: correct.
    x.array() = Scalar(1) / (Scalar(1) + (-x.array()).exp());
}
template <typename Scalar>
void tanhInPlace(Eigen::Ref<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>> x) {
    x.array() = x.array().tanh();
}
/// ||x||_2 in double, fast where it can be: one vectorised sum of squares, and the scaled
/// l2Norm (gradient_clipping.h) only when that sum under- or overflowed. The per-step
/// statistics take T norms of G H x H matrices per training step, where blueNorm alone
/// cost more than a tenth of an LSTM step.
template <typename Scalar>
double fastNorm(const Scalar* data, Eigen::Index size);

/// Fraction of entries below `low` or above `high`, and their mean, over a block.
template <typename Derived>
void gateSummary(const Eigen::MatrixBase<Derived>& gate, double& mean, double& saturated) {
    const double n = static_cast<double>(gate.size());
    mean = gate.template cast<double>().sum() / n;
    using S = typename Derived::Scalar;
    saturated = static_cast<double>((gate.array() < S(0.05) || gate.array() > S(0.95)).count()) / n;
}

}  // namespace gradflow::core
