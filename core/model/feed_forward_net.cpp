#include "core/model/feed_forward_net.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/model/activation.h"
#include "core/training/gradient_clipping.h"
#include "core/model/initializer.h"
#include "core/data/random.h"
#include "core/model/rescaled_moments.h"
#include "core/model/loss.h"

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
FeedForwardNet<Scalar>::FeedForwardNet(const ExperimentConfig& config, Random& rng) {
    const int hidden = static_cast<int>(config.layers.size());
    m_layers.resize(hidden);
    int fanIn = config.inputDimension();
    for (int i = 0; i < hidden; ++i) {
        const LayerSpec& spec = config.layers[i];
        Layer& layer = m_layers[i];
        layer.activation = spec.activation;
        layer.batchNorm = spec.batchNorm;
        layer.weights = drawWeights<Matrix>(spec.init, fanIn, spec.width, rng);
        layer.weightGrad = Matrix::Zero(spec.width, fanIn);
        if (spec.batchNorm) {
            // The bias is redundant before batch norm (the mean is subtracted); beta takes its role.
            layer.gamma = Vector::Ones(spec.width);
            layer.beta = Vector::Zero(spec.width);
            layer.gammaGrad = layer.betaGrad = Vector::Zero(spec.width);
            layer.runningMean = Vector::Zero(spec.width);
            layer.runningVar = Vector::Ones(spec.width);
            layer.batchMean = Vector::Zero(spec.width);
            layer.batchInvStd = Vector::Constant(spec.width, Scalar(1.0 / std::sqrt(1.0 + kBatchNormEpsilon)));
        } else {
            layer.bias.resize(spec.width);
            for (int u = 0; u < spec.width; ++u)
                layer.bias[u] = static_cast<Scalar>(config.biasInit.value + config.biasInit.std * rng.normal());
            layer.biasGrad = Vector::Zero(spec.width);
        }
        m_maxDerivative.push_back(maxDerivative(spec.activation));
        fanIn = spec.width;
    }
    // Residual groups: [start, start + every - 1] from layer 2 on; a short last group keeps its skip.
    if (config.residual.every > 0) {
        for (int start = 2; start <= hidden; start += config.residual.every) {
            const int end = std::min(start + config.residual.every - 1, hidden);
            // validateExperiment reports this to users; reaching it here is a programming error.
            if (config.layers[start - 2].width != config.layers[end - 1].width)
                throw std::invalid_argument("residual group widths differ; the config was not validated");
            m_layers[end - 1].residualStart = start;
        }
    }
    // The output layer is always Xavier-normal with gain 1, so the loss starts sane whatever
    // the hidden layers do; the lessons are about the hidden stack.
    const int outputs = config.outputDimension();
    m_outWeights = drawWeights<Matrix>(InitSpec{InitKind::XavierNormal}, fanIn, outputs, rng);
    m_outBias = Vector::Zero(outputs);
    m_outWeightGrad = Matrix::Zero(outputs, fanIn);
    m_outBiasGrad = Vector::Zero(outputs);
}

