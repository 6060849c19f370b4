// LSUV initialisation (Mishkin & Matas 2016): each hidden layer's drawn weights rescaled on
// a batch of data until its dense output has variance 1. Checked against a forward pass
// written out here, against the weights drawn without it (same stream, one factor per
// layer), at its edges (biases, a layer with nothing to rescale), in the experiment file
// and validation, and against the mean-field line it implies (q = 1 at every layer),
// whose finite-width band must hold the measured gradients of LSUV nets.

#include <QtTest>

#include <bit>
#include <cmath>

#include "core/analysis/mean_field.h"
#include "core/config/config_change.h"
#include "core/config/experiment_validation.h"
#include "core/io/experiment_file.h"
#include "core/model/activation.h"
#include "core/model/feed_forward_net.h"
#include "core/training/trainer.h"
#include "core/training/trainer_streams.h"

using namespace gradflow::core;

namespace {

ExperimentConfig plainConfig(ActivationKind activation, InitKind init, double gain, int depth, int width) {
    ExperimentConfig c;
    c.data.kind = DataKind::Spiral;
    c.biasInit.std = 0.0;
    LayerSpec layer;
    layer.width = width;
    layer.activation.kind = activation;
    layer.init.kind = init;
    layer.init.gain = gain;
    c.layers.assign(std::size_t(depth), layer);
    return c;
}

/// The batch LSUV is documented to use: a batch's worth of samples evenly spaced through the set.
Eigen::MatrixXd documentedBatch(const Trainer& trainer) {
    const Dataset& data = trainer.dataset();
    const Eigen::Index samples = data.samples();
    const Eigen::Index batch = std::min<Eigen::Index>(trainer.config().training.batchSize, samples);
    Eigen::MatrixXd x(data.inputDimension, batch);
    for (Eigen::Index j = 0; j < batch; ++j) x.col(j) = data.inputs.front().col(j * samples / batch);
    return x;
}

double variance(const Eigen::MatrixXd& m) {
    const double mean = m.mean();
    return (m.array() - mean).square().mean();
}

/// Dense outputs W h + b of every hidden layer, by a forward pass written out here (plain
/// stacks, biases all equal to `bias`).
std::vector<Eigen::MatrixXd> denseOutputs(const ExperimentConfig& c, const std::vector<Eigen::MatrixXd>& weights,
                                          Eigen::MatrixXd h, double bias) {
    std::vector<Eigen::MatrixXd> out;
    for (std::size_t l = 0; l < c.layers.size(); ++l) {
        Eigen::MatrixXd z = weights[l] * h;
        z.array() += bias;
        out.push_back(z);
        h = z.unaryExpr([&](double v) { return activate(c.layers[l].activation, v); });
    }
    return out;
}

/// E[f(z)] for z ~ N(0, 1) by the trapezoid rule on [-12, 12]: independent of the
/// library's quadrature, accurate far below the tolerances used.
template <typename F>
double standardNormalMean(F f) {
    constexpr int kSteps = 24000;
    const double dz = 24.0 / kSteps;
    double sum = 0.0;
    for (int i = 0; i <= kSteps; ++i) {
        const double z = -12.0 + i * dz;
        sum += (i == 0 || i == kSteps ? 0.5 : 1.0) * f(z) * std::exp(-0.5 * z * z);
    }
    return sum * dz / std::sqrt(2.0 * M_PI);
}

bool hasIssue(const ExperimentConfig& c, const char* field, const char* fragment) {
    for (const ConfigIssue& issue : validateExperiment(c))
        if (issue.field == field && issue.message.find(fragment) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestLsuv : public QObject {
    Q_OBJECT
private slots:
    void everyLayerLeavesWithUnitVariance_data() {
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("init");
        QTest::addColumn<double>("gain");
        // Gains far from critical on purpose: LSUV must undo them.
        QTest::newRow("tanh xavier x0.5") << int(ActivationKind::Tanh) << int(InitKind::XavierNormal) << 0.5;
        QTest::newRow("relu orthogonal x1") << int(ActivationKind::Relu) << int(InitKind::Orthogonal) << 1.0;
        QTest::newRow("sigmoid he x3") << int(ActivationKind::Sigmoid) << int(InitKind::HeUniform) << 3.0;
    }

    void everyLayerLeavesWithUnitVariance() {
        QFETCH(int, activation);
        QFETCH(int, init);
        QFETCH(double, gain);
        ExperimentConfig c = plainConfig(ActivationKind(activation), InitKind(init), gain, 6, 24);
        QVERIFY(validateExperiment(c).empty());
        const std::vector<Eigen::MatrixXd> drawn = Trainer::create(c)->weightMatrices();
        c.lsuv = true;
        QVERIFY(validateExperiment(c).empty());
        const auto trainer = Trainer::create(c);
        const std::vector<Eigen::MatrixXd> scaled = trainer->weightMatrices();
        QCOMPARE(scaled.size(), drawn.size());
        // Without biases one rescaling lands on 1: only rounding is left.
        const std::vector<Eigen::MatrixXd> dense = denseOutputs(c, scaled, documentedBatch(*trainer), 0.0);
        for (std::size_t l = 0; l < dense.size(); ++l)
            QVERIFY2(std::abs(variance(dense[l]) - 1.0) < 1e-12, qPrintable(QString("layer %1: variance %2").arg(l + 1).arg(variance(dense[l]), 0, 'g', 17)));
        // The same draw, one factor per layer; the readout as drawn, bit for bit.
        for (std::size_t l = 0; l + 1 < scaled.size(); ++l) {
            const double factor = scaled[l].norm() / drawn[l].norm();
            QVERIFY(std::abs(factor - 1.0) > 1e-3);
            QVERIFY(((scaled[l] - factor * drawn[l]).cwiseAbs().array() <= 1e-14 * drawn[l].cwiseAbs().maxCoeff()).all());
        }
        QVERIFY(scaled.back() == drawn.back());
        QVERIFY(std::isfinite(trainer->step().loss));
    }

    void biasesAreMetWithinTheTolerance() {
        // Biases are left alone, so W h + b reaches variance 1 only to LSUV's tolerance.
        ExperimentConfig c = plainConfig(ActivationKind::Tanh, InitKind::XavierNormal, 0.3, 5, 32);
        c.biasInit.std = 0.4;
        c.lsuv = true;
        const auto trainer = Trainer::create(c);
        // The trainer does not show its biases: the same net is built here from the same
        // stream, and the trainer's weights are checked to be this net's.
        Random rng(weightStream(c.seed));
        FeedForwardNet<double> net(c, rng);
        const Eigen::MatrixXd batch = documentedBatch(*trainer);
        QCOMPARE(net.scaleToUnitVariance(batch), 5);
        const std::vector<ParameterBlock<double>> blocks = net.parameterBlocks();
        const auto matrixOf = [&](int layer) {
            return Eigen::Map<const Eigen::MatrixXd>(blocks[std::size_t(2 * layer)].value, c.layers[std::size_t(layer)].width,
                                                     layer == 0 ? c.inputDimension() : c.layers[std::size_t(layer - 1)].width);
        };
        Eigen::MatrixXd h = batch;
        bool allExact = true;
        for (int l = 0; l < 5; ++l) {
            const Eigen::Map<const Eigen::VectorXd> bias(blocks[std::size_t(2 * l + 1)].value, c.layers[std::size_t(l)].width);
            const Eigen::MatrixXd z = (matrixOf(l) * h).colwise() + bias;
            const double v = variance(z);
            QVERIFY2(std::abs(v - 1.0) < FeedForwardNet<double>::kLsuvTolerance, qPrintable(QString("layer %1: %2").arg(l + 1).arg(v)));
            allExact = allExact && std::abs(v - 1.0) < 1e-12;
            h = z.array().tanh();
        }
        QVERIFY2(!allExact, "with biases some layer should stop at the tolerance, not at 1");
        // And the trainer built the same net: its weights equal this one's bit for bit.
        const std::vector<Eigen::MatrixXd> fromTrainer = trainer->weightMatrices();
        for (int l = 0; l < 5; ++l) QVERIFY(fromTrainer[std::size_t(l)] == matrixOf(l));
    }

    void aLayerWithNothingToScaleIsLeftAsDrawn() {
        // Biases at -100: layer 1's ReLUs are all off, so layer 2 sees only zeros, its dense
        // output is the constant bias and there is no variance to set.
        ExperimentConfig c = plainConfig(ActivationKind::Relu, InitKind::HeNormal, 1.0, 3, 8);
        c.biasInit.value = -100.0;
        const std::vector<Eigen::MatrixXd> drawn = Trainer::create(c)->weightMatrices();
        c.lsuv = true;
        const std::vector<Eigen::MatrixXd> scaled = Trainer::create(c)->weightMatrices();
        QVERIFY(scaled[0] != drawn[0]);
        QVERIFY(scaled[1] == drawn[1]);
        QVERIFY(scaled[2] == drawn[2]);
    }

    void lineIsTheLsuvNetsOwn() {
        // LSUV holds q = sigma_w^2 m + sigma_b^2 at 1, so from layer 2 on every layer
        // multiplies E||dL/dh||^2 by E[phi'(z)^2] / E[phi(z)^2], z ~ N(0, 1): exactly 1 for
        // ReLU (1/2 over 1/2), whatever the initialiser's gain.
        ExperimentConfig relu = plainConfig(ActivationKind::Relu, InitKind::XavierNormal, 0.5, 8, 64);
        relu.lsuv = true;
        const GradientProfiles flat = predictGradientProfiles(relu, 3.7);
        QVERIFY(flat.unavailableReason.empty());
        for (std::size_t l = 0; l < flat.activationGradient.size(); ++l) QVERIFY(std::abs(flat.activationGradient[l] - 1.0) < 1e-9);

        ExperimentConfig tanh = plainConfig(ActivationKind::Tanh, InitKind::XavierNormal, 0.5, 8, 64);
        tanh.lsuv = true;
        const double slope2 = standardNormalMean([](double z) { return std::pow(1.0 - std::tanh(z) * std::tanh(z), 2); });
        const double value2 = standardNormalMean([](double z) { return std::tanh(z) * std::tanh(z); });
        const double perLayer = std::sqrt(slope2 / value2);
        QVERIFY(perLayer > 1.05);  // LSUV tanh nets mildly explode backwards: E||dL/dh||^2 grows 1.18-fold a layer
        const GradientProfiles line = predictGradientProfiles(tanh, 0.2);
        for (std::size_t l = 0; l + 1 < line.activationGradient.size(); ++l) {
            const double ratio = line.activationGradient[l] / line.activationGradient[l + 1];
            QVERIFY2(std::abs(ratio / perLayer - 1.0) < 1e-9, qPrintable(QString("layer %1: %2 vs %3").arg(l + 1).arg(ratio).arg(perLayer)));
        }
        // Without LSUV the same net's line is the initialiser's, and vanishes.
        tanh.lsuv = false;
        QVERIFY(predictGradientProfiles(tanh, 0.2).activationGradient.front() < 1e-2);
    }

    void measuredGradientsLieInTheBand() {
        // A grid of badly scaled nets and input scales: after LSUV, per-sample ||dL/dh|| of
        // every layer relative to the last lies in the predicted finite-width band for >= 90%.
        struct Cell {
            ActivationKind activation;
            InitKind init;
            double gain;
        };
        const Cell cells[] = {{ActivationKind::Tanh, InitKind::XavierNormal, 0.5},
                              {ActivationKind::Tanh, InitKind::Orthogonal, 3.0},
                              {ActivationKind::Relu, InitKind::XavierNormal, 1.0},
                              {ActivationKind::Selu, InitKind::LecunNormal, 1.5},
                              {ActivationKind::Gelu, InitKind::HeNormal, 0.7}};
        const double inputScales[] = {0.1, 3.0};
#ifdef GRADFLOW_SANITIZED
        const int width = 32, seeds = 2;
#else
        const int width = 96, seeds = 4;
#endif
        constexpr int kDepth = 10, kBatch = 64;
        int inside = 0, total = 0;
        for (const Cell& cell : cells) {
            for (double scale : inputScales) {
                for (int seed = 0; seed < seeds; ++seed) {
                    ExperimentConfig c = plainConfig(cell.activation, cell.init, cell.gain, kDepth, width);
                    c.seed = 200 + std::uint64_t(seed);
                    c.lsuv = true;
                    QVERIFY(validateExperiment(c).empty());
                    const GradientProfiles predicted = predictGradientProfiles(c, scale * scale);
                    QCOMPARE(int(predicted.activationBand.lo.size()), kDepth);
                    // Inputs on the circle of radius scale sqrt(2): mean square coordinate scale^2.
                    Random rng(300 + std::uint64_t(seed));
                    Eigen::MatrixXd x(2, kBatch);
                    for (int b = 0; b < kBatch; ++b) {
                        const double angle = rng.uniform(0.0, 2.0 * M_PI);
                        x(0, b) = scale * std::sqrt(2.0) * std::cos(angle);
                        x(1, b) = scale * std::sqrt(2.0) * std::sin(angle);
                    }
                    Random weights(weightStream(c.seed));
                    FeedForwardNet<double> net(c, weights);
                    net.scaleToUnitVariance(x);
                    const Eigen::MatrixXd one = x.leftCols(1);
                    net.forward(one, 1);
                    Eigen::MatrixXd target = Eigen::MatrixXd::Zero(c.outputDimension(), 1);
                    target(0, 0) = 1.0;
                    double accuracy = 0.0;
                    net.loss(target, LossKind::CrossEntropy, accuracy);
                    net.backward();
                    std::vector<LayerStats> stats;
                    net.gradientStatistics(stats);
                    for (int l = 0; l < kDepth - 1; ++l) {
                        const double a = stats[std::size_t(l)].activationGradNorm / stats[kDepth - 1].activationGradNorm;
                        ++total;
                        if (a >= predicted.activationBand.lo[std::size_t(l)] && a <= predicted.activationBand.hi[std::size_t(l)]) ++inside;
                    }
                }
            }
        }
        qInfo("LSUV nets: ||dL/dh|| %d of %d layers inside the band", inside, total);
        QVERIFY2(inside >= 0.9 * total, qPrintable(QString("%1 of %2 inside").arg(inside).arg(total)));
    }

    void refusedWhereItCannotApply() {
        ExperimentConfig recurrent;
        recurrent.model = ModelKind::Recurrent;
        recurrent.data.kind = DataKind::Adding;
        recurrent.lsuv = true;
        QVERIFY(hasIssue(recurrent, "model.lsuv", "recurrent"));
        ExperimentConfig fixup = plainConfig(ActivationKind::Linear, InitKind::HeNormal, 1.0, 5, 8);
        fixup.residual.every = 2;
        fixup.residual.fixup = true;
        fixup.biasInit.std = 0.1;
        QVERIFY(validateExperiment(fixup).empty());
        fixup.lsuv = true;
        QVERIFY(hasIssue(fixup, "model.lsuv", "fixup"));
    }

    void savedOnlyWhenOn() {
        ExperimentConfig c = plainConfig(ActivationKind::Tanh, InitKind::Orthogonal, 1.0, 3, 8);
        const std::string off = serializeExperiment(c);
        QVERIFY(off.find("lsuv") == std::string::npos);
        c.lsuv = true;
        const std::string on = serializeExperiment(c);
        const std::size_t at = on.find("\"lsuv\": true");
        QVERIFY(at != std::string::npos);
        const ExperimentLoadResult back = parseExperiment(on);
        QVERIFY2(back.ok(), back.errorText().c_str());
        QVERIFY(back.config == c);
        const QByteArray notABoolean = QByteArray::fromStdString(on).replace("\"lsuv\": true", "\"lsuv\": 1");
        const ExperimentLoadResult wrong = parseExperiment(notABoolean.toStdString());
        QVERIFY(!wrong.ok());
        QVERIFY2(wrong.errors.front().field == "model.lsuv", wrong.errorText().c_str());
    }

    void compareOffersItsRemoval() {
        ExperimentConfig c = plainConfig(ActivationKind::Relu, InitKind::Orthogonal, 1.0, 6, 16);
        c.lsuv = true;
        const std::optional<ConfigChange> offered = oneClickChange(c);
        QVERIFY(offered);
        QCOMPARE(QString::fromStdString(offered->id), QString("lsuv-off"));
        const std::optional<ExperimentConfig> off = applyChange(c, "lsuv-off");
        QVERIFY(off && !off->lsuv);
        const std::optional<ExperimentConfig> on = applyChange(*off, "lsuv-on");
        QVERIFY(on && on->lsuv);
    }
};

QTEST_APPLESS_MAIN(TestLsuv)
#include "tst_lsuv.moc"
