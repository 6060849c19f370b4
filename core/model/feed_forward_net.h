#pragma once
// A deep fully connected network: input -> L hidden layers (dense -> optional batch or
// layer norm -> activation -> dropout in training, identity skips around residual groups)
// -> dense readout -> loss.
// Column per sample throughout: a batch of B inputs is an (input_dim x B) matrix.
// Scalar is float or double; every statistic is computed in double.
//
// Depth units are layers 1..L+1 (the readout is L+1); StepStats::layers[l-1] holds
// layer l's gradient norms, weight norm, activation mean/std and saturation.
// jacobianChain(): d h_L / d h_1 as per-layer factors (firstDepthUnit = 2).

#include <Eigen/Core>
#include <span>
#include <string_view>
#include <vector>

#include "core/analysis/jacobian_chain.h"
#include "core/config/experiment_config.h"
#include "core/data/random.h"
#include "core/model/dense_readout.h"
#include "core/model/parameter_block.h"
#include "core/training/layer_values.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

template <typename Scalar>
class FeedForwardNet {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using RowVector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;

    static constexpr std::string_view kDepthUnitName = "layer";
    static constexpr std::string_view kActivationsName = "activations";
    static constexpr bool kUnrolledOverTime = false;

    /// How batch norm normalises in a forward pass; other layers (layer norm included,
    /// which uses each sample's own statistics) do the same in every mode.
    enum class ForwardMode {
        Train,     ///< this batch's statistics; running statistics updated; caches kept for backward()
        Evaluate,  ///< running statistics, as a deployed net sees single samples (predict())
        Probe,     ///< the last training batch's statistics held fixed, so each probe's Jacobian is its own
    };

    /// Whether training forward passes draw new dropout masks (training) or reuse the last
    /// ones, so that a finite-difference check differentiates one fixed function.
    enum class DropoutMasks { Fresh, Held };

    /// Weights drawn from `rng` per the config's initialisers; dropout masks from their own
    /// stream of the config's seed. The config must be valid.
    FeedForwardNet(const ExperimentConfig& config, Random& rng);

    int hiddenLayers() const { return static_cast<int>(m_layers.size()); }
    /// Hidden layers + the output layer.
    int depthUnits() const { return hiddenLayers() + 1; }

    /// Training-mode forward pass. `inputs` input_dim x B (the only time step); `batch` is
    /// B, as for the recurrent net. Returns the readout's outputs (out_dim x B).
    const Matrix& forward(const Matrix& inputs, int batch);
    /// Loss of the last forward() against `targets` (one-hot or values, out_dim x B),
    /// and writes dL/d(outputs) for backward(). Accuracy is NaN for regression.
    double loss(const Matrix& targets, LossKind kind, double& accuracy);
    /// Backpropagates the gradient left by loss() into every parameter's gradient.
    void backward();

    /// LSUV initialisation (Mishkin & Matas 2016), after the weights are drawn: each hidden
    /// layer in turn, input side first, has its weights rescaled until its dense output
    /// W h + b has variance 1 over `inputs` (all units and samples; |var - 1| < 0.1, at most
    /// 10 rescalings, the paper's values). Layers are run as in evaluation (no dropout;
    /// batch norm at its starting statistics), biases and the readout are left alone.
    /// Returns how many layers were rescaled. Costs about one forward pass.
    int scaleToUnitVariance(const Matrix& inputs);
    static constexpr double kLsuvTolerance = 0.1;
    static constexpr int kLsuvMaxIterations = 10;

    /// Evaluation-mode outputs (running batch-norm statistics); does not disturb the
    /// training caches.
    Matrix predict(const Matrix& inputs) const;
    /// The same for the one-step sequence front ends pass (one matrix per time step).
    Matrix predict(const std::vector<Eigen::MatrixXd>& inputs) const;

    /// Fills per-layer gradient statistics of the last backward(): weight/bias/
    /// activation gradient norms, weight norm, activation mean/std, saturation.
    void gradientStatistics(std::vector<LayerStats>& out) const;
    /// 1-based depth unit whose forward activations first went non-finite, or 0.
    int firstNonFiniteActivation() const;
    /// 1-based depth unit nearest the output whose activation gradient is non-finite, or 0
    /// (backprop runs output to input, so that is where it first broke).
    int firstNonFiniteGradient() const;

    /// Every trainable array, in a fixed order: per layer W, b (or gamma, beta with batch
    /// or layer norm), ReZero's alpha on a group's last layer, then the readout's W, b.
    std::vector<ParameterBlock<Scalar>> parameterBlocks();

    /// h_L, the last hidden layer's output (the inputs themselves without hidden layers),
    /// in Evaluate or Probe mode; the training caches stay as they are.
    Matrix lastHidden(const Matrix& inputs, ForwardMode mode) const;

    /// Factors of d h_L / d h_1 at the given inputs. Probe mode (the spectrum's) holds
    /// batch-norm statistics at the last training batch's; Evaluate mode uses the running
    /// ones. Either way each probe's Jacobian is its own, with statistics held fixed.
    JacobianChain jacobianChain(const Matrix& probeInputs, ForwardMode mode = ForwardMode::Probe) const;
    /// The same for the first `probes` columns of the one-step sequence `inputs`.
    JacobianChain jacobianChain(const std::vector<Eigen::MatrixXd>& inputs, int probes) const;
    /// Every layer's weights, the readout's last, in double (out x in).
    std::vector<Eigen::MatrixXd> weightMatrices() const;