template <typename Scalar>
const typename FeedForwardNet<Scalar>::Matrix& FeedForwardNet<Scalar>::layerInput(int index) const {
    return index == 0 ? *m_inputs : m_layers[index - 1].h;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::forwardBatchNorm(Layer& layer) {
    const Scalar batch = static_cast<Scalar>(layer.z.cols());
    layer.batchMean = layer.z.rowwise().mean();
    layer.zHat = layer.z.colwise() - layer.batchMean;
    const Vector variance = layer.zHat.array().square().rowwise().sum().matrix() / batch;
    layer.batchInvStd = (variance.array() + Scalar(kBatchNormEpsilon)).rsqrt().matrix();
    layer.zHat = layer.batchInvStd.asDiagonal() * layer.zHat;
    layer.y = layer.gamma.asDiagonal() * layer.zHat;
    layer.y.colwise() += layer.beta;
    // Running statistics use the unbiased variance, as evaluation sees single samples.
    const Scalar unbiased = batch > 1 ? batch / (batch - 1) : Scalar(1);
    const Scalar m = Scalar(kRunningMomentum);
    layer.runningMean = (Scalar(1) - m) * layer.runningMean + m * layer.batchMean;
    layer.runningVar = (Scalar(1) - m) * layer.runningVar + (m * unbiased) * variance;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::forwardLayer(Layer& layer, const Matrix& input, int index) {
    if (layer.batchNorm) {
        layer.z.noalias() = layer.weights * input;
        forwardBatchNorm(layer);
    } else {
        layer.y.noalias() = layer.weights * input;
        layer.y.colwise() += layer.bias;
    }
    layer.h.resize(layer.y.rows(), layer.y.cols());
    layer.derivative.resize(layer.y.rows(), layer.y.cols());
    activateArray<Scalar>(layer.activation, view(layer.y), view(layer.h));
    derivativeArray<Scalar>(layer.activation, view(layer.y), view(layer.h), view(layer.derivative));
    if (layer.residualStart > 0) layer.h += m_layers[layer.residualStart - 2].h;
    (void)index;
}

template <typename Scalar>
const typename FeedForwardNet<Scalar>::Matrix& FeedForwardNet<Scalar>::forward(const Matrix& inputs) {
    m_inputs = &inputs;
    m_batch = static_cast<int>(inputs.cols());
    for (int i = 0; i < hiddenLayers(); ++i) forwardLayer(m_layers[i], layerInput(i), i);
    m_outputs.noalias() = m_outWeights * layerInput(hiddenLayers());
    m_outputs.colwise() += m_outBias;
    return m_outputs;
}

template <typename Scalar>
double FeedForwardNet<Scalar>::loss(const Matrix& targets, LossKind kind, double& accuracy) {
    return computeLoss<Scalar>(m_outputs, targets, kind, m_outputGrad, accuracy);
}

template <typename Scalar>
void FeedForwardNet<Scalar>::backwardBatchNorm(Layer& layer) {
    // y = gamma * zHat + beta,  zHat = (z - mu) * s,  s = 1 / sqrt(var + eps), per unit over the batch.
    // dL/dz = (s / B) * (B dzHat - sum_b dzHat - zHat * sum_b (dzHat * zHat)),  dzHat = gamma * dL/dy.
    // On entry layer.z holds dL/dy (B columns); on exit dL/dz.
    Matrix& grad = layer.z;
    const Scalar batch = static_cast<Scalar>(grad.cols());
    layer.betaGrad = grad.rowwise().sum();
    layer.gammaGrad = grad.cwiseProduct(layer.zHat).rowwise().sum();
    grad = layer.gamma.asDiagonal() * grad;  // dzHat
    const Vector sumGrad = grad.rowwise().sum();
    const Vector sumGradZHat = grad.cwiseProduct(layer.zHat).rowwise().sum();
    grad = batch * grad;
    grad.colwise() -= sumGrad;
    grad -= sumGradZHat.asDiagonal() * layer.zHat;
    grad = (layer.batchInvStd / batch).asDiagonal() * grad;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::backward() {
    // Output layer: outputs = W_out h_L + b_out.
    const int hidden = hiddenLayers();
    m_outWeightGrad.noalias() = m_outputGrad * layerInput(hidden).transpose();
    m_outBiasGrad = m_outputGrad.rowwise().sum();
    Matrix* nextGrad = hidden > 0 ? &m_layers[hidden - 1].outputGrad : nullptr;
    if (nextGrad) nextGrad->noalias() = m_outWeights.transpose() * m_outputGrad;
    int pendingSkipFrom = -1, pendingSkipTo = -1;  // 0-based layer indices
    for (int i = hidden - 1; i >= 0; --i) {
        Layer& layer = m_layers[i];
        // h_i = phi(y_i) [+ h_{start-1}]: the skip passes outputGrad unchanged to the group input.
        if (layer.residualStart > 0) {
            pendingSkipFrom = i;
            pendingSkipTo = layer.residualStart - 2;
        }
        // Reuse z as the dL/dy, then dL/dz buffer: z's forward value is not needed again.
        Matrix& delta = layer.batchNorm ? layer.z : layer.y;
        delta = layer.outputGrad.cwiseProduct(layer.derivative);
        if (layer.batchNorm) backwardBatchNorm(layer);
        // z = W x + b:  dW = dz x^T,  db = dz 1,  dx = W^T dz.
        layer.weightGrad.noalias() = delta * layerInput(i).transpose();
        if (!layer.batchNorm) layer.biasGrad = delta.rowwise().sum();
        if (i > 0) {
            Matrix& below = m_layers[i - 1].outputGrad;
            below.noalias() = layer.weights.transpose() * delta;
            if (pendingSkipTo == i - 1) {
                below += m_layers[pendingSkipFrom].outputGrad;
                pendingSkipTo = pendingSkipFrom = -1;
            }
        }
    }
}

template <typename Scalar>
typename FeedForwardNet<Scalar>::Matrix FeedForwardNet<Scalar>::predict(const Matrix& inputs) const {
    std::vector<Matrix> outputs(m_layers.size());
    const Matrix* input = &inputs;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const Layer& layer = m_layers[i];
        Matrix y = layer.weights * *input;
        if (layer.batchNorm) {
            const Vector scale = layer.gamma.cwiseProduct((layer.runningVar.array() + Scalar(kBatchNormEpsilon)).rsqrt().matrix());
            y.colwise() -= layer.runningMean;
            y = scale.asDiagonal() * y;
            y.colwise() += layer.beta;
        } else {
            y.colwise() += layer.bias;
        }
        outputs[i].resize(y.rows(), y.cols());
        activateArray<Scalar>(layer.activation, view(y), view(outputs[i]));
        if (layer.residualStart > 0) outputs[i] += outputs[layer.residualStart - 2];
        input = &outputs[i];
    }
    Matrix result = m_outWeights * *input;
    result.colwise() += m_outBias;
    return result;
}

template <typename Scalar>
void FeedForwardNet<Scalar>::gradientStatistics(std::vector<LayerStats>& out) const {
    out.assign(depthUnits(), LayerStats{});
    const double rootBatch = std::sqrt(static_cast<double>(m_batch));
    for (int i = 0; i < hiddenLayers(); ++i) {
        const Layer& layer = m_layers[i];
        LayerStats& s = out[i];
        s.weightGradNorm = l2Norm(layer.weightGrad.data(), layer.weightGrad.size());
        s.biasGradNorm = layer.batchNorm ? l2Norm(layer.betaGrad.data(), layer.betaGrad.size())
                                         : l2Norm(layer.biasGrad.data(), layer.biasGrad.size());
        // The loss is a batch mean, so sample b's own gradient is B times column b: the RMS
        // over samples of ||B g_b|| equals sqrt(B) ||G||_F.
        s.activationGradNorm = rootBatch * l2Norm(layer.outputGrad.data(), layer.outputGrad.size());
        s.weightNorm = l2Norm(layer.weights.data(), layer.weights.size());
        meanAndStd(layer.h, s.activationMean, s.activationStd);
        const Scalar threshold = static_cast<Scalar>(kSaturatedDerivativeFraction * m_maxDerivative[i]);
        const auto saturated = (layer.derivative.array().abs() < threshold).count();
        s.saturation = static_cast<double>(saturated) / static_cast<double>(layer.derivative.size());
    }
    LayerStats& o = out.back();
    o.weightGradNorm = l2Norm(m_outWeightGrad.data(), m_outWeightGrad.size());
    o.biasGradNorm = l2Norm(m_outBiasGrad.data(), m_outBiasGrad.size());
    o.activationGradNorm = rootBatch * l2Norm(m_outputGrad.data(), m_outputGrad.size());
    o.weightNorm = l2Norm(m_outWeights.data(), m_outWeights.size());
    meanAndStd(m_outputs, o.activationMean, o.activationStd);
}

template <typename Scalar>
int FeedForwardNet<Scalar>::firstNonFiniteActivation() const {
    for (int i = 0; i < hiddenLayers(); ++i)
        if (!m_layers[i].h.allFinite()) return i + 1;
    return m_outputs.allFinite() ? 0 : depthUnits();
}

template <typename Scalar>
int FeedForwardNet<Scalar>::firstNonFiniteGradient() const {
    if (!m_outputGrad.allFinite() || !m_outWeightGrad.allFinite()) return depthUnits();
    for (int i = hiddenLayers() - 1; i >= 0; --i) {
        const Layer& layer = m_layers[i];
        if (!layer.outputGrad.allFinite() || !layer.weightGrad.allFinite()) return i + 1;
    }
    return 0;
}

template <typename Scalar>
std::vector<typename FeedForwardNet<Scalar>::Block> FeedForwardNet<Scalar>::parameterBlocks() {
    std::vector<Block> blocks;
    for (int i = 0; i < hiddenLayers(); ++i) {
        Layer& l = m_layers[i];
        blocks.push_back({l.weights.data(), l.weightGrad.data(), l.weights.size(), true, i});
        if (l.batchNorm) {
            blocks.push_back({l.gamma.data(), l.gammaGrad.data(), l.gamma.size(), false, i});
            blocks.push_back({l.beta.data(), l.betaGrad.data(), l.beta.size(), false, i});
        } else {
            blocks.push_back({l.bias.data(), l.biasGrad.data(), l.bias.size(), false, i});
        }
    }
    blocks.push_back({m_outWeights.data(), m_outWeightGrad.data(), m_outWeights.size(), true, hiddenLayers()});
    blocks.push_back({m_outBias.data(), m_outBiasGrad.data(), m_outBias.size(), false, hiddenLayers()});
    return blocks;
}

template <typename Scalar>
JacobianChain FeedForwardNet<Scalar>::jacobianChain(const Matrix& probeInputs) const {
    JacobianChain chain;
    chain.probes = static_cast<int>(probeInputs.cols());
    chain.firstDepthUnit = 2;
    Matrix input = probeInputs;
    std::vector<Matrix> outputs(m_layers.size());
    for (int i = 0; i < hiddenLayers(); ++i) {
        const Layer& layer = m_layers[i];
        Matrix y = layer.weights * (i == 0 ? probeInputs : outputs[i - 1]);
        Vector scale;
        if (layer.batchNorm) {
            // Statistics held at the last training batch's values, as the Jacobian is taken per input.
            scale = layer.gamma.cwiseProduct(layer.batchInvStd);
            y.colwise() -= layer.batchMean;
            y = scale.asDiagonal() * y;
            y.colwise() += layer.beta;
        } else {
            y.colwise() += layer.bias;
        }
        outputs[i].resize(y.rows(), y.cols());
        Matrix derivative(y.rows(), y.cols());
        activateArray<Scalar>(layer.activation, view(y), view(outputs[i]));
        derivativeArray<Scalar>(layer.activation, view(y), view(outputs[i]), view(derivative));
        if (layer.residualStart > 0) outputs[i] += outputs[layer.residualStart - 2];
        if (i == 0) continue;  // J starts at h_1: layer 1's own Jacobian is not part of it
        Eigen::MatrixXd d = derivative.template cast<double>();
        if (layer.batchNorm) d = scale.template cast<double>().asDiagonal() * d;
        chain.weights.push_back(layer.weights.template cast<double>());
        chain.derivatives.push_back(std::move(d));
        if (layer.residualStart > 0) chain.residualGroups.emplace_back(layer.residualStart - 2, i - 1);
    }
    return chain;
}

template <typename Scalar>
std::vector<Eigen::MatrixXd> FeedForwardNet<Scalar>::weightMatrices() const {
    std::vector<Eigen::MatrixXd> result;
    for (const Layer& layer : m_layers) result.push_back(layer.weights.template cast<double>());
    result.push_back(m_outWeights.template cast<double>());
    return result;
}

template class FeedForwardNet<float>;
template class FeedForwardNet<double>;

}  // namespace gradflow::core
