// The network picture read during a step: narrow layers keep every weight and gradient
// (the trainer's own, in Eigen's column-major order) and each unit's saturation and death,
// wide layers only summaries; the per-layer numbers agree with the step's LayerStats; the
// colour scale follows its rule and is chosen once per run; skips start where the group
// before them ended; and a recurrent net is pictured as time steps.
#include <QtTest>
#include <cmath>

#include "core/analysis/layer_distributions.h"
#include "core/analysis/network_picture.h"
#include "core/training/trainer.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

namespace {

ExperimentConfig spiral(std::vector<int> widths, ActivationKind activation) {
    ExperimentConfig c;
    c.seed = 3;
    c.data.samples = 128;
    c.training.batchSize = 16;
    c.layers.clear();
    for (int w : widths) {
        LayerSpec l;
        l.width = w;
        l.activation.kind = activation;
        c.layers.push_back(l);
    }
    return c;
}

/// Every step's picture and stats, collected as the GUI does.
struct Recorded {
    std::vector<NetworkPicturePtr> pictures;
    std::vector<StepStats> stats;
};

Recorded record(const ExperimentConfig& config, int steps) {
    auto trainer = Trainer::create(config);
    NetworkPictureCollector collector(config);
    Recorded r;
    trainer->setStepInspector([&](std::int64_t step, const LayerValues& v) { r.pictures.push_back(collector.take(step, v)); });
    for (int i = 0; i < steps; ++i) r.stats.push_back(trainer->step());
    trainer->setStepInspector({});
    return r;
}

bool sameScale(const PictureScale& a, const PictureScale& b) {
    return gradflow::test::sameBits(a.log10Low, b.log10Low) && gradflow::test::sameBits(a.log10High, b.log10High) &&
           gradflow::test::sameBits(a.weightMax, b.weightMax);
}

}  // namespace

class TestNetworkPicture : public QObject {
    Q_OBJECT
private slots:
    void narrowLayersKeepEveryWeight();
    void wideLayersKeepSummaries();
    void layerNumbersAgreeWithStepStats();
    void deadUnitsAreFlagged();
    void scaleFollowsItsRule_data();
    void scaleFollowsItsRule();
    void scaleIsChosenOncePerRun();
    void skipsStartWhereTheLastGroupEnded();
    void recurrentNetIsPicturedAsTimeSteps();
    void distributionCollectorCarriesThePicture();
};

void TestNetworkPicture::narrowLayersKeepEveryWeight() {
    const ExperimentConfig config = spiral({8, 8}, ActivationKind::Tanh);
    auto trainer = Trainer::create(config);
    NetworkPictureCollector collector(config);
    NetworkPicturePtr picture;
    trainer->setStepInspector([&](std::int64_t step, const LayerValues& v) { picture = collector.take(step, v); });
    // The weights before the first update are those the first gradients were computed with.
    const std::vector<Eigen::MatrixXd> before = trainer->weightMatrices();
    trainer->step();
    trainer->setStepInspector({});
    QVERIFY(picture);
    QCOMPARE(picture->step, std::int64_t(0));
    QCOMPARE(picture->inputDimension, 2);
    QCOMPARE(picture->layers.size(), std::size_t(3));
    const int shapes[3][2] = {{8, 2}, {8, 8}, {2, 8}};
    for (std::size_t l = 0; l < 3; ++l) {
        const PictureLayer& layer = picture->layers[l];
        QVERIFY(layer.detailed);
        QCOMPARE(layer.units, shapes[l][0]);
        QCOMPARE(layer.inputs, shapes[l][1]);
        QCOMPARE(before[l].rows(), Eigen::Index(layer.units));
        QCOMPARE(int(layer.weightGrads.size()), layer.units * layer.inputs);
        for (int j = 0; j < layer.inputs; ++j)
            for (int i = 0; i < layer.units; ++i)
                GRADFLOW_COMPARE_BITS(layer.weights[std::size_t(i + j * layer.units)], before[l](i, j));
        // Hidden layers have an activation, the output layer none.
        QCOMPARE(layer.unitSaturation.size(), l < 2 ? std::size_t(8) : std::size_t(0));
    }
}

void TestNetworkPicture::wideLayersKeepSummaries() {
    const Recorded r = record(spiral({8, 17, 8}, ActivationKind::Relu), 1);
    const NetworkPicture& p = *r.pictures.front();
    QVERIFY(p.layers[0].detailed);
    // 17 units, then 17 inputs: both layers touching it are too wide to draw edge by edge.
    for (std::size_t l : {std::size_t(1), std::size_t(2)}) {
        QVERIFY(!p.layers[l].detailed);
        QVERIFY(p.layers[l].weights.empty());
        // Units are drawn one by one up to 16, whatever feeds them.
        QCOMPARE(p.layers[l].unitSaturation.size(), l == 1 ? std::size_t(0) : std::size_t(8));
        QVERIFY(std::isfinite(p.layers[l].weightGradRms));
        QVERIFY(std::isfinite(p.layers[l].saturation));
    }
    QVERIFY(p.layers[3].detailed);
}

