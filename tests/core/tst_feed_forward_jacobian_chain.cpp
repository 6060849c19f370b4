// The feed-forward Jacobian chain that the spectrum is computed from, against central
// finite differences of the net's own forward pass: plain layers, batch norm with the
// statistics held at the last training batch (the spectrum's mode) and at the running
// statistics (evaluation), layer norm (each probe's own statistics, in any mode), and
// residual groups, whose Jacobian is I + the group's product (times the branch scale:
// ReZero's learnable alpha or the fixed 1/sqrt(blocks)).
//
// Layer 1 is made the identity (linear activation, identity weights, input width), so
// h_1 = x + b_1 and d h_L / d h_1 = d h_L / d x: the differences are taken on the input.

#include <QtTest>

#include <cmath>

#include "core/data/random.h"
#include "core/model/feed_forward_net.h"

using namespace gradflow::core;
using Net = FeedForwardNet<double>;
using Mode = Net::ForwardMode;

Q_DECLARE_METATYPE(ActivationKind)
Q_DECLARE_METATYPE(Mode)

namespace {

constexpr int kProbes = 3;

ExperimentConfig makeConfig(ActivationKind activation, bool batchNorm, int residualEvery, bool layerNorm = false,
                            BranchScaleKind branchScale = BranchScaleKind::None) {
    ExperimentConfig c;
    c.data.kind = DataKind::Spiral;  // 2-D inputs, 3 classes
    c.data.classes = 3;
    LayerSpec identity;
    identity.width = c.inputDimension();
    identity.activation = {ActivationKind::Linear};
    identity.init = {InitKind::Identity, 1.0};
    c.layers = {identity};
    LayerSpec layer;
    layer.activation = {activation, 0.1, 0.8};
    layer.batchNorm = batchNorm;
    layer.init = {InitKind::XavierNormal, 1.4};
    // Widths alternate so the factors are not square; with residual groups of two the
    // group ends return to the input width, as the skips require.
    for (int width : {5, c.inputDimension(), 4, c.inputDimension()}) {
        layer.width = residualEvery > 0 ? width : width + 1;
        // Layer norm over two units leaves only a sign (z-hat = +-1), whose Jacobian is 0;
        // the width-2 ends of residual groups go without it so the check has something to check.
        layer.layerNorm = layerNorm && layer.width > 2;
        c.layers.push_back(layer);
    }
    c.residual.every = residualEvery;
    c.residual.branchScale = branchScale;
    c.biasInit.value = 0.1;
    return c;
}

Net::Matrix gaussian(Eigen::Index rows, Eigen::Index cols, Random& rng) {
    Net::Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.normal();
    return m;
}

/// Composes the chain's factors into d h_L / d h_1 for one probe, residual groups included.
Eigen::MatrixXd endToEnd(const JacobianChain& chain, int probe, Eigen::Index width) {
    Eigen::MatrixXd product = Eigen::MatrixXd::Identity(width, width);
    Eigen::MatrixXd groupInput;
    for (int unit = 0; unit < chain.units(); ++unit) {
        for (const auto& [first, last] : chain.residualGroups)
            if (first == unit) groupInput = product;
        product = chain.unitJacobian(unit, probe) * product;
        for (const auto& [first, last] : chain.residualGroups)
            if (last == unit) product += groupInput;
    }
    return product;
}

}  // namespace

class TestFeedForwardJacobianChain : public QObject {
    Q_OBJECT
private slots:
    void matchesFiniteDifferences_data() {
        QTest::addColumn<ActivationKind>("activation");
        QTest::addColumn<bool>("batchNorm");
        QTest::addColumn<int>("residualEvery");
        QTest::addColumn<Mode>("mode");
        QTest::addColumn<bool>("trainedFirst");
        QTest::addColumn<bool>("layerNorm");
        QTest::addColumn<int>("branchScale");
        QTest::newRow("tanh") << ActivationKind::Tanh << false << 0 << Mode::Probe << true << false << 0;
        QTest::newRow("sigmoid, residual") << ActivationKind::Sigmoid << false << 2 << Mode::Probe << true << false << 0;
        QTest::newRow("elu, batch norm at initialisation")
            << ActivationKind::Elu << true << 0 << Mode::Probe << false << false << 0;
        QTest::newRow("tanh, batch norm, last batch") << ActivationKind::Tanh << true << 0 << Mode::Probe << true << false << 0;
        QTest::newRow("tanh, batch norm, running") << ActivationKind::Tanh << true << 0 << Mode::Evaluate << true << false << 0;
        QTest::newRow("softsign, batch norm, residual, last batch")
            << ActivationKind::Softsign << true << 2 << Mode::Probe << true << false << 0;
        QTest::newRow("gelu, batch norm, residual, running")
            << ActivationKind::Gelu << true << 2 << Mode::Evaluate << true << false << 0;
        QTest::newRow("tanh, layer norm at initialisation")
            << ActivationKind::Tanh << false << 0 << Mode::Probe << false << true << 0;
        QTest::newRow("elu, layer norm, trained, probe") << ActivationKind::Elu << false << 0 << Mode::Probe << true << true << 0;
        QTest::newRow("gelu, layer norm, residual, evaluate")
            << ActivationKind::Gelu << false << 2 << Mode::Evaluate << true << true << 0;
        QTest::newRow("tanh, rezero, trained")
            << ActivationKind::Tanh << false << 2 << Mode::Probe << true << false << int(BranchScaleKind::ReZero);
        QTest::newRow("relu, residual / sqrt(blocks), layer norm")
            << ActivationKind::Relu << false << 2 << Mode::Probe << true << true << int(BranchScaleKind::InverseSqrtBlocks);
    }

