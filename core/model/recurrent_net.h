#pragma once
// A recurrent network: one cell (vanilla, LSTM or GRU; see recurrent_cell.h) unrolled over
// the whole sequence from h_0 = 0, then a dense readout of the last hidden state, then the
// loss (same semantics as FeedForwardNet: a batch mean; MSE over samples and outputs).
// Column per sample; a batch of B sequences of T steps is one I x T B matrix with step t
// in columns [(t-1) B, t B). Scalar is float or double; every statistic is in double.
// Depth units are time steps t = 1..T.

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/analysis/jacobian_chain.h"
#include "core/model/recurrent_cell.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

class Random;

template <typename Scalar>
class RecurrentNet {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Cell = RecurrentCell<Scalar>;

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

    /// One LayerStats per time step of the last backward(): see RecurrentTrainer's header
    /// for what each field means here. updateRatio is left for the trainer.
    void gradientStatistics(std::vector<LayerStats>& out) const;
    /// 1-based time step whose hidden state first went non-finite (T if only the readout
    /// did), or 0.
    int firstNonFiniteActivation() const;
    /// 1-based time step nearest the loss whose dL/dh_t is non-finite (BPTT runs T to 1, so
    /// that is where it broke), T if the readout's gradient is, or 0.
    int firstNonFiniteGradient() const;

    struct Block {
        Scalar* value;
        Scalar* gradient;
        Eigen::Index size;
        bool isWeight;
        bool isRecurrent;  ///< W_h: its norm and update ratio are the per-step weight figures
    };
    /// Cell W_x, W_h, b, then readout W, b.
    std::vector<Block> parameterBlocks();

    /// d s_t / d s_{t-1} for the first `probes` sequences of `inputs` (one matrix per step),
    /// within the snapshot memory budget (see recurrent_cell.h).
    JacobianChain jacobianChain(const std::vector<Eigen::MatrixXd>& inputs, int probes) const;
    /// dL/dh_t of the last backward(), H x T B.
    const Matrix& hiddenGradients() const { return m_cell->hiddenGradients(); }
    const SequenceTrace<Scalar>& trace() const { return m_trace; }

private:
    /// The first `columns` samples of every step, stacked as I x T columns.
    static Matrix stack(const std::vector<Eigen::MatrixXd>& inputs, Eigen::Index columns);

    std::unique_ptr<Cell> m_cell;
    Matrix m_outWeights, m_outWeightGrad;
    Vector m_outBias, m_outBiasGrad;
    const Matrix* m_inputs = nullptr;
    SequenceTrace<Scalar> m_trace;
    Matrix m_outputs, m_outputGrad, m_lastHiddenGrad;
};

}  // namespace gradflow::core