void TestNetworkPicture::layerNumbersAgreeWithStepStats() {
    const Recorded r = record(spiral({8, 32, 8}, ActivationKind::Tanh), 4);
    for (std::size_t k = 0; k < r.pictures.size(); ++k) {
        const NetworkPicture& p = *r.pictures[k];
        const StepStats& s = r.stats[k];
        QCOMPARE(p.step, s.step);
        for (std::size_t l = 0; l < p.layers.size(); ++l) {
            const PictureLayer& layer = p.layers[l];
            const LayerStats& stats = s.layers[l];
            // Same definitions, summed in another order: equal to rounding.
            QVERIFY(std::abs(layer.activationGradNorm / stats.activationGradNorm - 1.0) < 1e-12);
            const double count = double(layer.units) * double(layer.inputs);
            QVERIFY(std::abs(layer.weightGradRms * std::sqrt(count) / stats.weightGradNorm - 1.0) < 1e-12);
            QVERIFY(std::abs(layer.weightRms * std::sqrt(count) / stats.weightNorm - 1.0) < 1e-12);
            if (l + 1 < p.layers.size()) {
                QVERIFY(std::abs(layer.saturation - stats.saturation) < 1e-12);
                GRADFLOW_COMPARE_BITS(layer.deadFraction, stats.deadFraction);
            } else {
                QVERIFY(std::isnan(layer.saturation));
            }
        }
    }
}

void TestNetworkPicture::deadUnitsAreFlagged() {
    // A strongly negative bias start kills ReLUs (the dead-relu lesson): the units flagged
    // dead are exactly the engine's count, and a dead unit is saturated on every sample.
    ExperimentConfig config = spiral({8, 8, 8}, ActivationKind::Relu);
    config.biasInit.value = -1.5;
    const Recorded r = record(config, 1);
    const NetworkPicture& p = *r.pictures.front();
    int deadSeen = 0;
    for (std::size_t l = 0; l < 3; ++l) {
        const PictureLayer& layer = p.layers[l];
        int dead = 0;
        for (std::size_t u = 0; u < layer.unitDead.size(); ++u) {
            if (!layer.unitDead[u]) continue;
            ++dead;
            GRADFLOW_COMPARE_BITS(layer.unitSaturation[u], 1.0);
        }
        GRADFLOW_COMPARE_BITS(double(dead) / layer.units, r.stats.front().layers[l].deadFraction);
        deadSeen += dead;
    }
    QVERIFY2(deadSeen > 0, "the negative bias start should kill some units");
}

void TestNetworkPicture::scaleFollowsItsRule_data() {
    QTest::addColumn<std::vector<double>>("magnitudes");
    QTest::addColumn<double>("largestWeight");
    QTest::addColumn<double>("low");
    QTest::addColumn<double>("high");
    QTest::addColumn<double>("weightMax");
    // 2nd percentile 1e-4.5 -> floor -5; max 10^-0.5 -> ceil 0, plus a decade of headroom.
    std::vector<double> healthy;
    for (int i = 0; i <= 100; ++i) healthy.push_back(std::pow(10.0, -4.5 + 4.0 * i / 100.0));
    QTest::newRow("whole decades, headroom above") << healthy << 0.73 << -5.0 << 1.0 << 1.0;
    // A single outlier near 0 does not drag the low end down (it is below the 2nd percentile).
    std::vector<double> outlier = healthy;
    outlier.push_back(1e-30);
    QTest::newRow("an outlier near zero is ignored") << outlier << 1.2 << -5.0 << 1.0 << 2.0;
    QTest::newRow("at least four decades") << std::vector<double>{0.3, 0.5} << 3.0 << -3.0 << 1.0 << 5.0;
    std::vector<double> vanishing;
    for (int i = 0; i <= 100; ++i) vanishing.push_back(std::pow(10.0, -20.0 + 19.0 * i / 100.0));
    QTest::newRow("at most twelve decades") << vanishing << 0.05 << -12.0 << 0.0 << 0.05;
    QTest::newRow("zeros, NaN and Inf are not magnitudes")
        << std::vector<double>{0.0, std::nan(""), HUGE_VAL, 1e-2} << 0.0 << -5.0 << -1.0 << 1.0;
    QTest::newRow("nothing to scale") << std::vector<double>{} << std::nan("") << -6.0 << 0.0 << 1.0;
}

