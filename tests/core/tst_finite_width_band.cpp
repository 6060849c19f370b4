// The finite-width band around the mean-field profiles (core/analysis/finite_width_band.h)
// against fresh networks at initialisation: over a grid of activations, initialisations
// (each one's usual choice and one off the critical line), input scales and widths, the
// measured per-layer profile of both gradient statistics, anchored at the last hidden
// layer as the overlay is, must lie inside the predicted band for at least 90% of layers.
// A band that is too narrow fails here; one much too wide fails the width check.
#include <QTest>

#include <cmath>

#include "core/analysis/finite_width_band.h"
#include "core/analysis/mean_field.h"
#include "core/config/experiment_validation.h"
#include "core/data/random.h"
#include "core/model/feed_forward_net.h"

using namespace gradflow::core;

namespace {

struct GridCell {
    const char* name;
    ActivationKind activation;
    InitKind init;
    double gain;
};

// Each activation with the initialiser it is usually paired with, then one off-critical.
const GridCell kCells[] = {
    {"tanh xavier", ActivationKind::Tanh, InitKind::XavierNormal, 1.0},
    {"tanh xavier x2 (chaotic)", ActivationKind::Tanh, InitKind::XavierNormal, 2.0},
    {"relu he", ActivationKind::Relu, InitKind::HeNormal, 1.0},
    {"relu xavier (vanishing)", ActivationKind::Relu, InitKind::XavierNormal, 1.0},
    {"selu lecun", ActivationKind::Selu, InitKind::LecunNormal, 1.0},
    {"selu lecun x1.5 (exploding)", ActivationKind::Selu, InitKind::LecunNormal, 1.5},
    {"gelu he", ActivationKind::Gelu, InitKind::HeNormal, 1.0},
    {"gelu he x0.7 (vanishing)", ActivationKind::Gelu, InitKind::HeNormal, 0.7},
};
const double kInputScales[] = {0.1, 1.0, 3.0};
#ifdef GRADFLOW_SANITIZED
// ASan at -O1 is ~20x slower on the dense products: the narrow width keeps every cell.
const int kWidths[] = {32};
const int kSeeds = 2;
#else
const int kWidths[] = {32, 128};
const int kSeeds = 4;
#endif
constexpr int kDepth = 10;

ExperimentConfig gridConfig(const GridCell& cell, int width, int batch, std::uint64_t seed) {
    ExperimentConfig config;
    config.seed = seed;
    config.training.batchSize = batch;
    config.biasInit.std = 0.0;
    LayerSpec layer;
    layer.width = width;
    layer.activation.kind = cell.activation;
    layer.init.kind = cell.init;
    layer.init.gain = cell.gain;
    config.layers.assign(kDepth, layer);
    return config;
}

/// Inputs on the circle of radius scale sqrt(2): every sample's mean square coordinate is
/// exactly scale^2, so the spread measured is the network's, not the data's.
Eigen::MatrixXd circleInputs(double scale, int batch, Random& rng) {
    Eigen::MatrixXd x(2, batch);
    for (int b = 0; b < batch; ++b) {
        const double angle = rng.uniform(0.0, 2.0 * M_PI);
        x(0, b) = scale * std::sqrt(2.0) * std::cos(angle);
        x(1, b) = scale * std::sqrt(2.0) * std::sin(angle);
    }
    return x;
}

std::vector<LayerStats> initialGradients(const ExperimentConfig& config, const Eigen::MatrixXd& inputs, Random& rng) {
    FeedForwardNet<double> net(config, rng);
    const int batch = static_cast<int>(inputs.cols());
    net.forward(inputs, batch);
    Eigen::MatrixXd targets = Eigen::MatrixXd::Zero(config.outputDimension(), batch);
    for (int b = 0; b < batch; ++b) targets(rng.below(config.outputDimension()), b) = 1.0;
    double accuracy = 0.0;
    net.loss(targets, LossKind::CrossEntropy, accuracy);
    net.backward();
    std::vector<LayerStats> stats;
    net.gradientStatistics(stats);
    return stats;
}

struct Coverage {
    int inside = 0;
    int insideOneSigma = 0;  ///< inside the band's middle half in log: +-1 standard deviation
    int total = 0;
    double logWidth = 0.0;  ///< sum over layers of ln(hi / lo), for the mean width
    void count(double measured, double lo, double hi) {
        ++total;
        if (measured >= lo && measured <= hi) ++inside;
        const double offset = std::abs(std::log(measured) - 0.5 * std::log(lo * hi));
        if (offset <= 0.25 * std::log(hi / lo)) ++insideOneSigma;
        logWidth += std::log(hi / lo);
    }
    double fraction() const { return total > 0 ? double(inside) / total : 0.0; }
    double fractionOneSigma() const { return total > 0 ? double(insideOneSigma) / total : 0.0; }
};

}  // namespace

