// Batch norm in evaluation mode: Trainer::predict() normalises with the running statistics
// that training accumulated, not with the statistics of the batch it is handed. Checked
// against a hand computation of a one-layer net whose every parameter the public API shows.

#include <QtTest>

#include <Eigen/Core>
#include <cmath>

#include "core/config/experiment_validation.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

constexpr int kSamples = 64;
constexpr double kEpsilon = 1e-5;  // the usual batch-norm epsilon, inside the square root

// One hidden layer of 6 linear units with batch norm, full-batch steps. The learning rate is
// so small that no update can move a weight (w - 1e-300 g == w for every |w| above 1e-284):
// every step sees the same network, and the only state that changes is the running
// statistics. gamma = 1 and beta = 0 stay where batch norm starts them, and so does the
// output bias, 0 (all three move by ~1e-300, far below the rounding of what they are added to).
ExperimentConfig config() {
    ExperimentConfig c;
    c.seed = 11;
    c.data.kind = DataKind::Spiral;
    c.data.samples = kSamples;
    c.data.classes = 2;
    LayerSpec layer;
    layer.width = 6;
    layer.activation.kind = ActivationKind::Linear;
    layer.init = InitSpec{InitKind::XavierNormal, 1.0};
    layer.batchNorm = true;
    c.layers = {layer};
    c.training.batchSize = kSamples;
    c.training.optimizer.kind = OptimizerKind::Sgd;
    c.training.optimizer.learningRate = 1e-300;
    c.training.loss = LossKind::CrossEntropy;
    return c;
}

Eigen::MatrixXd softmax(Eigen::MatrixXd logits) {
    for (Eigen::Index j = 0; j < logits.cols(); ++j) {
        logits.col(j).array() = (logits.col(j).array() - logits.col(j).maxCoeff()).exp();
        logits.col(j) /= logits.col(j).sum();
    }
    return logits;
}

/// Output probabilities of the net with the hidden pre-activations normalised by `mean` and `variance`.
Eigen::MatrixXd outputs(const std::vector<Eigen::MatrixXd>& w, const Eigen::MatrixXd& x, const Eigen::VectorXd& mean,
                        const Eigen::VectorXd& variance) {
    Eigen::MatrixXd h = w[0] * x;
    h.colwise() -= mean;
    h = (variance.array() + kEpsilon).rsqrt().matrix().asDiagonal() * h;
    return softmax(w[1] * h);
}

double crossEntropy(const Eigen::MatrixXd& probabilities, const Eigen::MatrixXd& targets) {
    return -(targets.array() * probabilities.array().log()).colwise().sum().mean();
}

bool sameWeights(const std::vector<Eigen::MatrixXd>& a, const std::vector<Eigen::MatrixXd>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].rows() != b[i].rows() || a[i].cols() != b[i].cols() || !(a[i].array() == b[i].array()).all()) return false;
    return true;
}

QString maxDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return QString::number((a - b).cwiseAbs().maxCoeff(), 'g', 6);
}

}  // namespace

class TestBatchNormEvaluation : public QObject {
    Q_OBJECT

private slots:
    void predictUsesRunningStatistics();
    void predictIsBatchIndependent();
    void runningStatisticsConvergeToTheDataStatistics();
};

