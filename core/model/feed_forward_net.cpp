#include "core/model/feed_forward_net.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/data/random.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"
#include "core/model/loss.h"
#include "core/model/rescaled_moments.h"
#include "core/training/gradient_clipping.h"
#include "core/training/trainer_streams.h"

namespace gradflow::core {

namespace {

constexpr double kBatchNormEpsilon = 1e-5;
constexpr double kRunningMomentum = 0.1;

template <typename Matrix>
Matrix drawWeights(const InitSpec& init, int fanIn, int fanOut, Random& rng) {
    Eigen::MatrixXd w(fanOut, fanIn);
    initializeWeights(init, fanIn, fanOut, rng, std::span<double>(w.data(), static_cast<std::size_t>(w.size())));
    return w.cast<typename Matrix::Scalar>();
}

template <typename Scalar>
std::span<const Scalar> view(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& m) {
    return {m.data(), static_cast<std::size_t>(m.size())};
}
template <typename Scalar>
std::span<Scalar> view(Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& m) {
    return {m.data(), static_cast<std::size_t>(m.size())};
}

// Mean and standard deviation in double; eight independent lanes so the loop vectorises
// without reassociation (this runs for every layer on every step).
template <typename Scalar>
void meanAndStd(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& m, double& mean, double& stddev) {
    const Scalar* data = m.data();
    const Eigen::Index size = m.size();
    double sums[8] = {}, squares[8] = {};
    Eigen::Index i = 0;
    for (; i + 8 <= size; i += 8)
        for (int k = 0; k < 8; ++k) {
            const double v = data[i + k];
            sums[k] += v;
            squares[k] += v * v;
        }
    double sum = 0.0, sumSquares = 0.0;
    for (; i < size; ++i) {
        sum += data[i];
        sumSquares += double(data[i]) * data[i];
    }
    for (int k = 0; k < 8; ++k) {
        sum += sums[k];
        sumSquares += squares[k];
    }
    const auto n = static_cast<double>(size);
    mean = n > 0 ? sum / n : kNotApplicable;
    stddev = n > 0 ? std::sqrt(std::max(0.0, sumSquares / n - mean * mean)) : kNotApplicable;
    if (n > 0 && !(std::isfinite(mean) && std::isfinite(stddev))) rescaledMeanAndStd(m, mean, stddev);
}

}  // namespace

template <typename Scalar>
std::vector<typename FeedForwardNet<Scalar>::Layer> FeedForwardNet<Scalar>::buildLayers(const ExperimentConfig& config,
                                                                                        Random& rng) {
    const int hidden = static_cast<int>(config.layers.size());
    std::vector<Layer> layers(static_cast<std::size_t>(hidden));
    int fanIn = config.inputDimension();
    for (int i = 0; i < hidden; ++i) {
        const LayerSpec& spec = config.layers[i];
        Layer& layer = layers[i];
        layer.activation = spec.activation;
        layer.batchNorm = spec.batchNorm;
        layer.layerNorm = spec.layerNorm;
        layer.weights = drawWeights<Matrix>(spec.init, fanIn, spec.width, rng);
        layer.weightGrad = Matrix::Zero(spec.width, fanIn);
        if (layer.normalised()) {
            // The bias is redundant before batch norm (the mean is subtracted) and, up to
            // beta, before layer norm; beta takes its role.
            layer.gamma = Vector::Ones(spec.width);
            layer.beta = Vector::Zero(spec.width);
            layer.gammaGrad = layer.betaGrad = Vector::Zero(spec.width);
        }
        if (spec.batchNorm) {
            layer.runningMean = Vector::Zero(spec.width);
            layer.runningVar = Vector::Ones(spec.width);
        } else if (!spec.layerNorm) {
            layer.bias.resize(spec.width);
            for (int u = 0; u < spec.width; ++u)
                layer.bias[u] = static_cast<Scalar>(config.biasInit.value + config.biasInit.std * rng.normal());
            layer.biasGrad = Vector::Zero(spec.width);
        }
        layer.maxDerivative = maxDerivative(spec.activation);
        layer.dropoutRate = spec.dropout;
        fanIn = spec.width;
    }
    // Residual groups: [start, start + every - 1] from layer 2 on; a short last group keeps its skip.
    if (config.residual.every > 0) {
        const BranchScaleKind scaling = config.residual.branchScale;
        const Scalar fixedScale = Scalar(1.0 / std::sqrt(static_cast<double>(std::max(config.residualBlocks(), 1))));
        for (int start = 2; start <= hidden; start += config.residual.every) {
            const int end = std::min(start + config.residual.every - 1, hidden);
            // validateExperiment reports this to users; reaching it here is a programming error.
            if (config.layers[start - 2].width != config.layers[end - 1].width)
                throw std::invalid_argument("residual group widths differ; the config was not validated");
            layers[end - 1].residualStart = start;
            if (config.residual.fixup) {
                // Drawn first and rescaled after, so the weight stream stays the same as without Fixup.
                const Scalar scale = static_cast<Scalar>(config.fixupScale(end - start + 1));
                for (int l = start; l < end; ++l) layers[l - 1].weights *= scale;
                layers[end - 1].weights.setZero();
            }
            if (scaling == BranchScaleKind::ReZero) {
                layers[end - 1].branchScale = Scalar(0);
                layers[end - 1].learnsBranchScale = true;
            } else if (scaling == BranchScaleKind::InverseSqrtBlocks) {
                layers[end - 1].branchScale = fixedScale;
            }
        }
    }
    return layers;
}

template <typename Scalar>
FeedForwardNet<Scalar>::FeedForwardNet(const ExperimentConfig& config, Random& rng)
    : m_layers(buildLayers(config, rng)),
      m_readout(config.layers.empty() ? config.inputDimension() : config.layers.back().width, config.outputDimension(), rng),
      m_dropoutRng(dropoutStream(config.seed)) {
    m_passes.resize(m_layers.size());
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        if (!m_layers[i].batchNorm) continue;
        // Before the first training step a probe sees the statistics of a unit-variance,
        // zero-mean batch, so the spectrum at initialisation is defined.
        const auto width = m_layers[i].weights.rows();
        m_passes[i].batchMean = Vector::Zero(width);
        m_passes[i].batchInvStd = Vector::Constant(width, Scalar(1.0 / std::sqrt(1.0 + kBatchNormEpsilon)));
    }
}