    void matchesFiniteDifferences() {
        QFETCH(ActivationKind, activation);
        QFETCH(bool, batchNorm);
        QFETCH(int, residualEvery);
        QFETCH(Mode, mode);
        QFETCH(bool, trainedFirst);
        QFETCH(bool, layerNorm);
        QFETCH(int, branchScale);
        const ExperimentConfig config = makeConfig(activation, batchNorm, residualEvery, layerNorm, BranchScaleKind(branchScale));
        Random rng(7);
        Net net(config, rng);
        // ReZero's alphas start at 0, where each group is the identity; away from 0 the
        // scale has to be in the chain.
        for (auto& block : net.parameterBlocks())
            if (block.size == 1) *block.value = -0.8;
        const Eigen::Index inputs = config.inputDimension();
        if (trainedFirst) {
            // Training batches move the batch and running statistics away from their
            // initial values, and from each other (momentum 0.1), so the two modes differ.
            for (int batch = 0; batch < 3; ++batch) {
                const Net::Matrix x = 1.5 * gaussian(inputs, 16, rng).array() + 0.4 * (batch + 1);
                net.forward(x, 16);
            }
        }
        const Net::Matrix probes = gaussian(inputs, kProbes, rng);
        const JacobianChain chain = net.jacobianChain(probes, mode);
        QCOMPARE(chain.probes, kProbes);
        QCOMPARE(chain.units(), static_cast<int>(config.layers.size()) - 1);
        QCOMPARE(chain.residualGroups.size(), residualEvery > 0 ? std::size_t(2) : std::size_t(0));

        const double h = 1e-6;
        double worst = 0.0;
        for (int p = 0; p < kProbes; ++p) {
            const Eigen::MatrixXd analytic = endToEnd(chain, p, inputs);
            QCOMPARE(analytic.rows(), net.lastHidden(probes.col(p), mode).rows());
            for (Eigen::Index k = 0; k < inputs; ++k) {
                Net::Matrix up = probes.col(p), down = probes.col(p);
                up(k) += h;
                down(k) -= h;
                const Eigen::VectorXd numeric = (net.lastHidden(up, mode) - net.lastHidden(down, mode)) / (2 * h);
                const double error = (numeric - analytic.col(k)).norm() / std::max(1.0, numeric.norm());
                worst = std::max(worst, error);
            }
        }
        QVERIFY2(worst < 1e-7, qPrintable(QStringLiteral("worst relative error %1").arg(worst)));
    }

    /// The two batch-norm modes must really differ after training, or the test above would
    /// not tell them apart.
    void batchNormModesDiffer() {
        const ExperimentConfig config = makeConfig(ActivationKind::Tanh, true, 0);
        Random rng(7);
        Net net(config, rng);
        const Net::Matrix x = 1.5 * gaussian(config.inputDimension(), 16, rng).array() + 0.8;
        net.forward(x, 16);
        const Net::Matrix probes = gaussian(config.inputDimension(), kProbes, rng);
        const double gap = (net.lastHidden(probes, Mode::Probe) - net.lastHidden(probes, Mode::Evaluate)).norm();
        QVERIFY2(gap > 1e-2, qPrintable(QStringLiteral("modes differ by only %1").arg(gap)));
    }

    /// Layer norm uses each sample's own statistics: training, evaluation and probes compute
    /// the same outputs, whatever batch the sample came in.
    void layerNormIsTheSameInEveryMode() {
        const ExperimentConfig config = makeConfig(ActivationKind::Tanh, false, 2, true);
        Random rng(5);
        Net net(config, rng);
        const Net::Matrix x = 1.5 * gaussian(config.inputDimension(), 16, rng).array() + 0.8;
        const Net::Matrix trained = net.forward(x, 16);
        QCOMPARE(net.predict(x), trained);
        QCOMPARE(net.lastHidden(x, Mode::Probe), net.lastHidden(x, Mode::Evaluate));
        // Alone or in a batch (a one-column product may round differently, nothing more).
        QVERIFY((net.lastHidden(x.col(3), Mode::Evaluate) - net.lastHidden(x, Mode::Evaluate).col(3)).norm() < 1e-12);
    }

    /// Evaluation mode is what predict() uses: the readout of lastHidden() is predict().
    void predictIsTheReadoutOfEvaluationMode() {
        const ExperimentConfig config = makeConfig(ActivationKind::Tanh, true, 2);
        Random rng(9);
        Net net(config, rng);
        net.forward(gaussian(config.inputDimension(), 16, rng), 16);
        const Net::Matrix probes = gaussian(config.inputDimension(), kProbes, rng);
        const Eigen::MatrixXd lastHidden = net.lastHidden(probes, Mode::Evaluate);
        const Eigen::MatrixXd readout = net.weightMatrices().back();
        // The readout's bias is still 0: no update has run.
        QVERIFY((net.predict(probes) - readout * lastHidden).norm() < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestFeedForwardJacobianChain)
#include "tst_feed_forward_jacobian_chain.moc"
