// The README's definition of activation_grad_norm: "the root-mean-square over the batch of
// each sample's own ||d loss_b / d h_l|| (the loss is a batch mean, so this is
// sqrt(B) ||dL/dH_l||_F and does not depend on the batch size)".
//
// Tested exactly: with the weights held fixed, the batches of one epoch partition the data,
// so for every batch size B the mean over the epoch of the squared statistic is the mean
// over all samples of ||d loss_b / d h_l||^2, the same number for B = 1 and B = N. The
// Frobenius norm of dL/dH alone (without sqrt(B)) would instead shrink that mean by 1/B.

#include <QtTest>

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <vector>

#include "core/config/experiment_validation.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

constexpr int kSamples = 96;

// Depth, widths and activation are arbitrary; the learning rate is so small that no update
// moves a weight (w - 1e-300 g == w for every |w| above 1e-284), so every batch of the
// epoch sees the same network. Biases start at 0 and move by ~1e-300, below the rounding of
// the pre-activations they are added to.
ExperimentConfig config(int batchSize) {
    ExperimentConfig c;
    c.seed = 21;
    c.data.kind = DataKind::Spiral;
    c.data.samples = kSamples;
    LayerSpec layer;
    layer.width = 16;
    layer.activation.kind = ActivationKind::Tanh;
    layer.init = InitSpec{InitKind::XavierNormal, 1.3};
    c.layers = std::vector<LayerSpec>(3, layer);
    c.training.batchSize = batchSize;
    c.training.optimizer.kind = OptimizerKind::Sgd;
    c.training.optimizer.learningRate = 1e-300;
    return c;
}

bool sameWeights(const std::vector<Eigen::MatrixXd>& a, const std::vector<Eigen::MatrixXd>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].rows() != b[i].rows() || a[i].cols() != b[i].cols() || !(a[i].array() == b[i].array()).all()) return false;
    return true;
}

struct Epoch {
    std::vector<double> meanSquare;  ///< per depth unit: the epoch's mean of activationGradNorm^2
    std::vector<Eigen::MatrixXd> weights;
};

/// One epoch at batch size `batch`: N / batch steps, each on different samples.
Epoch epoch(int batch) {
    auto trainer = Trainer::create(config(batch));
    Epoch e;
    e.weights = trainer->weightMatrices();
    e.meanSquare.assign(std::size_t(trainer->depthUnits()), 0.0);
    const int steps = kSamples / batch;
    for (int k = 0; k < steps; ++k) {
        const StepStats& s = trainer->step();
        for (std::size_t l = 0; l < s.layers.size(); ++l)
            e.meanSquare[l] += s.layers[l].activationGradNorm * s.layers[l].activationGradNorm / steps;
    }
    // The premise: the epoch saw one network throughout.
    if (!sameWeights(trainer->weightMatrices(), e.weights)) e.meanSquare.clear();
    return e;
}

}  // namespace

class TestActivationGradientBatchSize : public QObject {
    Q_OBJECT

private slots:
    void epochMeanIsTheSameForEveryBatchSize_data() {
        QTest::addColumn<int>("batch");
        for (int b : {1, 2, 8, 32, 48}) QTest::newRow(qPrintable(QString("B = %1").arg(b))) << b;
    }
    void epochMeanIsTheSameForEveryBatchSize() {
        QFETCH(int, batch);
        QVERIFY(validateExperiment(config(batch)).empty());
        const Epoch full = epoch(kSamples);  // one step: the whole data set
        const Epoch part = epoch(batch);
        QVERIFY2(!full.meanSquare.empty() && !part.meanSquare.empty(), "an update moved a weight");
        // Initial weights come from their own random stream: the batch size does not change them.
        QVERIFY(sameWeights(full.weights, part.weights));
        QCOMPARE(part.meanSquare.size(), std::size_t(4));  // three hidden layers and the output layer
        for (std::size_t l = 0; l < full.meanSquare.size(); ++l) {
            const double a = part.meanSquare[l], b = full.meanSquare[l];
            QVERIFY2(std::isfinite(b) && b > 0.0, qPrintable(QString("unit %1: %2").arg(l + 1).arg(b)));
            // The same sum in another order: equal to rounding.
            QVERIFY2(std::abs(a / b - 1.0) < 1e-12, qPrintable(QString("unit %1: mean square %2 at B = %3, %4 at B = %5")
                                                                   .arg(l + 1)
                                                                   .arg(a, 0, 'g', 17)
                                                                   .arg(batch)
                                                                   .arg(b, 0, 'g', 17)
                                                                   .arg(kSamples)));
        }
    }

    void singleSampleBatchesVary() {
        // B = 1 reports each sample's own norm; they differ from sample to sample, so the
        // agreement above is a statement about the average, as the README makes it.
        auto trainer = Trainer::create(config(1));
        double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
        for (int k = 0; k < kSamples; ++k) {
            const double v = trainer->step().layers.front().activationGradNorm;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        QVERIFY2(hi > 1.5 * lo, qPrintable(QString("%1 .. %2").arg(lo).arg(hi)));
    }
};

QTEST_APPLESS_MAIN(TestActivationGradientBatchSize)
#include "tst_activation_gradient_batch_size.moc"