class TestFiniteWidthBand : public QObject {
    Q_OBJECT

private slots:
    void singleSampleProfilesLieInTheBand() {
        Coverage activation, weight;
        for (const GridCell& cell : kCells) {
            for (double scale : kInputScales) {
                for (int width : kWidths) {
                    Coverage cellActivation, cellWeight;
                    for (int seed = 0; seed < kSeeds; ++seed) {
                        const ExperimentConfig config = gridConfig(cell, width, 1, 100 + seed);
                        QVERIFY(validateExperiment(config).empty());
                        const GradientProfiles predicted = predictGradientProfiles(config, scale * scale);
                        QCOMPARE(int(predicted.activationBand.lo.size()), kDepth);
                        QCOMPARE(int(predicted.weightBand.lo.size()), kDepth);
                        Random rng(1000 + seed);
                        const std::vector<LayerStats> stats = initialGradients(config, circleInputs(scale, 1, rng), rng);
                        const LayerStats& anchor = stats[kDepth - 1];
                        // The anchor itself is exact by construction; the other layers are tested.
                        for (int l = 0; l < kDepth - 1; ++l) {
                            const double a = stats[l].activationGradNorm / anchor.activationGradNorm;
                            const double w = stats[l].weightGradNorm / anchor.weightGradNorm;
                            for (Coverage* c : {&activation, &cellActivation})
                                c->count(a, predicted.activationBand.lo[l], predicted.activationBand.hi[l]);
                            for (Coverage* c : {&weight, &cellWeight})
                                c->count(w, predicted.weightBand.lo[l], predicted.weightBand.hi[l]);
                        }
                    }
                    qInfo("%-28s scale %.1f width %3d: inside ||dL/dh|| %3.0f%%  ||dL/dW|| %3.0f%%", cell.name, scale, width,
                          100.0 * cellActivation.fraction(), 100.0 * cellWeight.fraction());
                }
            }
        }
        qInfo(
            "all: ||dL/dh|| %d of %d layers inside (%d within 1 sd; mean band %.2f decades), ||dL/dW|| %d of %d (%d; %.2f "
            "decades)",
            activation.inside, activation.total, activation.insideOneSigma,
            activation.logWidth / activation.total / std::log(10.0), weight.inside, weight.total, weight.insideOneSigma,
            weight.logWidth / weight.total / std::log(10.0));
        QVERIFY2(activation.fraction() >= 0.9, qPrintable(QString("||dL/dh|| inside %1").arg(activation.fraction())));
        QVERIFY2(weight.fraction() >= 0.9, qPrintable(QString("||dL/dW|| inside %1").arg(weight.fraction())));
        // Not merely wide: a Gaussian log lies within one standard deviation 68% of the
        // time, so a band twice as wide as the spread would hold nearly all there too.
        for (const Coverage* c : {&activation, &weight})
            QVERIFY2(c->fractionOneSigma() > 0.5 && c->fractionOneSigma() < 0.85,
                     qPrintable(QString("%1 of layers within one sd").arg(c->fractionOneSigma())));
    }

    void batchRmsStaysInsideTheSingleSampleBand() {
        // The bars' ||dL/dh|| is the RMS over a batch: averaging samples can only narrow the
        // spread, so the one-sample band holds it too (an outer bound, as the header says).
        Coverage activation;
        const int batch = 16;
        for (const GridCell& cell : kCells) {
            for (double scale : kInputScales) {
                const ExperimentConfig config = gridConfig(cell, kWidths[0], batch, 7);
                const GradientProfiles predicted = predictGradientProfiles(config, scale * scale);
                Random rng(2000);
                const std::vector<LayerStats> stats = initialGradients(config, circleInputs(scale, batch, rng), rng);
                for (int l = 0; l < kDepth - 1; ++l)
                    activation.count(stats[l].activationGradNorm / stats[kDepth - 1].activationGradNorm,
                                     predicted.activationBand.lo[l], predicted.activationBand.hi[l]);
            }
        }
        qInfo("batch of %d: ||dL/dh|| %d of %d layers inside (%d within 1 sd)", batch, activation.inside, activation.total,
              activation.insideOneSigma);
        QVERIFY2(activation.fraction() >= 0.9, qPrintable(QString("inside %1").arg(activation.fraction())));
    }
};

QTEST_APPLESS_MAIN(TestFiniteWidthBand)
#include "tst_finite_width_band.moc"
