#include "core/model/loss.h"

#include <cmath>

#include "core/training/step_stats.h"

namespace gradflow::core {

template <typename Scalar>
double computeLoss(const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& outputs,
                   const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& targets, LossKind kind,
                   Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>& outputGrad, double& accuracy) {
    const double batch = static_cast<double>(outputs.cols());
    double total = 0.0;
    outputGrad.resize(outputs.rows(), outputs.cols());
    if (kind == LossKind::CrossEntropy) {
        int correct = 0;
        for (Eigen::Index b = 0; b < outputs.cols(); ++b) {
            // log-sum-exp with the max subtracted: exact for any logit magnitude.
            Eigen::Index predicted = 0, label = 0;
            const Scalar top = outputs.col(b).maxCoeff(&predicted);
            targets.col(b).maxCoeff(&label);
            const auto shifted = (outputs.col(b).array() - top).exp();
            const Scalar sum = shifted.sum();
            total += std::log(double(sum)) - double(outputs(label, b) - top);
            outputGrad.col(b) = (shifted / sum).matrix() - targets.col(b);
            correct += predicted == label ? 1 : 0;
        }
        outputGrad /= static_cast<Scalar>(batch);
        accuracy = correct / batch;
        return total / batch;
    }
    const double count = batch * double(outputs.rows());
    outputGrad = outputs - targets;
    for (Eigen::Index i = 0; i < outputGrad.size(); ++i) total += double(outputGrad.data()[i]) * outputGrad.data()[i];
    outputGrad *= static_cast<Scalar>(2.0 / count);
    accuracy = kNotApplicable;
    return total / count;
}

template double computeLoss<float>(const Eigen::MatrixXf&, const Eigen::MatrixXf&, LossKind, Eigen::MatrixXf&, double&);
template double computeLoss<double>(const Eigen::MatrixXd&, const Eigen::MatrixXd&, LossKind, Eigen::MatrixXd&, double&);

}  // namespace gradflow::core
