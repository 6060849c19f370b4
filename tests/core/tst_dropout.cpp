// Inverted dropout: in training each unit of each sample is zeroed with probability p and
// the kept ones multiplied by exactly 1 / (1 - p); evaluation is the identity, so predict()
// equals the same net's without dropout bit for bit. Masks come from their own seeded
// stream: a run is reproducible, and a net without dropout draws nothing from it.
// (Its backward pass is in tst_gradient_check, masks held.)

#include <QtTest>

#include <bit>
#include <cmath>

#include "core/config/experiment_validation.h"
#include "core/data/random.h"
#include "core/model/activation.h"
#include "core/model/feed_forward_net.h"
#include "core/training/trainer.h"

using namespace gradflow::core;
using Net = FeedForwardNet<double>;

namespace {

constexpr double kRate = 0.3;

ExperimentConfig dropoutConfig(double rate) {
    ExperimentConfig c;
    c.data.kind = DataKind::Spiral;
    c.data.classes = 3;
    LayerSpec layer;
    layer.width = 32;
    layer.activation.kind = ActivationKind::Tanh;
    layer.dropout = rate;
    c.layers.assign(4, layer);
    c.residual.every = 2;
    c.training.batchSize = 256;
    return c;
}

Net::Matrix inputsOf(const ExperimentConfig& c, int batch) {
    Random rng(5);
    Net::Matrix x(c.inputDimension(), batch);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
    return x;
}

bool sameBits(const Net::Matrix& a, const Net::Matrix& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
    for (Eigen::Index i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint64_t>(a.data()[i]) != std::bit_cast<std::uint64_t>(b.data()[i])) return false;
    return true;
}

Net::Matrix activationsOf(const Net& net, int unit) {
    const std::span<const double> h = net.layerValues(LayerQuantity::Activation, unit);
    return Eigen::Map<const Net::Matrix>(h.data(), 32, net.batch());
}

}  // namespace

class TestDropout : public QObject {
    Q_OBJECT
private slots:
    void keptUnitsAreScaledByOneOverKeepProbability() {
        const ExperimentConfig c = dropoutConfig(kRate);
        Random rng(3);
        Net net(c, rng);
        const Net::Matrix x = inputsOf(c, 256);
        net.forward(x, 256);
        // Layer 1 has no skip: h = m * tanh(y) with m in {0, 1/(1-p)}.
        const std::span<const double> y = net.layerValues(LayerQuantity::Preactivation, 1);
        const std::span<const double> h = net.layerValues(LayerQuantity::Activation, 1);
        std::vector<double> phi(y.size());
        activateArray<double>(c.layers[0].activation, y, phi);
        const double kept = 1.0 / (1.0 - kRate);
        std::size_t zeros = 0;
        for (std::size_t i = 0; i < y.size(); ++i) {
            if (h[i] == 0.0) ++zeros;
            else
                QVERIFY2(std::bit_cast<std::uint64_t>(h[i]) == std::bit_cast<std::uint64_t>(phi[i] * kept),
                         qPrintable(QString("element %1: %2 vs %3").arg(i).arg(h[i]).arg(phi[i] * kept)));
        }
        std::vector<LayerStats> stats;
        const Net::Matrix targets = Net::Matrix::Identity(c.outputDimension(), 256);
        double accuracy = 0;
        net.loss(targets, LossKind::CrossEntropy, accuracy);
        net.backward();
        net.gradientStatistics(stats);
        const double fraction = double(zeros) / double(y.size());
        QVERIFY(std::bit_cast<std::uint64_t>(stats[0].droppedFraction) == std::bit_cast<std::uint64_t>(fraction));
        // 8192 Bernoulli(0.3) draws: the standard deviation of the fraction is 0.005.
        QVERIFY2(std::abs(fraction - kRate) < 0.025, qPrintable(QString::number(fraction)));
        QVERIFY(std::isnan(stats.back().droppedFraction));  // the readout has no dropout
    }

    void evaluationIsTheIdentity() {
        const ExperimentConfig with = dropoutConfig(kRate), without = dropoutConfig(0.0);
        Random rngA(3), rngB(3);
        Net a(with, rngA), b(without, rngB);
        const Net::Matrix x = inputsOf(with, 64);
        a.forward(x, 64);  // draws masks; evaluation must not see them
        QVERIFY(sameBits(a.predict(x), b.predict(x)));
        QVERIFY(sameBits(a.lastHidden(x, Net::ForwardMode::Probe), b.lastHidden(x, Net::ForwardMode::Probe)));
        // Training does drop: the same inputs give other outputs than evaluation's.
        QVERIFY(!sameBits(a.forward(x, 64), a.predict(x)));
    }

    void masksAreFreshEachStepUnlessHeld() {
        const ExperimentConfig c = dropoutConfig(kRate);
        Random rng(3);
        Net net(c, rng);
        const Net::Matrix x = inputsOf(c, 16);
        net.forward(x, 16);
        const Net::Matrix first = activationsOf(net, 3);
        net.forward(x, 16);
        QVERIFY(!sameBits(first, activationsOf(net, 3)));
        net.setDropoutMasks(Net::DropoutMasks::Held);
        const Net::Matrix held = activationsOf(net, 3);
        net.forward(x, 16);
        QVERIFY(sameBits(held, activationsOf(net, 3)));
    }

    void runsRepeatBitForBit() {
        ExperimentConfig c = dropoutConfig(kRate);
        c.training.batchSize = 32;
        QVERIFY(validateExperiment(c).empty());
        auto first = Trainer::create(c), second = Trainer::create(c);
        for (int step = 0; step < 5; ++step) {
            const StepStats& a = first->step();
            const StepStats& b = second->step();
            QVERIFY(std::bit_cast<std::uint64_t>(a.loss) == std::bit_cast<std::uint64_t>(b.loss));
            QVERIFY(std::bit_cast<std::uint64_t>(a.layers[1].droppedFraction) ==
                    std::bit_cast<std::uint64_t>(b.layers[1].droppedFraction));
        }
    }

    // The masks' stream is separate: the weights a net starts from do not depend on dropout.
    void dropoutLeavesTheInitialWeights() {
        const ExperimentConfig with = dropoutConfig(kRate), without = dropoutConfig(0.0);
        const auto a = Trainer::create(with)->weightMatrices();
        const auto b = Trainer::create(without)->weightMatrices();
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) QVERIFY(sameBits(a[i], b[i]));
    }
};

QTEST_APPLESS_MAIN(TestDropout)
#include "tst_dropout.moc"
