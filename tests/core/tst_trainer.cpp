// The trainer end to end: statistics shapes and meaning, determinism, divergence,
// live settings, learning, prediction.

#include <QtTest>

#include <cmath>
#include <cstring>

#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

ExperimentConfig smallConfig(ActivationKind activation = ActivationKind::Tanh, int depth = 6) {
    ExperimentConfig c;
    c.seed = 42;
    c.data.samples = 256;
    LayerSpec layer;
    layer.width = 16;
    layer.activation.kind = activation;
    layer.init.kind = activation == ActivationKind::Relu ? InitKind::HeNormal : InitKind::XavierNormal;
    c.layers.assign(depth, layer);
    c.training.batchSize = 32;
    return c;
}

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool identical(const StepStats& a, const StepStats& b) {
    if (!sameBits(a.loss, b.loss) || !sameBits(a.gradNorm, b.gradNorm) || a.layers.size() != b.layers.size()) return false;
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const auto& x = a.layers[i];
        const auto& y = b.layers[i];
        if (!sameBits(x.weightGradNorm, y.weightGradNorm) || !sameBits(x.activationGradNorm, y.activationGradNorm) ||
            !sameBits(x.updateRatio, y.updateRatio) || !sameBits(x.saturation, y.saturation))
            return false;
    }
    return true;
}

}  // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private slots:
    // A seed's numbers must not depend on the machine's caches, which Eigen's product
    // blocking otherwise reads; linking the trainer is enough to pin them.
    void productBlockingIsPinnedBeforeMain() {
        QCOMPARE(Eigen::l1CacheSize(), std::ptrdiff_t(32 * 1024));
        QCOMPARE(Eigen::l2CacheSize(), std::ptrdiff_t(1024 * 1024));
        QCOMPARE(Eigen::l3CacheSize(), std::ptrdiff_t(16 * 1024 * 1024));
    }

    void statisticsShape() {
        auto t = Trainer::create(smallConfig());
        QCOMPARE(t->depthUnits(), 7);
        const StepStats s = t->step();
        QCOMPARE(s.step, 0);
        QCOMPARE(int(s.layers.size()), 7);
        QCOMPARE(t->stepsDone(), 1);
        for (const auto& l : s.layers) {
            QVERIFY(l.weightGradNorm > 0 && std::isfinite(l.weightGradNorm));
            QVERIFY(l.updateRatio > 0 && l.updateRatio < 1);
            QVERIFY(l.weightNorm > 0);
        }
        QVERIFY(std::isnan(s.layers.back().saturation));  // the output layer has no activation
        QVERIFY(s.layers.front().saturation >= 0 && s.layers.front().saturation <= 1);
        QVERIFY(s.accuracy >= 0 && s.accuracy <= 1);
        QVERIFY(!s.clipped);
        QCOMPARE(s.gradNorm, s.gradNormClipped);
    }

    // Plain SGD: ||delta W|| = lr ||dL/dW||, so the update ratio is exactly determined.
    void updateRatioIsLearningRateTimesGradientOverWeights() {
        ExperimentConfig c = smallConfig();
        c.training.optimizer.learningRate = 0.037;
        auto t = Trainer::create(c);
        const StepStats s = t->step();
        for (const auto& l : s.layers)
            QVERIFY(std::abs(l.updateRatio - 0.037 * l.weightGradNorm / l.weightNorm) < 1e-12 * l.updateRatio);
    }

    void deterministic_data() {
        QTest::addColumn<bool>("float32");
        QTest::newRow("float64") << false;
        QTest::newRow("float32") << true;
    }
    void deterministic() {
        QFETCH(bool, float32);
        ExperimentConfig c = smallConfig(ActivationKind::Relu);
        c.precision = float32 ? Precision::Float32 : Precision::Float64;
        c.layers[2].batchNorm = true;
        c.training.optimizer.kind = OptimizerKind::Adam;
        c.training.optimizer.learningRate = 0.01;
        auto a = Trainer::create(c), b = Trainer::create(c);
        c.seed += 1;
        auto other = Trainer::create(c);
        bool anyDifferent = false;
        for (int i = 0; i < 25; ++i) {
            const StepStats sa = a->step();
            QVERIFY(identical(sa, b->step()));
            anyDifferent |= !identical(sa, other->step());
        }
        QVERIFY(anyDifferent);
    }

    void learnsTheSpiral() {
        ExperimentConfig c = smallConfig(ActivationKind::Relu, 3);
        c.layers.assign(3, c.layers.front());
        for (auto& l : c.layers) l.width = 32;
        c.training.optimizer.kind = OptimizerKind::Adam;
        c.training.optimizer.learningRate = 0.01;
        auto t = Trainer::create(c);
        const double first = t->step().loss;
        double last = 0;
        for (int i = 0; i < 600; ++i) last = t->step().loss;
        QVERIFY2(last < 0.5 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
        // Evaluation-mode predictions agree with the labels on most of the set.
        const Eigen::MatrixXd p = t->predict(t->dataset().inputs);
        int correct = 0;
        for (int j = 0; j < p.cols(); ++j) {
            Eigen::Index cls;
            p.col(j).maxCoeff(&cls);
            correct += cls == t->dataset().labels[j];
            QVERIFY(std::abs(p.col(j).sum() - 1.0) < 1e-12);
        }
        QVERIFY(correct > 0.8 * p.cols());
    }

    void divergesCleanly() {
        ExperimentConfig c = smallConfig(ActivationKind::Relu, 12);
        for (auto& l : c.layers) l.init.gain = 8.0;
        c.training.optimizer.learningRate = 10.0;
        auto t = Trainer::create(c);
        int steps = 0;
        while (!t->divergence().diverged && steps < 200) {
            t->step();
            ++steps;
        }
        QVERIFY(t->divergence().diverged);
        const DivergenceInfo& d = t->divergence();
        QVERIFY(d.layer >= 1 && d.layer <= t->depthUnits());
        QVERIFY(QString::fromStdString(d.message).startsWith(
            QString("diverged at step %1 in layer %2").arg(d.step + 1).arg(d.layer)));
        // Further steps change nothing and do not crash.
        const std::int64_t done = t->stepsDone();
        const StepStats& last = t->step();
        QVERIFY(last.diverged);
        // The diverged step's global norm is its own (non-finite), not the previous step's.
        QVERIFY(!std::isfinite(last.gradNorm));
        QCOMPARE(t->stepsDone(), done);
    }

    // A ratio to an all-zero weight matrix is "not applicable", not Inf or 0/0: a clean
    // step must not put an overflow marker on the update-ratio plot.
    void updateRatioOfZeroWeightsIsNotApplicable() {
        ExperimentConfig c = smallConfig(ActivationKind::Sigmoid, 2);
        for (auto& l : c.layers) l.init = InitSpec{InitKind::Constant, 1.0, 0.01, 0.05, 0.0};
        auto t = Trainer::create(c);
        const StepStats s = t->step();
        QVERIFY(!s.diverged);
        for (std::size_t i = 0; i + 1 < s.layers.size(); ++i) {  // the output layer has its own init
            QCOMPARE(s.layers[i].weightNorm, 0.0);
            QVERIFY(std::isnan(s.layers[i].updateRatio));
        }
        QVERIFY(std::isfinite(s.layers.back().updateRatio));
        // Once the update moved the weights off zero, the ratio is a measurement again.
        for (const auto& l : t->step().layers) QVERIFY(l.weightNorm == 0.0 || std::isfinite(l.updateRatio));
    }

    void liveLearningRateAndClip() {
        auto t = Trainer::create(smallConfig());
        t->step();
        t->setLearningRate(0.0);
        t->setClip({ClipMode::Norm, 1e-3});
        const StepStats s = t->step();
        QVERIFY(s.clipped);
        QVERIFY(std::abs(s.gradNormClipped - 1e-3) < 1e-12);
        for (const auto& l : s.layers) QCOMPARE(l.updateRatio, 0.0);
    }

    void regressionOnSine() {
        ExperimentConfig c = smallConfig(ActivationKind::Tanh, 3);
        c.data.kind = DataKind::Sine;
        c.training.loss = LossKind::MeanSquaredError;
        c.training.optimizer.kind = OptimizerKind::Adam;
        c.training.optimizer.learningRate = 0.01;
        auto t = Trainer::create(c);
        const StepStats first = t->step();
        QVERIFY(std::isnan(first.accuracy));
        double last = 0;
        for (int i = 0; i < 400; ++i) last = t->step().loss;
        QVERIFY(last < 0.1);
        QCOMPARE(int(t->predict(t->dataset().inputs).rows()), 1);
    }

    void jacobianChainShape() {
        ExperimentConfig c = smallConfig(ActivationKind::Tanh, 5);
        c.residual.every = 2;
        auto t = Trainer::create(c);
        const JacobianChain chain = t->jacobianChain(4);
        QCOMPARE(chain.units(), 4);  // layers 2..5
        QCOMPARE(chain.probes, 4);
        QCOMPARE(int(chain.residualGroups.size()), 2);
        QCOMPARE(chain.residualGroups[0], std::make_pair(0, 1));
        QCOMPARE(chain.residualGroups[1], std::make_pair(2, 3));
        QCOMPARE(int(t->weightMatrices().size()), 6);
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