template <typename Scalar>
const typename FeedForwardNet<Scalar>::Matrix& FeedForwardNet<Scalar>::layerInput(int index) const {
    return index == 0 ? *m_inputs : m_passes[index - 1].h;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::normaliseWithBatchStatistics(const Layer& layer, LayerPass& pass) const {
    const Scalar batch = static_cast<Scalar>(pass.z.cols());
    pass.batchMean = pass.z.rowwise().mean();
    pass.zHat = pass.z.colwise() - pass.batchMean;
    pass.batchVariance = pass.zHat.array().square().rowwise().sum().matrix() / batch;
    pass.batchInvStd = (pass.batchVariance.array() + Scalar(kBatchNormEpsilon)).rsqrt().matrix();
    pass.zHat = pass.batchInvStd.asDiagonal() * pass.zHat;
    pass.y = layer.gamma.asDiagonal() * pass.zHat;
    pass.y.colwise() += layer.beta;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::normaliseWithHeldStatistics(const Layer& layer, const LayerPass& lastTraining, ForwardMode mode,
                                                         LayerPass& pass) const {
    if (mode == ForwardMode::Evaluate) {
        pass.scale = layer.gamma.cwiseProduct((layer.runningVar.array() + Scalar(kBatchNormEpsilon)).rsqrt().matrix());
        pass.y.colwise() -= layer.runningMean;
    } else {
        pass.scale = layer.gamma.cwiseProduct(lastTraining.batchInvStd);
        pass.y.colwise() -= lastTraining.batchMean;
    }
    pass.y = pass.scale.asDiagonal() * pass.y;
    pass.y.colwise() += layer.beta;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::normaliseEachSample(const Layer& layer, LayerPass& pass) const {
    // Over the units of one sample, so training, evaluation and probes all compute the same.
    const Scalar width = static_cast<Scalar>(pass.z.rows());
    pass.zHat = pass.z.rowwise() - pass.z.colwise().mean();
    pass.sampleInvStd = (pass.zHat.array().square().colwise().sum() / width + Scalar(kBatchNormEpsilon)).rsqrt().matrix();
    pass.zHat = pass.zHat * pass.sampleInvStd.asDiagonal();
    pass.y = layer.gamma.asDiagonal() * pass.zHat;
    pass.y.colwise() += layer.beta;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::updateRunningStatistics(Layer& layer, const LayerPass& pass) {
    // Running statistics use the unbiased variance, as evaluation sees single samples.
    const Scalar batch = static_cast<Scalar>(pass.z.cols());
    const Scalar unbiased = batch > 1 ? batch / (batch - 1) : Scalar(1);
    const Scalar m = Scalar(kRunningMomentum);
    layer.runningMean = (Scalar(1) - m) * layer.runningMean + m * pass.batchMean;
    layer.runningVar = (Scalar(1) - m) * layer.runningVar + (m * unbiased) * pass.batchVariance;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::drawDropoutMasks(Eigen::Index batchColumns) {
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const Layer& layer = m_layers[i];
        Matrix& mask = m_passes[i].dropMask;
        if (layer.dropoutRate <= 0.0) continue;
        const Eigen::Index width = layer.weights.rows();
        if (m_dropoutMasks == DropoutMasks::Held && mask.rows() == width && mask.cols() == batchColumns) continue;
        // Inverted dropout: the kept units' expectation equals the undropped value, so
        // evaluation needs no rescaling. Compared in double, so float and double nets drop alike.
        const Scalar kept = static_cast<Scalar>(1.0 / (1.0 - layer.dropoutRate));
        mask.resize(width, batchColumns);
        for (Eigen::Index k = 0; k < mask.size(); ++k)
            mask.data()[k] = m_dropoutRng.uniform() < layer.dropoutRate ? Scalar(0) : kept;
    }
}

template <typename Scalar>
void FeedForwardNet<Scalar>::forwardHidden(const Matrix& inputs, ForwardMode mode, bool withDerivatives,
                                           std::vector<LayerPass>& passes) const {
    passes.resize(m_layers.size());
    for (std::size_t i = 0; i < m_layers.size(); ++i) forwardLayer(i, i == 0 ? inputs : passes[i - 1].h, mode, withDerivatives, passes);
}

template <typename Scalar>
void FeedForwardNet<Scalar>::forwardLayer(std::size_t i, const Matrix& input, ForwardMode mode, bool withDerivatives,
                                          std::vector<LayerPass>& passes) const {
    const Layer& layer = m_layers[i];
    LayerPass& pass = passes[i];
    if (layer.layerNorm) {
        pass.z.noalias() = layer.weights * input;
        normaliseEachSample(layer, pass);
    } else if (layer.batchNorm && mode == ForwardMode::Train) {
        pass.z.noalias() = layer.weights * input;
        normaliseWithBatchStatistics(layer, pass);
    } else {
        pass.y.noalias() = layer.weights * input;
        if (layer.batchNorm) normaliseWithHeldStatistics(layer, m_passes[i], mode, pass);
        else pass.y.colwise() += layer.bias;
    }
    pass.h.resize(pass.y.rows(), pass.y.cols());
    activateArray<Scalar>(layer.activation, view(pass.y), view(pass.h));
    if (withDerivatives) {
        pass.derivative.resize(pass.y.rows(), pass.y.cols());
        derivativeArray<Scalar>(layer.activation, view(pass.y), view(pass.h), view(pass.derivative));
    }
    // Only training drops units; evaluation and probes see the whole layer (inverted dropout).
    if (layer.dropoutRate > 0.0 && mode == ForwardMode::Train) pass.h.array() *= pass.dropMask.array();
    if (layer.residualStart > 0) {
        if (layer.learnsBranchScale && mode == ForwardMode::Train) pass.branch = pass.h;
        if (layer.branchScale != Scalar(1)) pass.h *= layer.branchScale;
        pass.h += passes[layer.residualStart - 2].h;
    }
}

template <typename Scalar>
int FeedForwardNet<Scalar>::scaleToUnitVariance(const Matrix& inputs) {
    std::vector<LayerPass> passes(m_layers.size());
    int rescaled = 0;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        Layer& layer = m_layers[i];
        const Matrix& input = i == 0 ? inputs : passes[i - 1].h;
        // W h is linear in W: one product serves every iteration, and only the bias (which
        // LSUV leaves alone) keeps a single rescaling from landing on 1 exactly.
        const Matrix product = layer.weights * input;
        double factor = 1.0;
        for (int iteration = 0; iteration < kLsuvMaxIterations; ++iteration) {
            Eigen::MatrixXd dense = product.template cast<double>() * factor;
            if (layer.bias.size() > 0) dense.colwise() += layer.bias.template cast<double>();
            const double count = static_cast<double>(dense.size());
            const double mean = dense.sum() / count;
            const double variance = (dense.array() - mean).square().sum() / count;
            // A layer whose output does not vary (all inputs dead, zero weights) has no
            // scale to find; it is left as drawn.
            if (!(variance > 0.0) || !std::isfinite(variance) || std::abs(variance - 1.0) < kLsuvTolerance) break;
            factor /= std::sqrt(variance);
        }
        if (factor != 1.0) {
            layer.weights *= static_cast<Scalar>(factor);
            ++rescaled;
        }
        forwardLayer(i, input, ForwardMode::Evaluate, false, passes);
    }
    return rescaled;
}

template <typename Scalar>
const typename FeedForwardNet<Scalar>::Matrix& FeedForwardNet<Scalar>::forward(const Matrix& inputs, int batch) {
    m_inputs = &inputs;
    m_batch = batch;
    drawDropoutMasks(inputs.cols());
    forwardHidden(inputs, ForwardMode::Train, true, m_passes);
    for (std::size_t i = 0; i < m_layers.size(); ++i)
        if (m_layers[i].batchNorm) updateRunningStatistics(m_layers[i], m_passes[i]);
    m_readout.forward(layerInput(hiddenLayers()), m_outputs);
    return m_outputs;
}

template <typename Scalar>
double FeedForwardNet<Scalar>::loss(const Matrix& targets, LossKind kind, double& accuracy) {
    return computeLoss<Scalar>(m_outputs, targets, kind, m_outputGrad, accuracy);
}

template <typename Scalar>
void FeedForwardNet<Scalar>::backwardBatchNorm(Layer& layer, LayerPass& pass) {
    // y = gamma * zHat + beta,  zHat = (z - mu) * s,  s = 1 / sqrt(var + eps), per unit over the batch.
    // dL/dz = (s / B) * (B dzHat - sum_b dzHat - zHat * sum_b (dzHat * zHat)),  dzHat = gamma * dL/dy.
    // On entry pass.z holds dL/dy (B columns); on exit dL/dz.
    Matrix& grad = pass.z;
    const Scalar batch = static_cast<Scalar>(grad.cols());
    layer.betaGrad = grad.rowwise().sum();
    layer.gammaGrad = grad.cwiseProduct(pass.zHat).rowwise().sum();
    grad = layer.gamma.asDiagonal() * grad;  // dzHat
    const Vector sumGrad = grad.rowwise().sum();
    const Vector sumGradZHat = grad.cwiseProduct(pass.zHat).rowwise().sum();
    grad = batch * grad;
    grad.colwise() -= sumGrad;
    grad -= sumGradZHat.asDiagonal() * pass.zHat;
    grad = (pass.batchInvStd / batch).asDiagonal() * grad;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::backwardLayerNorm(Layer& layer, LayerPass& pass) {
    // The batch-norm formula with units and samples swapped: per sample b over its n units,
    // dL/dz = (s_b / n) * (n dzHat - sum_u dzHat - zHat * sum_u (dzHat * zHat)).
    // On entry pass.z holds dL/dy; on exit dL/dz.
    Matrix& grad = pass.z;
    const Scalar width = static_cast<Scalar>(grad.rows());
    layer.betaGrad = grad.rowwise().sum();
    layer.gammaGrad = grad.cwiseProduct(pass.zHat).rowwise().sum();
    grad = layer.gamma.asDiagonal() * grad;  // dzHat
    const RowVector sumGrad = grad.colwise().sum();
    const RowVector sumGradZHat = grad.cwiseProduct(pass.zHat).colwise().sum();
    grad = width * grad;
    grad.rowwise() -= sumGrad;
    grad -= pass.zHat * sumGradZHat.asDiagonal();
    grad = grad * (pass.sampleInvStd / width).asDiagonal();
}

template <typename Scalar>
void FeedForwardNet<Scalar>::backward() {
    const int hidden = hiddenLayers();
    m_readout.backward(m_outputGrad, layerInput(hidden), hidden > 0 ? &m_passes[hidden - 1].outputGrad : nullptr);
    int pendingSkipFrom = -1, pendingSkipTo = -1;  // 0-based layer indices
    for (int i = hidden - 1; i >= 0; --i) {
        Layer& layer = m_layers[i];
        LayerPass& pass = m_passes[i];
        // h_i = phi(y_i) [+ h_{start-1}]: the skip passes outputGrad unchanged to the group input.
        if (layer.residualStart > 0) {
            pendingSkipFrom = i;
            pendingSkipTo = layer.residualStart - 2;
        }
        // With batch or layer norm, z's forward value is not needed again, so it becomes the
        // dL/dy, then dL/dz buffer; without, dL/dy gets its own buffer so the pre-activations y
        // stay readable after the step (layerValues()).
        Matrix& delta = layer.normalised() ? pass.z : pass.delta;
        delta = pass.outputGrad.cwiseProduct(pass.derivative);
        // h = m * phi(y) with dropout's mask m fixed: dL/dy = dL/dh * m * phi'(y).
        if (layer.dropoutRate > 0.0) delta.array() *= pass.dropMask.array();
        // h = skip + alpha * phi(y): d alpha = sum dL/dh * phi(y); the branch sees alpha dL/dh.
        if (layer.learnsBranchScale) layer.branchScaleGrad = pass.outputGrad.cwiseProduct(pass.branch).sum();
        if (layer.branchScale != Scalar(1)) delta *= layer.branchScale;
        if (layer.batchNorm) backwardBatchNorm(layer, pass);
        if (layer.layerNorm) backwardLayerNorm(layer, pass);
        // z = W x + b:  dW = dz x^T,  db = dz 1,  dx = W^T dz.
        layer.weightGrad.noalias() = delta * layerInput(i).transpose();
        if (!layer.normalised()) layer.biasGrad = delta.rowwise().sum();
        if (i > 0) {
            Matrix& below = m_passes[i - 1].outputGrad;
            below.noalias() = layer.weights.transpose() * delta;
            if (pendingSkipTo == i - 1) {
                below += m_passes[pendingSkipFrom].outputGrad;
                pendingSkipTo = pendingSkipFrom = -1;
            }
        }
    }
}

template <typename Scalar>
typename FeedForwardNet<Scalar>::Matrix FeedForwardNet<Scalar>::predict(const Matrix& inputs) const {
    std::vector<LayerPass> passes;
    forwardHidden(inputs, ForwardMode::Evaluate, false, passes);
    return m_readout.evaluate(passes.empty() ? inputs : passes.back().h);
}

template <typename Scalar>
typename FeedForwardNet<Scalar>::Matrix FeedForwardNet<Scalar>::predict(const std::vector<Eigen::MatrixXd>& inputs) const {
    return predict(inputs.front().cast<Scalar>());
}

template <typename Scalar>
void FeedForwardNet<Scalar>::gradientStatistics(std::vector<LayerStats>& out) const {
    out.assign(depthUnits(), LayerStats{});
    const double rootBatch = std::sqrt(static_cast<double>(m_batch));
    for (int i = 0; i < hiddenLayers(); ++i) {
        const Layer& layer = m_layers[i];
        const LayerPass& pass = m_passes[i];
        LayerStats& s = out[i];
        s.weightGradNorm = l2Norm(layer.weightGrad.data(), layer.weightGrad.size());
        s.biasGradNorm = layer.normalised() ? l2Norm(layer.betaGrad.data(), layer.betaGrad.size())
                                            : l2Norm(layer.biasGrad.data(), layer.biasGrad.size());
        // The loss is a batch mean, so sample b's own gradient is B times column b: the RMS
        // over samples of ||B g_b|| equals sqrt(B) ||G||_F.
        s.activationGradNorm = rootBatch * l2Norm(pass.outputGrad.data(), pass.outputGrad.size());
        s.weightNorm = l2Norm(layer.weights.data(), layer.weights.size());
        meanAndStd(pass.h, s.activationMean, s.activationStd);
        const Scalar threshold = static_cast<Scalar>(kSaturatedDerivativeFraction * layer.maxDerivative);
        const auto saturated = (pass.derivative.array().abs() < threshold).count();
        s.saturation = static_cast<double>(saturated) / static_cast<double>(pass.derivative.size());
        // Exactly zero, not "small": a ReLU that never fires on the batch passes nothing back.
        const auto dead = (pass.derivative.array() == Scalar(0)).rowwise().all().count();
        s.deadFraction = static_cast<double>(dead) / static_cast<double>(pass.derivative.rows());
        if (layer.dropoutRate > 0.0) {
            const auto dropped = (pass.dropMask.array() == Scalar(0)).count();
            s.droppedFraction = static_cast<double>(dropped) / static_cast<double>(pass.dropMask.size());
        }
    }
    LayerStats& o = out.back();
    o.weightGradNorm = l2Norm(m_readout.weightGrad().data(), m_readout.weightGrad().size());
    o.biasGradNorm = l2Norm(m_readout.biasGrad().data(), m_readout.biasGrad().size());
    o.activationGradNorm = rootBatch * l2Norm(m_outputGrad.data(), m_outputGrad.size());
    o.weightNorm = l2Norm(m_readout.weights().data(), m_readout.weights().size());
    meanAndStd(m_outputs, o.activationMean, o.activationStd);
}

template <typename Scalar>
int FeedForwardNet<Scalar>::firstNonFiniteActivation() const {
    for (int i = 0; i < hiddenLayers(); ++i)
        if (!m_passes[i].h.allFinite()) return i + 1;
    return m_outputs.allFinite() ? 0 : depthUnits();
}

template <typename Scalar>
int FeedForwardNet<Scalar>::firstNonFiniteGradient() const {
    if (!m_outputGrad.allFinite() || !m_readout.weightGrad().allFinite()) return depthUnits();
    for (int i = hiddenLayers() - 1; i >= 0; --i) {
        if (!m_passes[i].outputGrad.allFinite() || !m_layers[i].weightGrad.allFinite()) return i + 1;
    }
    return 0;
}

template <typename Scalar>
std::vector<ParameterBlock<Scalar>> FeedForwardNet<Scalar>::parameterBlocks() {
    std::vector<ParameterBlock<Scalar>> blocks;
    for (int i = 0; i < hiddenLayers(); ++i) {
        Layer& l = m_layers[i];
        blocks.push_back({l.weights.data(), l.weightGrad.data(), l.weights.size(), true, i, true});
        if (l.normalised()) {
            blocks.push_back({l.gamma.data(), l.gammaGrad.data(), l.gamma.size(), false, i, false});
            blocks.push_back({l.beta.data(), l.betaGrad.data(), l.beta.size(), false, i, false});
        } else {
            blocks.push_back({l.bias.data(), l.biasGrad.data(), l.bias.size(), false, i, false});
        }
        if (l.learnsBranchScale) blocks.push_back({&l.branchScale, &l.branchScaleGrad, 1, false, i, false});
    }
    m_readout.appendParameterBlocks(blocks, hiddenLayers(), true);
    return blocks;
}

template <typename Scalar>
typename FeedForwardNet<Scalar>::Matrix FeedForwardNet<Scalar>::lastHidden(const Matrix& inputs, ForwardMode mode) const {
    if (mode == ForwardMode::Train) throw std::invalid_argument("lastHidden: training mode changes the net; use forward()");
    std::vector<LayerPass> passes;
    forwardHidden(inputs, mode, false, passes);
    return passes.empty() ? inputs : passes.back().h;
}

template <typename Scalar>
JacobianChain FeedForwardNet<Scalar>::jacobianChain(const Matrix& probeInputs, ForwardMode mode) const {
    if (mode == ForwardMode::Train) throw std::invalid_argument("jacobianChain: training mode changes the net");
    JacobianChain chain;
    chain.probes = static_cast<int>(probeInputs.cols());
    chain.firstDepthUnit = 2;
    std::vector<LayerPass> passes;
    forwardHidden(probeInputs, mode, true, passes);
    // J starts at h_1: layer 1's own Jacobian is not part of it.
    for (int i = 1; i < hiddenLayers(); ++i) {
        const Layer& layer = m_layers[i];
        Eigen::MatrixXd d = passes[i].derivative.template cast<double>();
        if (layer.batchNorm) d = passes[i].scale.template cast<double>().asDiagonal() * d;
        if (layer.layerNorm) {
            // d folds in gamma and each probe's 1/sigma; the centring is the chain's projection.
            d = layer.gamma.template cast<double>().asDiagonal() * d *
                passes[i].sampleInvStd.template cast<double>().asDiagonal();
            chain.normalised.resize(chain.weights.size());  // earlier units without layer norm stay empty
            chain.normalised.push_back(passes[i].zHat.template cast<double>());
        }
        // The group's Jacobian is I + (branch scale) x (product): the scale goes with its last unit.
        if (layer.branchScale != Scalar(1)) d *= static_cast<double>(layer.branchScale);
        chain.weights.push_back(layer.weights.template cast<double>());
        chain.derivatives.push_back(std::move(d));
        if (layer.residualStart > 0) chain.residualGroups.emplace_back(layer.residualStart - 2, i - 1);
    }
    return chain;
}

template <typename Scalar>
JacobianChain FeedForwardNet<Scalar>::jacobianChain(const std::vector<Eigen::MatrixXd>& inputs, int probes) const {
    const int count = std::clamp(probes, 1, static_cast<int>(inputs.front().cols()));
    return jacobianChain(inputs.front().leftCols(count).template cast<Scalar>());
}

template <typename Scalar>
std::vector<Eigen::MatrixXd> FeedForwardNet<Scalar>::weightMatrices() const {
    std::vector<Eigen::MatrixXd> result;
    for (const Layer& layer : m_layers) result.push_back(layer.weights.template cast<double>());
    result.push_back(m_readout.weights().template cast<double>());
    return result;
}

template <typename Scalar>
std::string_view FeedForwardNet<Scalar>::layerValuesMissing(LayerQuantity q, int unit) const {
    if (unit < 1 || unit > depthUnits()) return "no such layer";
    if (unit == depthUnits() && q == LayerQuantity::Activation)
        return "the output layer has no activation function: its pre-activations are the outputs the loss reads";
    return {};
}

template <typename Scalar>
std::span<const Scalar> FeedForwardNet<Scalar>::layerValues(LayerQuantity q, int unit) const {
    if (!layerValuesMissing(q, unit).empty()) return {};
    const auto whole = [](const auto& m) { return std::span<const Scalar>(m.data(), static_cast<std::size_t>(m.size())); };
    if (unit == depthUnits()) {
        switch (q) {
        case LayerQuantity::Preactivation: return whole(m_outputs);
        case LayerQuantity::Weight: return whole(m_readout.weights());
        case LayerQuantity::WeightGrad: return whole(m_readout.weightGrad());
        case LayerQuantity::ActivationGrad: return whole(m_outputGrad);
        case LayerQuantity::Activation: break;
        }
        return {};
    }
    const Layer& layer = m_layers[static_cast<std::size_t>(unit - 1)];
    const LayerPass& pass = m_passes[static_cast<std::size_t>(unit - 1)];
    switch (q) {
    case LayerQuantity::Preactivation: return whole(pass.y);
    case LayerQuantity::Activation: return whole(pass.h);
    case LayerQuantity::Weight: return whole(layer.weights);
    case LayerQuantity::WeightGrad: return whole(layer.weightGrad);
    case LayerQuantity::ActivationGrad: return whole(pass.outputGrad);
    }
    return {};
}

template class FeedForwardNet<float>;
template class FeedForwardNet<double>;

}  // namespace gradflow::core
