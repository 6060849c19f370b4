// float32 and float64 runs of the same experiment agree to float32's precision: the
// precision setting changes the arithmetic, not the network, the data or the batches.

#include <QtTest>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "core/config/experiment_validation.h"
#include "core/training/trainer.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

namespace {

ExperimentConfig config(Precision precision) {
    ExperimentConfig c;
    c.seed = 5;
    c.precision = precision;
    c.data.kind = DataKind::Spiral;
    c.data.samples = 256;
    LayerSpec layer;
    layer.width = 32;
    layer.activation.kind = ActivationKind::Tanh;
    layer.init = InitSpec{InitKind::XavierNormal, 1.0};
    c.layers = std::vector<LayerSpec>(4, layer);
    c.training.batchSize = 32;
    c.training.optimizer.kind = OptimizerKind::Sgd;
    c.training.optimizer.learningRate = 0.05;
    return c;
}

double relativeDifference(double a, double b) { return std::abs(a - b) / std::max(std::abs(a), std::abs(b)); }

QByteArray describe(const char* what, int unit, double f32, double f64) {
    return QString("%1 of unit %2: float32 %3, float64 %4")
        .arg(what)
        .arg(unit)
        .arg(f32, 0, 'g', 17)
        .arg(f64, 0, 'g', 17)
        .toUtf8();
}

}  // namespace

class TestPrecisionAgreement : public QObject {
    Q_OBJECT

private slots:
    void sameInitialWeightsRounded();
    void statisticsAtInitialisationAgree();
    void lossesAgreeOverTwentySteps();
};

void TestPrecisionAgreement::sameInitialWeightsRounded() {
    auto single = Trainer::create(config(Precision::Float32));
    auto twice = Trainer::create(config(Precision::Float64));
    const auto w32 = single->weightMatrices(), w64 = twice->weightMatrices();
    QCOMPARE(w32.size(), w64.size());
    QCOMPARE(w32.size(), std::size_t(5));
    // The weights are drawn in double and rounded once: each float32 weight is the nearest
    // float to its float64 twin, so both runs start from the same network.
    for (std::size_t l = 0; l < w32.size(); ++l) {
        QCOMPARE(w32[l].rows(), w64[l].rows());
        QCOMPARE(w32[l].cols(), w64[l].cols());
        for (Eigen::Index i = 0; i < w32[l].size(); ++i) GRADFLOW_COMPARE_BITS(w32[l].data()[i], double(float(w64[l].data()[i])));
    }
}

void TestPrecisionAgreement::statisticsAtInitialisationAgree() {
    QVERIFY(validateExperiment(config(Precision::Float32)).empty());
    auto single = Trainer::create(config(Precision::Float32));
    auto twice = Trainer::create(config(Precision::Float64));
    const StepStats a = single->step();
    const StepStats b = twice->step();
    QCOMPARE(a.layers.size(), b.layers.size());
    QCOMPARE(int(a.layers.size()), 5);
    // float32 rounds at 6e-8 relative; through four layers and a batch of 32 the statistics
    // differ by at most 3e-7 (measured), so 1e-5 leaves a margin of 30 and still fails on
    // anything worse than rounding (a weight drawn differently, a statistic summed in float).
    const double tolerance = 1e-5;
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        const LayerStats &x = a.layers[l], &y = b.layers[l];
        const int unit = int(l) + 1;
        for (const auto& [name, field] :
             {std::pair{"weight gradient", &LayerStats::weightGradNorm}, std::pair{"bias gradient", &LayerStats::biasGradNorm},
              std::pair{"activation gradient", &LayerStats::activationGradNorm},
              std::pair{"weight norm", &LayerStats::weightNorm}, std::pair{"update ratio", &LayerStats::updateRatio}}) {
            QVERIFY2(std::isfinite(x.*field) && x.*field > 0.0, describe(name, unit, x.*field, y.*field).constData());
            QVERIFY2(relativeDifference(x.*field, y.*field) < tolerance, describe(name, unit, x.*field, y.*field).constData());
        }
        if (l + 1 == a.layers.size()) continue;  // the output layer has no activation statistics
        QVERIFY2(relativeDifference(x.activationStd, y.activationStd) < tolerance,
                 describe("activation std", unit, x.activationStd, y.activationStd).constData());
        // The mean can be near 0: compare it on the scale of the spread.
        QVERIFY2(std::abs(x.activationMean - y.activationMean) < tolerance * y.activationStd,
                 describe("activation mean", unit, x.activationMean, y.activationMean).constData());
        // A count over 32 units x 32 samples: a value within rounding of the threshold may
        // fall on the other side, one (unit, sample) pair is 1/1024.
        QVERIFY2(std::abs(x.saturation - y.saturation) <= 1.0 / 1024.0 + 1e-15,
                 describe("saturation", unit, x.saturation, y.saturation).constData());
    }
    QVERIFY(relativeDifference(a.loss, b.loss) < tolerance);
    QVERIFY(relativeDifference(a.gradNorm, b.gradNorm) < tolerance);
}

void TestPrecisionAgreement::lossesAgreeOverTwentySteps() {
    auto single = Trainer::create(config(Precision::Float32));
    auto twice = Trainer::create(config(Precision::Float64));
    bool anyBitsDiffer = false;
    double worst = 0.0;
    for (int k = 0; k < 20; ++k) {
        const double a = single->step().loss;
        const double b = twice->step().loss;
        // Rounding differences feed back through the updates; over 20 steps of this stable
        // run the losses differ by at most 3e-8 relative (measured); 1e-5 is the bound.
        QVERIFY2(relativeDifference(a, b) < 1e-5, describe("loss", k + 1, a, b).constData());
        worst = std::max(worst, relativeDifference(a, b));
        anyBitsDiffer |= !gradflow::test::sameBits(a, b);
    }
    // The setting took effect: float32 arithmetic did not reproduce float64's bits.
    QVERIFY2(anyBitsDiffer, qPrintable(QString("largest relative difference %1").arg(worst)));
    QVERIFY(worst > 0.0);
}

QTEST_APPLESS_MAIN(TestPrecisionAgreement)
#include "tst_precision_agreement.moc"
