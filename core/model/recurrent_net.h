#pragma once
// A recurrent network: one cell (vanilla, LSTM or GRU; see recurrent_cell.h) unrolled over
// the whole sequence from h_0 = 0, then a dense readout of the last hidden state, then the
// loss (same semantics as FeedForwardNet: a batch mean; MSE over samples and outputs).
// Column per sample; a batch of B sequences of T steps is one I x T B matrix with step t
// in columns [(t-1) B, t B). Scalar is float or double; every statistic is in double.
// Depth units are time steps t = 1..T; StepStats::layers[t-1] holds:
//   activationGradNorm  RMS over the batch of ||d loss_b / d h_t|| (all paths to the loss)
//   weightGradNorm      ||dU_t h_{t-1}^T||_F, step t's term of the BPTT sum for dL/dW_h
//                       (W_h stacked over gates); 0 at t = 1 because h_0 = 0
//   biasGradNorm        step t's term of dL/db
//   weightNorm          ||W_h||_F, the same at every t (one shared matrix)
//   updateRatio         ||delta W_h||_F / ||W_h||_F, the same at every t (one shared update)
//   activationMean/Std  of h_t over units and batch
//   saturation          fraction of (unit, sample) with phi' < 0.05 max phi': vanilla phi,
//                       LSTM tanh(c_t), GRU candidate tanh
//   gateMean/Saturation LSTM forget gate f, GRU update gate z (fraction < 0.05 or > 0.95)
// jacobianChain(): d s_t / d s_{t-1}, t = 2..T (firstDepthUnit = 2), s = h, or (h, c) for
// the LSTM; bounded by kJacobianChainBudgetBytes (recurrent_cell.h).
// weightMatrices(): the recurrent matrix as square H x H blocks in gate order (vanilla
// W_h; LSTM i, f, g, o; GRU r, z, n), so each has a spectral radius.

#include <Eigen/Core>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/analysis/jacobian_chain.h"
#include "core/config/experiment_config.h"
#include "core/model/dense_readout.h"
#include "core/model/parameter_block.h"
#include "core/model/recurrent_cell.h"
#include "core/training/layer_values.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

class Random;

template <typename Scalar>
class RecurrentNet {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Cell = RecurrentCell<Scalar>;

    static constexpr std::string_view kDepthUnitName = "time step";
    static constexpr std::string_view kActivationsName = "hidden states";
    static constexpr bool kUnrolledOverTime = true;

    /// Cell weights, then the readout (Xavier normal, gain 1, as FeedForwardNet's output
    /// layer), drawn from `rng`. The config must be valid and recurrent.
    RecurrentNet(const ExperimentConfig& config, Random& rng);

    /// Time steps of the last forward().
    int steps() const { return m_trace.steps; }
    const Cell& cell() const { return *m_cell; }

    /// Training forward pass. `inputs` I x T B; returns the readout (out_dim x B).
    const Matrix& forward(const Matrix& inputs, int batch);
    /// Loss of the last forward() against `targets` (out_dim x B) and dL/d(outputs) for
    /// backward(). Accuracy is NaN for regression.
    double loss(const Matrix& targets, LossKind kind, double& accuracy);
    /// Full BPTT of the gradient loss() left, into every parameter's gradient.
    void backward();

    /// Readout for sequences given one matrix per step (I x n each), without touching the
    /// training caches.
    Matrix predict(const std::vector<Eigen::MatrixXd>& inputs) const;

    /// One LayerStats per time step of the last backward(), as listed at the top of this
    /// file. updateRatio is left for the trainer.
    void gradientStatistics(std::vector<LayerStats>& out) const;
    /// 1-based time step whose hidden state first went non-finite (T if only the readout
    /// did), or 0.
    int firstNonFiniteActivation() const;
    /// 1-based time step nearest the loss whose dL/dh_t is non-finite (BPTT runs T to 1, so
    /// that is where it broke), T if the readout's gradient is, or 0.
    int firstNonFiniteGradient() const;

    /// Cell W_x, W_h, b, then readout W, b; all shared by every time step, W_h the one
    /// whose norm and update ratio every step reports.
    std::vector<ParameterBlock<Scalar>> parameterBlocks();

    /// d s_t / d s_{t-1} for the first `probes` sequences of `inputs` (one matrix per step),
    /// within the snapshot memory budget (see recurrent_cell.h).
    JacobianChain jacobianChain(const std::vector<Eigen::MatrixXd>& inputs, int probes) const;
    /// The recurrent matrix as square H x H blocks in gate order.
    std::vector<Eigen::MatrixXd> weightMatrices() const { return m_cell->recurrentBlocks(); }
    /// dL/dh_t of the last backward(), H x T B.
    const Matrix& hiddenGradients() const { return m_cell->hiddenGradients(); }
    const SequenceTrace<Scalar>& trace() const { return m_trace; }

    /// What the last training forward() and backward() left for time step `unit` (1-based),
    /// read in place: the vanilla cell's pre-activations a_t, the hidden state h_t and
    /// dL/dh_t (of the batch mean loss). Weights have no per-step values (one matrix serves
    /// every step), nor do gated cells a single pre-activation: layerValuesMissing() says so.
    std::span<const Scalar> layerValues(LayerQuantity q, int unit) const;
    std::string_view layerValuesMissing(LayerQuantity q, int unit) const;
    /// The vanilla cell's phi, the same at every step; null for a gated cell, whose h_t is
    /// o_t tanh(c_t), no one function of one pre-activation.
    const ActivationSpec* layerActivation(int) const { return m_gated ? nullptr : &m_activation; }
    bool layerAddsSkip(int) const { return false; }
    /// Sequences in the last training batch.
    int batch() const { return m_trace.batch; }

private:
    /// The first `columns` samples of every step, stacked as I x T columns.
    static Matrix stack(const std::vector<Eigen::MatrixXd>& inputs, Eigen::Index columns);

    std::unique_ptr<Cell> m_cell;
    bool m_gated = false;         ///< LSTM or GRU: no single pre-activation per step
    ActivationSpec m_activation;  ///< the vanilla cell's
    DenseReadout<Scalar> m_readout;
    const Matrix* m_inputs = nullptr;
    SequenceTrace<Scalar> m_trace;
    Matrix m_outputs, m_outputGrad, m_lastHiddenGrad;
};

}  // namespace gradflow::core