    /// What the last training forward() and backward() left for depth unit `unit`
    /// (1-based; L + 1 is the readout, whose pre-activations are the outputs): read in
    /// place, valid until the next forward(). Activation gradients are dL/dh of the batch
    /// mean loss. Empty when layerValuesMissing() names a reason.
    std::span<const Scalar> layerValues(LayerQuantity q, int unit) const;
    std::string_view layerValuesMissing(LayerQuantity q, int unit) const;
    /// Hidden layer `unit`'s activation function; null for the readout.
    const ActivationSpec* layerActivation(int unit) const {
        return unit >= 1 && unit <= hiddenLayers() ? &m_layers[static_cast<std::size_t>(unit - 1)].activation : nullptr;
    }
    /// The scale of hidden layer `unit`'s branch when it ends a residual group, else 1.
    double branchScale(int unit) const {
        return unit >= 1 && unit <= hiddenLayers() ? double(m_layers[static_cast<std::size_t>(unit - 1)].branchScale) : 1.0;
    }
    /// Whether hidden layer `unit` ends a residual group (its output adds the skip).
    bool layerAddsSkip(int unit) const {
        return unit >= 1 && unit <= hiddenLayers() && m_layers[static_cast<std::size_t>(unit - 1)].residualStart > 0;
    }
    /// Samples in the last training batch.
    int batch() const { return m_batch; }
    void setDropoutMasks(DropoutMasks masks) { m_dropoutMasks = masks; }

private:
    /// A layer's parameters and the state that outlives a step (running statistics).
    struct Layer {
        ActivationSpec activation;
        bool batchNorm = false;
        bool layerNorm = false;
        int residualStart = 0;  ///< 1-based first layer of the group this layer ends, or 0
        /// A group's last layer: what multiplies phi(y) before the skip is added (1 unless
        /// the branches are scaled); learnable with ReZero.
        Scalar branchScale = Scalar(1), branchScaleGrad = Scalar(0);
        bool learnsBranchScale = false;
        Matrix weights, weightGrad;
        Vector bias, biasGrad;  ///< unused (size 0) with batch or layer norm
        Vector gamma, beta, gammaGrad, betaGrad;
        Vector runningMean, runningVar;
        double maxDerivative = 1.0;  ///< max phi', the saturation threshold's scale
        double dropoutRate = 0.0;    ///< probability that training zeroes a unit of a sample
        /// gamma and beta replace the bias.
        bool normalised() const { return batchNorm || layerNorm; }
    };
    /// What one forward pass leaves per layer. Training keeps its passes for backward().
    struct LayerPass {
        Matrix z, zHat;                                ///< batch norm in training, layer norm: W x and the normalised z
        Matrix y, h;                                   ///< pre-activation and output (after the skip is added)
        Matrix derivative;                             ///< phi'(y), when asked for
        Matrix outputGrad;                             ///< backward(): dL/dh
        Matrix delta;                                  ///< backward() without batch norm: dL/dy (y stays readable)
        Matrix branch;                                 ///< ReZero in training: phi(y) (dropped out) before alpha scales it
        Matrix dropMask;                               ///< dropout in training: 0 or 1 / (1 - rate) per (unit, sample)
        Vector batchMean, batchVariance, batchInvStd;  ///< batch norm in training
        Vector scale;                                  ///< batch norm outside training: gamma / sqrt(var + eps)
        RowVector sampleInvStd;                        ///< layer norm: 1 / sqrt(var + eps) per sample (column)
    };

    /// The one hidden-stack forward pass that training, predict() and jacobianChain() share;
    /// phi'(y) only where backward() or a Jacobian needs it.
    void forwardHidden(const Matrix& inputs, ForwardMode mode, bool withDerivatives, std::vector<LayerPass>& passes) const;
    /// Hidden layer i (0-based) of that pass, reading `input`; earlier passes hold the skips.
    void forwardLayer(std::size_t i, const Matrix& input, ForwardMode mode, bool withDerivatives,
                      std::vector<LayerPass>& passes) const;
    void normaliseWithBatchStatistics(const Layer& layer, LayerPass& pass) const;
    void normaliseWithHeldStatistics(const Layer& layer, const LayerPass& lastTraining, ForwardMode mode, LayerPass& pass) const;
    void normaliseEachSample(const Layer& layer, LayerPass& pass) const;
    static std::vector<Layer> buildLayers(const ExperimentConfig& config, Random& rng);
    void updateRunningStatistics(Layer& layer, const LayerPass& pass);
    void drawDropoutMasks(Eigen::Index batchColumns);
    void backwardBatchNorm(Layer& layer, LayerPass& pass);
    void backwardLayerNorm(Layer& layer, LayerPass& pass);
    const Matrix& layerInput(int index) const;

    std::vector<Layer> m_layers;
    std::vector<LayerPass> m_passes;  ///< of the last training forward()
    DenseReadout<Scalar> m_readout;
    Matrix m_outputs, m_outputGrad;  ///< out_dim x B and dL/d outputs
    const Matrix* m_inputs = nullptr;
    int m_batch = 0;
    Random m_dropoutRng;
    DropoutMasks m_dropoutMasks = DropoutMasks::Fresh;
};

}  // namespace gradflow::core
