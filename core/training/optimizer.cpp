#include "core/training/optimizer.h"

#include <cmath>

#include "core/training/gradient_clipping.h"

namespace gradflow::core {

template <typename Scalar>
Optimizer<Scalar>::Optimizer(const OptimizerSpec& spec, const std::vector<Eigen::Index>& blockSizes) : m_spec(spec) {
    const bool needsFirst = spec.kind == OptimizerKind::Momentum || spec.kind == OptimizerKind::Adam;
    const bool needsSecond = spec.kind == OptimizerKind::RmsProp || spec.kind == OptimizerKind::Adam;
    for (const Eigen::Index size : blockSizes) {
        m_first.push_back(needsFirst ? Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(size)
                                     : Eigen::Matrix<Scalar, Eigen::Dynamic, 1>());
        m_second.push_back(needsSecond ? Eigen::Matrix<Scalar, Eigen::Dynamic, 1>::Zero(size)
                                       : Eigen::Matrix<Scalar, Eigen::Dynamic, 1>());
    }
}

template <typename Scalar>
void Optimizer<Scalar>::step(std::span<const ParameterBlock<Scalar>> blocks, std::span<double> deltaNorms) {
    using Vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    using Map = Eigen::Map<Vector>;
    using ConstMap = Eigen::Map<const Vector>;
    ++m_updates;
    const Scalar lr = static_cast<Scalar>(m_spec.learningRate);
    const Scalar decay = static_cast<Scalar>(m_spec.weightDecay);
    // Adam's bias corrections, folded into the step size (Kingma & Ba 2015, sec. 2).
    const double correction1 = 1.0 - std::pow(m_spec.beta1, static_cast<double>(m_updates));
    const double correction2 = 1.0 - std::pow(m_spec.beta2, static_cast<double>(m_updates));
    Vector gradient, delta;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const ParameterBlock<Scalar>& block = blocks[i];
        Map w(block.value, block.size);
        gradient = ConstMap(block.gradient, block.size);
        if (block.decays && decay != Scalar(0)) gradient.noalias() += decay * w;
        switch (m_spec.kind) {
        case OptimizerKind::Sgd: delta = -lr * gradient; break;
        case OptimizerKind::Momentum: {
            Vector& v = m_first[i];
            const Scalar mu = static_cast<Scalar>(m_spec.momentum);
            v = mu * v + gradient;
            // Nesterov in the Sutskever et al. 2013 form used by common frameworks.
            delta = m_spec.nesterov ? Vector(-lr * (gradient + mu * v)) : Vector(-lr * v);
            break;
        }
        case OptimizerKind::RmsProp: {
            Vector& s = m_second[i];
            const Scalar rho = static_cast<Scalar>(m_spec.rho);
            s = rho * s + (Scalar(1) - rho) * gradient.cwiseAbs2();
            delta = -lr * (gradient.array() / (s.array().sqrt() + Scalar(m_spec.epsilon))).matrix();
            break;
        }
        case OptimizerKind::Adam: {
            Vector& m = m_first[i];
            Vector& v = m_second[i];
            const Scalar b1 = static_cast<Scalar>(m_spec.beta1), b2 = static_cast<Scalar>(m_spec.beta2);
            m = b1 * m + (Scalar(1) - b1) * gradient;
            v = b2 * v + (Scalar(1) - b2) * gradient.cwiseAbs2();
            const Scalar stepSize = static_cast<Scalar>(m_spec.learningRate * std::sqrt(correction2) / correction1);
            const Scalar eps = static_cast<Scalar>(m_spec.epsilon * std::sqrt(correction2));
            delta = -stepSize * (m.array() / (v.array().sqrt() + eps)).matrix();
            break;
        }
        }
        w += delta;
        deltaNorms[i] = l2Norm(delta.data(), delta.size());
    }
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace gradflow::core
