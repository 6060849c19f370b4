#pragma once
// A deep fully connected network: input -> L hidden layers (dense -> optional batch norm
// -> activation, identity skips around residual groups) -> dense output -> loss.
// Column per sample throughout: a batch of B inputs is an (input_dim x B) matrix.
// Scalar is float or double; every statistic is computed in double.

#include <Eigen/Core>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/analysis/jacobian_chain.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

class Random;

template <typename Scalar>
class FeedForwardNet {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    /// Weights drawn from `rng` per the config's initialisers. The config must be valid.
    FeedForwardNet(const ExperimentConfig& config, Random& rng);

    int hiddenLayers() const { return static_cast<int>(m_layers.size()); }
    /// Hidden layers + the output layer.
    int depthUnits() const { return hiddenLayers() + 1; }

    /// Training-mode forward pass (batch statistics, running statistics updated).
    /// `inputs` input_dim x B; returns the output-layer pre-activations (out_dim x B).
    const Matrix& forward(const Matrix& inputs);
    /// Loss of the last forward() against `targets` (one-hot or values, out_dim x B),
    /// and writes dL/d(outputs) for backward(). Accuracy is NaN for regression.
    double loss(const Matrix& targets, LossKind kind, double& accuracy);
    /// Backpropagates the gradient left by loss() into every parameter's gradient.
    void backward();

    /// Evaluation-mode outputs (running batch-norm statistics); safe to call from a
    /// const context and does not disturb training caches.
    Matrix predict(const Matrix& inputs) const;

    /// Fills per-layer gradient statistics of the last backward(): weight/bias/
    /// activation gradient norms, weight norm, activation mean/std, saturation.
    void gradientStatistics(std::vector<LayerStats>& out) const;
    /// 1-based depth unit whose forward activations first went non-finite, or 0.
    int firstNonFiniteActivation() const;
    /// 1-based depth unit nearest the output whose activation gradient is non-finite, or 0
    /// (backprop runs output to input, so that is where it first broke).
    int firstNonFiniteGradient() const;

    /// Every trainable array, in a fixed order: per layer W, b (or gamma, beta with batch
    /// norm), then the output layer. `weightBlock[i]` says whether block i is a weight matrix
    /// and for which depth unit (for update ratios).
    struct Block {
        Scalar* value;
        Scalar* gradient;
        Eigen::Index size;
        bool isWeight;
        int depthUnit;  ///< 0-based
    };
    std::vector<Block> parameterBlocks();

    /// Factors of d h_L / d h_1 at the given inputs, BN statistics of the last training batch.
    JacobianChain jacobianChain(const Matrix& probeInputs) const;
    std::vector<Eigen::MatrixXd> weightMatrices() const;

private:
    struct Layer {
        ActivationSpec activation;
        bool batchNorm = false;
        int residualStart = 0;  ///< 1-based first layer of the group this layer ends, or 0
        Matrix weights, weightGrad;
        Vector bias, biasGrad;                 ///< unused (size 0) with batch norm
        Vector gamma, beta, gammaGrad, betaGrad;
        Vector runningMean, runningVar, batchMean, batchInvStd;
        // Caches of the last training batch: pre-BN z, normalised z, pre-activation y,
        // output h, derivative phi'(y), gradient reaching h.
        Matrix z, zHat, y, h, derivative, outputGrad;
    };

    void forwardLayer(Layer& layer, const Matrix& input, int index);
    void forwardBatchNorm(Layer& layer);
    void backwardBatchNorm(Layer& layer);
    const Matrix& layerInput(int index) const;

    std::vector<Layer> m_layers;
    Matrix m_outWeights, m_outWeightGrad;
    Vector m_outBias, m_outBiasGrad;
    Matrix m_outputs, m_outputGrad;  ///< out_dim x B and dL/d outputs
    const Matrix* m_inputs = nullptr;
    int m_batch = 0;
    std::vector<double> m_maxDerivative;
};

}  // namespace gradflow::core
