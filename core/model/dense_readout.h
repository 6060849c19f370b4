#pragma once
// The dense output layer both network kinds end in: outputs = W h + b, W drawn Xavier-normal
// with gain 1 whatever the hidden stack uses, so the loss starts sane and the lessons stay
// about the hidden stack (or the recurrence). Templates over the input expression so a
// column block of a larger matrix (a recurrent net's last hidden state) is read in place.

#include <Eigen/Core>
#include <span>
#include <vector>

#include "core/data/random.h"
#include "core/model/initializer.h"
#include "core/model/parameter_block.h"

namespace gradflow::core {

template <typename Scalar>
class DenseReadout {
public:
    using Matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    /// Draws W (outputs x inputs) from `rng`; b starts at 0.
    DenseReadout(int inputs, int outputs, Random& rng) {
        Eigen::MatrixXd w(outputs, inputs);
        initializeWeights(InitSpec{InitKind::XavierNormal}, inputs, outputs, rng,
                          std::span<double>(w.data(), static_cast<std::size_t>(w.size())));
        m_weights = w.cast<Scalar>();
        m_bias = Vector::Zero(outputs);
        m_weightGrad = Matrix::Zero(outputs, inputs);
        m_biasGrad = Vector::Zero(outputs);
    }

    /// outputs = W input + b, into a buffer reused across steps.
    template <typename Input>
    void forward(const Eigen::MatrixBase<Input>& input, Matrix& outputs) const {
        outputs.noalias() = m_weights * input;
        outputs.colwise() += m_bias;
    }
    template <typename Input>
    Matrix evaluate(const Eigen::MatrixBase<Input>& input) const {
        Matrix outputs = m_weights * input;
        outputs.colwise() += m_bias;
        return outputs;
    }

    /// From G = dL/d outputs: dW = G input^T, db = G 1 and, when asked, dL/d input = W^T G.
    template <typename Input>
    void backward(const Matrix& outputGrad, const Eigen::MatrixBase<Input>& input, Matrix* inputGrad) {
        m_weightGrad.noalias() = outputGrad * input.transpose();
        m_biasGrad = outputGrad.rowwise().sum();
        if (inputGrad) inputGrad->noalias() = m_weights.transpose() * outputGrad;
    }

    /// W then b, for the depth unit given (kEveryDepthUnit in a recurrent net).
    void appendParameterBlocks(std::vector<ParameterBlock<Scalar>>& blocks, int depthUnit, bool isDepthUnitWeight) {
        blocks.push_back({m_weights.data(), m_weightGrad.data(), m_weights.size(), true, depthUnit, isDepthUnitWeight});
        blocks.push_back({m_bias.data(), m_biasGrad.data(), m_bias.size(), false, depthUnit, false});
    }

    const Matrix& weights() const { return m_weights; }
    const Matrix& weightGrad() const { return m_weightGrad; }
    const Vector& biasGrad() const { return m_biasGrad; }

private:
    Matrix m_weights, m_weightGrad;
    Vector m_bias, m_biasGrad;
};

}  // namespace gradflow::core
