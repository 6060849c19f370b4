// Fixup initialisation (Zhang, Dauphin & Ma 2019) on small nets: each residual branch's
// last layer starts at exactly 0, its other layers at the weights drawn without Fixup times
// B^(-1/(2m-2)) (the factors below are written out), and everything else as drawn. Where it
// does not apply, validation says why.

#include <QtTest>

#include <bit>
#include <cmath>

#include "core/config/experiment_validation.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

/// `depth` hidden layers of width 3 in groups of `every` from layer 2; branch-ending layers
/// linear (a ReLU at 0 would pass Fixup's zero layer no gradient), the rest ReLU.
ExperimentConfig residualConfig(int depth, int every) {
    ExperimentConfig c;
    c.data.kind = DataKind::Spiral;
    LayerSpec layer;
    layer.width = 3;
    layer.activation.kind = ActivationKind::Relu;
    layer.init.kind = InitKind::HeNormal;
    c.layers.assign(std::size_t(depth), layer);
    c.residual.every = every;
    for (int end = 1 + every; end <= depth + every - 1; end += every)
        c.layers[std::size_t(std::min(end, depth) - 1)].activation.kind = ActivationKind::Linear;
    return c;
}

std::vector<Eigen::MatrixXd> initialWeights(const ExperimentConfig& c) { return Trainer::create(c)->weightMatrices(); }

bool closeTo(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& expected) {
    return ((actual - expected).cwiseAbs().array() <= 1e-15 * expected.cwiseAbs().array()).all();
}

bool hasFixupIssue(const ExperimentConfig& c, const char* fragment) {
    for (const ConfigIssue& issue : validateExperiment(c))
        if (issue.field == "model.residual.fixup" && issue.message.find(fragment) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestFixup : public QObject {
    Q_OBJECT
private slots:
    void scalesBranchesAndZeroesTheirLastLayer_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("every");
        QTest::addColumn<QList<double>>("factors");  // per hidden layer, then the readout
        // 2 blocks of 2 layers: 2^(-1/2).
        QTest::newRow("5 layers, blocks of 2") << 5 << 2 << QList<double>{1, 0.70710678118654752, 0, 0.70710678118654752, 0, 1};
        // 2 blocks of 3 layers: 2^(-1/4).
        QTest::newRow("7 layers, blocks of 3")
            << 7 << 3
            << QList<double>{1, 0.84089641525371454, 0.84089641525371454, 0, 0.84089641525371454, 0.84089641525371454, 0, 1};
        // 3 blocks, the last one short (layers 8-9): 3^(-1/4) in the full ones, 3^(-1/2) in the short one.
        QTest::newRow("9 layers, blocks of 3, one short") << 9 << 3 << QList<double>{1, 0.75983568565159254, 0.75983568565159254,
                                                                                     0, 0.75983568565159254, 0.75983568565159254,
                                                                                     0, 0.57735026918962576, 0,
                                                                                     1};
        // One-layer branches have only a last layer: it is zeroed, nothing is scaled.
        QTest::newRow("4 layers, blocks of 1") << 4 << 1 << QList<double>{1, 0, 0, 0, 1};
    }

    void scalesBranchesAndZeroesTheirLastLayer() {
        QFETCH(int, depth);
        QFETCH(int, every);
        QFETCH(QList<double>, factors);
        ExperimentConfig c = residualConfig(depth, every);
        QVERIFY(validateExperiment(c).empty());
        const std::vector<Eigen::MatrixXd> plain = initialWeights(c);
        c.residual.fixup = true;
        const auto issues = validateExperiment(c);
        QVERIFY2(issues.empty(), issues.empty() ? "" : issues.front().text().c_str());
        const std::vector<Eigen::MatrixXd> fixup = initialWeights(c);
        QCOMPARE(fixup.size(), std::size_t(factors.size()));
        for (std::size_t l = 0; l < fixup.size(); ++l) {
            const double factor = factors[qsizetype(l)];
            if (factor == 0) QVERIFY2((fixup[l].array() == 0).all(), qPrintable(QString("layer %1 not zero").arg(l + 1)));
            else
                QVERIFY2(closeTo(fixup[l], factor * plain[l]),
                         qPrintable(QString("layer %1 not scaled by %2").arg(l + 1).arg(factor)));
        }
        // The helper the engine uses agrees with the written-out factors.
        QVERIFY(std::abs(c.fixupScale(every) - (every > 1 ? factors[1] : 1.0)) < 1e-15);
    }

    // A zero branch passes the skip through: at initialisation the last hidden layer's
    // activations are those of layer 1, however deep the stack.
    void everyBlockStartsAsTheIdentity() {
        ExperimentConfig c = residualConfig(21, 2);
        c.residual.fixup = true;
        auto trainer = Trainer::create(c);
        const StepStats& s = trainer->step();
        QVERIFY(s.layers[0].activationStd > 0);
        QVERIFY(std::bit_cast<std::uint64_t>(s.layers[20].activationStd) ==
                std::bit_cast<std::uint64_t>(s.layers[0].activationStd));
        QVERIFY(std::bit_cast<std::uint64_t>(s.layers[20].activationMean) ==
                std::bit_cast<std::uint64_t>(s.layers[0].activationMean));
    }

    void refusedWhereItDoesNotApply() {
        ExperimentConfig c = residualConfig(5, 2);
        c.residual.fixup = true;
        c.residual.every = 0;
        QVERIFY(hasFixupIssue(c, "every is 0"));
        c = residualConfig(5, 2);
        c.residual.fixup = true;
        c.layers[3].batchNorm = true;
        QVERIFY(hasFixupIssue(c, "without normalisation"));
        c.layers[3].batchNorm = false;
        c.layers[1].layerNorm = true;
        QVERIFY(hasFixupIssue(c, "without normalisation"));
        c.layers[1].layerNorm = false;
        c.residual.branchScale = BranchScaleKind::ReZero;
        QVERIFY(hasFixupIssue(c, "rezero"));
        c.residual.branchScale = BranchScaleKind::None;
        c.layers[4].activation.kind = ActivationKind::Relu;  // ends the second branch
        QVERIFY(hasFixupIssue(c, "layer 5"));
        c.biasInit.std = 0.1;  // random biases: about half the units start on ReLU's slope
        QVERIFY(validateExperiment(c).empty());
    }
};

QTEST_APPLESS_MAIN(TestFixup)
#include "tst_fixup.moc"