void TestNetworkPicture::scaleFollowsItsRule() {
    QFETCH(std::vector<double>, magnitudes);
    QFETCH(double, largestWeight);
    QFETCH(double, low);
    QFETCH(double, high);
    QFETCH(double, weightMax);
    const PictureScale s = choosePictureScale(magnitudes, largestWeight);
    GRADFLOW_COMPARE_BITS(s.log10Low, low);
    GRADFLOW_COMPARE_BITS(s.log10High, high);
    GRADFLOW_COMPARE_BITS(s.weightMax, weightMax);
}

void TestNetworkPicture::scaleIsChosenOncePerRun() {
    // A large learning rate moves the gradients by decades; the scale must not follow.
    ExperimentConfig config = spiral({8, 8, 8, 8}, ActivationKind::Tanh);
    config.training.optimizer.learningRate = 2.0;
    const Recorded r = record(config, 30);
    std::vector<double> stepZero;
    for (const PictureLayer& l : r.pictures.front()->layers)
        for (double g : l.weightGrads) stepZero.push_back(std::abs(g));
    double largest = 0.0;
    for (const PictureLayer& l : r.pictures.front()->layers)
        for (double w : l.weights) largest = std::max(largest, std::abs(w));
    QVERIFY(sameScale(r.pictures.front()->scale, choosePictureScale(stepZero, largest)));
    for (const NetworkPicturePtr& p : r.pictures) QVERIFY(sameScale(p->scale, r.pictures.front()->scale));
    // And the gradients did move: a scale fitted to the last step would differ.
    std::vector<double> last;
    for (const PictureLayer& l : r.pictures.back()->layers)
        for (double g : l.weightGrads) last.push_back(std::abs(g));
    QVERIFY(!sameScale(choosePictureScale(last, largest), r.pictures.front()->scale));
}

void TestNetworkPicture::skipsStartWhereTheLastGroupEnded() {
    // Six hidden layers, skips every 2 from layer 2: groups [2,3], [4,5], [6].
    ExperimentConfig config = spiral({8, 8, 8, 8, 8, 8}, ActivationKind::Relu);
    config.residual.every = 2;
    const Recorded r = record(config, 1);
    const std::vector<int> expected = {0, 0, 1, 0, 3, 5, 0};
    const NetworkPicture& p = *r.pictures.front();
    QCOMPARE(p.layers.size(), expected.size());
    for (std::size_t l = 0; l < expected.size(); ++l) QCOMPARE(p.layers[l].skipFrom, expected[l]);
}

void TestNetworkPicture::recurrentNetIsPicturedAsTimeSteps() {
    ExperimentConfig config;
    config.seed = 11;
    config.model = ModelKind::Recurrent;
    config.data.kind = DataKind::Adding;
    config.data.samples = 64;
    config.data.sequenceLength = 6;
    config.training.loss = LossKind::MeanSquaredError;
    config.training.batchSize = 16;
    config.recurrent.hiddenSize = 8;
    const Recorded r = record(config, 2);
    const NetworkPicture& p = *r.pictures.back();
    QVERIFY(p.unrolled);
    QCOMPARE(p.layers.size(), std::size_t(6));
    for (std::size_t t = 0; t < p.layers.size(); ++t) {
        const PictureLayer& step = p.layers[t];
        QCOMPARE(step.units, 8);
        QCOMPARE(step.inputs, 0);
        QVERIFY(!step.detailed);
        QVERIFY(std::abs(step.activationGradNorm / r.stats.back().layers[t].activationGradNorm - 1.0) < 1e-12);
        QVERIFY(std::isfinite(step.saturation));  // vanilla tanh: phi of its pre-activation
    }
}

void TestNetworkPicture::distributionCollectorCarriesThePicture() {
    const ExperimentConfig config = spiral({8, 8}, ActivationKind::Tanh);
    auto trainer = Trainer::create(config);
    DistributionCollector withConfig(config), without;
    trainer->setStepInspector([&](std::int64_t step, const LayerValues& v) {
        withConfig.collect(step, v);
        without.collect(step, v);
    });
    trainer->step();
    trainer->step();
    trainer->setStepInspector({});
    QVERIFY(withConfig.latest()->network);
    QCOMPARE(withConfig.latest()->network->step, withConfig.latest()->current->step);
    QVERIFY(!without.latest()->network);
}

QTEST_APPLESS_MAIN(TestNetworkPicture)
#include "tst_network_picture.moc"