void TestBatchNormEvaluation::predictUsesRunningStatistics() {
    const ExperimentConfig c = config();
    QVERIFY(validateExperiment(c).empty());
    auto trainer = Trainer::create(c);
    const std::vector<Eigen::MatrixXd> w = trainer->weightMatrices();
    QCOMPARE(w.size(), std::size_t(2));
    QCOMPARE(int(w[0].rows()), 6);
    const Eigen::MatrixXd& x = trainer->dataset().inputs.front();
    const Eigen::MatrixXd& targets = trainer->dataset().targets;

    // The whole data set is every batch: its statistics are the batch statistics.
    const Eigen::MatrixXd z = w[0] * x;
    const Eigen::VectorXd batchMean = z.rowwise().mean();
    const Eigen::VectorXd batchVariance = (z.colwise() - batchMean).array().square().rowwise().mean();
    const Eigen::MatrixXd training = outputs(w, x, batchMean, batchVariance);

    // Training mode normalises with the batch's own (biased) statistics: the loss step()
    // reports is that of `training`, which checks the hand computation of the forward pass.
    const int steps = 3;
    for (int k = 0; k < steps; ++k) {
        const double loss = trainer->step().loss;
        const double hand = crossEntropy(training, targets);
        QVERIFY2(std::abs(loss / hand - 1.0) < 1e-12,
                 qPrintable(QString("step loss %1, hand %2").arg(loss, 0, 'g', 17).arg(hand, 0, 'g', 17)));
    }
    QVERIFY(sameWeights(trainer->weightMatrices(), w));  // the premise: no update moved a weight

    // Running statistics: an exponential average with momentum 0.1 from mean 0 and variance
    // 1, of the mean and the unbiased variance (n / (n - 1)) of each batch.
    Eigen::VectorXd runningMean = Eigen::VectorXd::Zero(6), runningVariance = Eigen::VectorXd::Ones(6);
    for (int k = 0; k < steps; ++k) {
        runningMean = 0.9 * runningMean + 0.1 * batchMean;
        runningVariance = 0.9 * runningVariance + 0.1 * (double(kSamples) / (kSamples - 1)) * batchVariance;
    }
    const Eigen::MatrixXd predicted = trainer->predict({x});
    QCOMPARE(predicted.rows(), targets.rows());
    QCOMPARE(predicted.cols(), x.cols());
    const Eigen::MatrixXd evaluation = outputs(w, x, runningMean, runningVariance);
    QVERIFY2((predicted - evaluation).cwiseAbs().maxCoeff() < 1e-12, qPrintable(maxDifference(predicted, evaluation)));
    // And not what the batch statistics, or the untouched initial statistics, would give.
    QVERIFY2((predicted - training).cwiseAbs().maxCoeff() > 0.01, qPrintable(maxDifference(predicted, training)));
    const Eigen::MatrixXd initial = outputs(w, x, Eigen::VectorXd::Zero(6), Eigen::VectorXd::Ones(6));
    QVERIFY2((predicted - initial).cwiseAbs().maxCoeff() > 0.01, qPrintable(maxDifference(predicted, initial)));
}

void TestBatchNormEvaluation::predictIsBatchIndependent() {
    auto trainer = Trainer::create(config());
    for (int k = 0; k < 5; ++k) trainer->step();
    const Eigen::MatrixXd& x = trainer->dataset().inputs.front();
    const Eigen::MatrixXd all = trainer->predict({x});
    // One sample alone, a pair, and the whole set: each column is the same. Normalising by the
    // batch's own statistics would map a lone sample to beta (0) and a pair to +-1 per unit.
    for (const int j : {0, 17, kSamples - 1}) {
        const Eigen::MatrixXd one = trainer->predict({x.col(j)});
        QVERIFY2((one - all.col(j)).cwiseAbs().maxCoeff() < 1e-14, qPrintable(maxDifference(one, all.col(j))));
    }
    const Eigen::MatrixXd pair = trainer->predict({x.middleCols(3, 2)});
    QVERIFY2((pair - all.middleCols(3, 2)).cwiseAbs().maxCoeff() < 1e-14, qPrintable(maxDifference(pair, all.middleCols(3, 2))));
    // Evaluation changes nothing: the same inputs again give the same bits, and training goes on unchanged.
    QVERIFY((trainer->predict({x}).array() == all.array()).all());
}

void TestBatchNormEvaluation::runningStatisticsConvergeToTheDataStatistics() {
    // After many full-batch steps on an unchanging net the running statistics are the data's
    // own mean and unbiased variance, whatever the momentum (0.9^400 is below 1e-18).
    auto trainer = Trainer::create(config());
    const std::vector<Eigen::MatrixXd> w = trainer->weightMatrices();
    for (int k = 0; k < 400; ++k) trainer->step();
    QVERIFY(sameWeights(trainer->weightMatrices(), w));
    const Eigen::MatrixXd& x = trainer->dataset().inputs.front();
    const Eigen::MatrixXd z = w[0] * x;
    const Eigen::VectorXd mean = z.rowwise().mean();
    const Eigen::VectorXd unbiased = (z.colwise() - mean).array().square().rowwise().sum() / (kSamples - 1);
    const Eigen::MatrixXd predicted = trainer->predict({x});
    const Eigen::MatrixXd expected = outputs(w, x, mean, unbiased);
    QVERIFY2((predicted - expected).cwiseAbs().maxCoeff() < 1e-12, qPrintable(maxDifference(predicted, expected)));
}

QTEST_APPLESS_MAIN(TestBatchNormEvaluation)
#include "tst_batch_norm_evaluation.moc"
