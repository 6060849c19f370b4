#include "core/training/gradient_clipping.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace gradflow::core {

template <typename Scalar>
double l2Norm(const Scalar* data, Eigen::Index size) {
    if (size == 0) return 0.0;
    if constexpr (std::is_same_v<Scalar, float>) {
        // Squares of any float fit a double comfortably. Eight independent lanes let the
        // compiler vectorise the double accumulation without reassociating (no fast-math).
        double lanes[8] = {};
        Eigen::Index i = 0;
        for (; i + 8 <= size; i += 8)
            for (int k = 0; k < 8; ++k) lanes[k] += static_cast<double>(data[i + k]) * data[i + k];
        double sum = 0.0;
        for (; i < size; ++i) sum += static_cast<double>(data[i]) * data[i];
        for (double lane : lanes) sum += lane;
        return std::sqrt(sum);
    } else {
        // blueNorm scales as it goes, so 1e-200 stays 1e-200 instead of squaring to 0.
        return Eigen::Map<const Eigen::VectorXd>(data, size).blueNorm();
    }
}

double combineNorms(std::span<const double> norms) {
    if (norms.empty()) return 0.0;
    return Eigen::Map<const Eigen::VectorXd>(norms.data(), static_cast<Eigen::Index>(norms.size())).blueNorm();
}

template <typename Scalar>
ClipResult clipGradients(const ClipSpec& clip, std::span<const ParameterBlock<Scalar>> blocks) {
    std::vector<double> norms;
    norms.reserve(blocks.size());
    for (const auto& block : blocks) norms.push_back(l2Norm(block.gradient, block.size));
    ClipResult result;
    result.normBefore = combineNorms(norms);
    result.normAfter = result.normBefore;
    if (!std::isfinite(result.normBefore)) return result;  // divergence is the trainer's call
    if (clip.mode == ClipMode::Norm && result.normBefore > clip.threshold) {
        const auto scale = static_cast<Scalar>(clip.threshold / result.normBefore);
        for (const auto& block : blocks)
            Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>>(block.gradient, block.size) *= scale;
        result.clipped = true;
    } else if (clip.mode == ClipMode::Value) {
        const auto limit = static_cast<Scalar>(clip.threshold);
        for (const auto& block : blocks) {
            Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>> g(block.gradient, block.size);
            if ((g.abs() > limit).any()) {
                g = g.max(-limit).min(limit);
                result.clipped = true;
            }
        }
    }
    if (result.clipped) {
        norms.clear();
        for (const auto& block : blocks) norms.push_back(l2Norm(block.gradient, block.size));
        result.normAfter = combineNorms(norms);
    }
    return result;
}

template double l2Norm<float>(const float*, Eigen::Index);
template double l2Norm<double>(const double*, Eigen::Index);
template ClipResult clipGradients<float>(const ClipSpec&, std::span<const ParameterBlock<float>>);
template ClipResult clipGradients<double>(const ClipSpec&, std::span<const ParameterBlock<double>>);

}  // namespace gradflow::core
