// Mean-field theory: quadrature, q*, chi_1 against closed forms and Monte Carlo.
#include <QTest>

#include <cmath>
#include <numbers>

#include "core/analysis/mean_field.h"
#include "core/config/experiment_config.h"
#include "core/data/random.h"

using namespace gradflow::core;

namespace {

ExperimentConfig plainNet(ActivationKind activation, InitKind init, int layers, int width) {
    ExperimentConfig config;
    LayerSpec layer;
    layer.width = width;
    layer.activation.kind = activation;
    layer.init.kind = init;
    config.layers.assign(static_cast<size_t>(layers), layer);
    return config;
}

}  // namespace

class TestMeanField : public QObject {
    Q_OBJECT

private slots:
    void quadratureMoments() {
        QVERIFY(std::abs(gaussianExpectation([](double) { return 1.0; }) - 1.0) < 1e-14);
        QVERIFY(std::abs(gaussianExpectation([](double z) { return z * z; }) - 1.0) < 1e-13);
        QVERIFY(std::abs(gaussianExpectation([](double z) { return z * z * z * z; }) - 3.0) < 1e-12);
        QVERIFY(std::abs(gaussianExpectation([](double z) { return std::pow(z, 6); }) - 15.0) < 1e-11);
        // Kinked integrands are exact too, thanks to the split at 0.
        QVERIFY(std::abs(gaussianExpectation([](double z) { return z > 0 ? z : 0.0; }) - 1.0 / std::sqrt(2 * std::numbers::pi)) <
                1e-14);
        QVERIFY(std::abs(gaussianExpectation([](double z) { return std::abs(z) * z * z; }) -
                         2.0 * std::sqrt(2 / std::numbers::pi)) < 1e-12);
        QVERIFY(std::abs(gaussianExpectation([](double z) { return std::cos(z); }) - std::exp(-0.5)) < 1e-14);
    }

    void chi1ClosedForms() {
        // relu + He (gain 1): sigma_w^2 = 2, chi_1 = 2 * P(z > 0) = 1: critical.
        const MeanFieldPrediction he = predictMeanField(plainNet(ActivationKind::Relu, InitKind::HeNormal, 6, 64));
        QVERIFY(he.available);
        QVERIFY(std::abs(he.sigmaW2 - 2.0) < 1e-12);
        QVERIFY(std::abs(he.chi1 - 1.0) < 1e-13);
        QCOMPARE(he.depthScale, std::numeric_limits<double>::infinity());
        // relu + Xavier with equal fans: sigma_w^2 = 1, chi_1 = 1/2.
        const MeanFieldPrediction xavier = predictMeanField(plainNet(ActivationKind::Relu, InitKind::XavierNormal, 6, 64));
        QVERIFY(std::abs(xavier.sigmaW2 - 1.0) < 1e-12);
        QVERIFY(std::abs(xavier.chi1 - 0.5) < 1e-13);
        QVERIFY(std::abs(xavier.depthScale - 1.0 / std::log(2.0)) < 1e-12);
        // tanh at sigma_w^2 = 1, sigma_b^2 = 0: q* = 0, chi_1 = phi'(0)^2 = 1.
        const MeanFieldPrediction tanhCritical = predictMeanField({ActivationKind::Tanh}, 1.0, 0.0);
        QVERIFY(tanhCritical.converged);
        QVERIFY(tanhCritical.qStar < 1e-10);
        QVERIFY(std::abs(tanhCritical.chi1 - 1.0) < 1e-9);
    }

    void linearNetwork_data() {
        QTest::addColumn<double>("sigmaW2");
        QTest::addColumn<double>("sigmaB2");
        QTest::newRow("0.5, 0.1") << 0.5 << 0.1;
        QTest::newRow("0.9, 0.3") << 0.9 << 0.3;
        QTest::newRow("0.999, 0.01") << 0.999 << 0.01;
        QTest::newRow("1.5, 0.1 (diverges)") << 1.5 << 0.1;
    }
    void linearNetwork() {
        // q* = sigma_b^2 / (1 - sigma_w^2) when sigma_w^2 < 1; chi_1 = sigma_w^2 always.
        QFETCH(double, sigmaW2);
        QFETCH(double, sigmaB2);
        const MeanFieldPrediction p = predictMeanField({ActivationKind::Linear}, sigmaW2, sigmaB2);
        QVERIFY(std::abs(p.chi1 - sigmaW2) < 1e-13);
        if (sigmaW2 < 1.0) {
            QVERIFY(p.converged);
            const double expected = sigmaB2 / (1.0 - sigmaW2);
            QVERIFY2(std::abs(p.qStar - expected) < 1e-10 * expected, qPrintable(QString::number(p.qStar)));
            QVERIFY(p.depthScale > 0);
        } else {
            QVERIFY(!p.converged);
            QCOMPARE(p.qStar, std::numeric_limits<double>::infinity());
            QVERIFY(p.depthScale < 0);  // exploding
        }
    }

    void reluDivergesAboveTwo() {
        // relu's chi_1 = sigma_w^2 / 2 whatever q, so it is right even without a fixed point.
        const MeanFieldPrediction p = predictMeanField({ActivationKind::Relu}, 3.0, 0.1);
        QVERIFY(!p.converged);
        QCOMPARE(p.qStar, std::numeric_limits<double>::infinity());
        QVERIFY(std::abs(p.chi1 - 1.5) < 1e-12);
        const MeanFieldPrediction below = predictMeanField({ActivationKind::Relu}, 1.6, 0.1);
        QVERIFY(below.converged);
        QVERIFY(std::abs(below.qStar - 0.1 / (1 - 0.8)) < 1e-12);  // q = 0.8 q + 0.1
    }

    void everyActivationAgreesWithMonteCarlo_data() {
        QTest::addColumn<int>("kind");
        for (const ActivationInfo& info : activationRegistry())
            QTest::newRow(std::string(info.name).c_str()) << static_cast<int>(info.kind);
    }
    void everyActivationAgreesWithMonteCarlo() {
        QFETCH(int, kind);
        ActivationSpec activation;
        activation.kind = static_cast<ActivationKind>(kind);
        activation.slope = activationInfo(activation.kind).takesSlope ? 0.2 : 0.01;
        const double sigmaW2 = 1.7, sigmaB2 = 0.1;
        const MeanFieldPrediction p = predictMeanField(activation, sigmaW2, sigmaB2);
        QVERIFY(p.available);
        QVERIFY(std::isfinite(p.chi1) && p.chi1 > 0);
        const double q = p.converged ? p.qStar : 1.0;
        if (p.converged) {
            // q* is a fixed point of the variance map (a residual, computed independently).
            const double mapped =
                sigmaW2 * gaussianExpectation([&](double z) { return std::pow(activate(activation, std::sqrt(q) * z), 2); }) +
                sigmaB2;
            QVERIFY2(std::abs(mapped - q) <= 1e-10 * (1 + q), qPrintable(QString("%1 -> %2").arg(q).arg(mapped)));
        }
        // Monte Carlo with a fixed seed: both moments agree within 5 standard errors.
        Random rng(1234);
        const int samples = 200000;
        double sum2 = 0, sum4 = 0, dsum2 = 0, dsum4 = 0;
        for (int i = 0; i < samples; ++i) {
            const double x = std::sqrt(q) * rng.normal();
            const double a2 = std::pow(activate(activation, x), 2);
            const double d2 = std::pow(activateDerivative(activation, x), 2);
            sum2 += a2;
            sum4 += a2 * a2;
            dsum2 += d2;
            dsum4 += d2 * d2;
        }
        const auto check = [&](double quadrature, double sum, double sumSquares, const char* what) {
            const double mean = sum / samples;
            const double stderror = std::sqrt(std::max(sumSquares / samples - mean * mean, 0.0) / samples);
            QVERIFY2(
                std::abs(quadrature - mean) <= 5 * stderror + 1e-12,
                qPrintable(QString("%1: quadrature %2, Monte Carlo %3 +- %4").arg(what).arg(quadrature).arg(mean).arg(stderror)));
        };
        check(gaussianExpectation([&](double z) { return std::pow(activate(activation, std::sqrt(q) * z), 2); }), sum2, sum4,
              "E[phi^2]");
        check(p.chi1 / sigmaW2, dsum2, dsum4, "E[phi'^2]");
    }

    void gradientProfileFollowsChi1() {
        // ReLU at Xavier: chi_1 = 1/2 at every q, so ||dL/dh_l|| falls by sqrt(1/2) per layer
        // toward the input, and the forward norm falls by the same factor toward the output:
        // ||dL/dW_l|| is flat from layer 2 on (layer 1 sees the data, not a ReLU layer).
        const ExperimentConfig config = plainNet(ActivationKind::Relu, InitKind::XavierNormal, 5, 32);
        const GradientProfiles profiles = predictGradientProfiles(config, 0.7);
        QVERIFY(profiles.unavailableReason.empty());
        QCOMPARE(static_cast<int>(profiles.activationGradient.size()), 5);
        QCOMPARE(static_cast<int>(profiles.weightGradient.size()), 5);
        for (int l = 1; l <= 5; ++l) {
            QVERIFY(std::abs(profiles.activationGradient[static_cast<size_t>(l - 1)] - std::pow(0.5, 0.5 * (5 - l))) < 1e-12);
            if (l >= 2) QVERIFY(std::abs(profiles.weightGradient[static_cast<size_t>(l - 1)] - 1.0) < 1e-12);
        }
    }

    void weightProfileCarriesTheForwardNorm() {
        // Linear layers at sigma_w^2 = 4 on unit-variance 2-D inputs: E||h_l||^2 = 16 * 4^l
        // and E||dl/dh_l||^2 ~ 4^(L-l), so the product is flat from layer 2 on, while
        // ||dL/dh|| spans 4^(L-1). Layer 1's input is the 2-D data: ||x||^2 = 2, not 16.
        ExperimentConfig config = plainNet(ActivationKind::Linear, InitKind::LecunNormal, 6, 16);
        for (LayerSpec& layer : config.layers) layer.init.gain = 2.0;
        const GradientProfiles profiles = predictGradientProfiles(config, 1.0);
        for (int l = 1; l <= 6; ++l) {
            QVERIFY(std::abs(profiles.activationGradient[static_cast<size_t>(l - 1)] / std::pow(2.0, 6 - l) - 1.0) < 1e-12);
            const double expected = l == 1 ? std::sqrt(2.0 / 16.0) : 1.0;
            QVERIFY(std::abs(profiles.weightGradient[static_cast<size_t>(l - 1)] / expected - 1.0) < 1e-12);
        }
        // A bias variance adds 9 to every q_l, so E||h_l||^2 grows faster than 4^l and the
        // weight gradients rise toward the output: q = 13, 61, 253, 1021, 4093.
        config.biasInit.std = 3.0;
        const GradientProfiles biased = predictGradientProfiles(config, 1.0);
        const double q[] = {1.0, 13.0, 61.0, 253.0, 1021.0, 4093.0};
        for (int l = 2; l <= 6; ++l) {
            const double expected = std::sqrt(std::pow(4.0, 6 - l) * q[l - 1] / q[5]);
            QVERIFY(std::abs(biased.weightGradient[static_cast<size_t>(l - 1)] / expected - 1.0) < 1e-12);
        }
    }

    void noPlainStackLineOverBatchNorm() {
        ExperimentConfig config = plainNet(ActivationKind::Sigmoid, InitKind::XavierNormal, 6, 32);
        QCOMPARE(static_cast<int>(predictGradientProfiles(config, 1.0).weightGradient.size()), 6);
        ExperimentConfig normalised = config;
        normalised.layers[3].batchNorm = true;
        const GradientProfiles bn = predictGradientProfiles(normalised, 1.0);
        QVERIFY(bn.activationGradient.empty() && bn.weightGradient.empty());
        QCOMPARE(bn.unavailableReason, std::string("batch norm"));
        // Residual stacks have a recursion of their own (tst_residual_mean_field), not the plain one.
        ExperimentConfig residual = config;
        residual.residual.every = 2;
        const GradientProfiles skips = predictGradientProfiles(residual, 1.0);
        QVERIFY(skips.unavailableReason.empty());
        QCOMPARE(static_cast<int>(skips.weightGradient.size()), 6);
        const GradientProfiles plain = predictGradientProfiles(config, 1.0);
        QVERIFY(std::abs(std::log(skips.activationGradient[0] / plain.activationGradient[0])) > 0.5);
    }

    void gatedCellsAreUnavailable() {
        ExperimentConfig config;
        config.model = ModelKind::Recurrent;
        config.recurrent.cell = CellKind::Lstm;
        const MeanFieldPrediction p = predictMeanField(config);
        QVERIFY(!p.available);
        QVERIFY(!p.unavailableReason.empty());
        const GradientProfiles profiles = predictGradientProfiles(config, 1.0);
        QVERIFY(profiles.activationGradient.empty() && profiles.weightGradient.empty());
        QVERIFY(!profiles.unavailableReason.empty());
    }

    void phaseDiagram() {
        // relu: chi_1 = sigma_w^2 / 2, so the critical line is sigma_w^2 = 2 in every row.
        const PhaseDiagram relu = computePhaseDiagram({ActivationKind::Relu}, 16, 5, 4.0, 1.0);
        QCOMPARE(static_cast<int>(relu.chi1.size()), 16 * 5);
        QCOMPARE(static_cast<int>(relu.criticalLine.size()), 5);
        for (const auto& [sw2, sb2] : relu.criticalLine) QVERIFY(std::abs(sw2 - 2.0) < 1e-9);
        // tanh: the line starts at (1, 0) and every cell is predictMeanField's chi_1.
        const PhaseDiagram tanh = computePhaseDiagram({ActivationKind::Tanh}, 12, 4, 3.0, 0.3);
        QVERIFY(!tanh.criticalLine.empty());
        QVERIFY(std::abs(tanh.criticalLine.front().first - 1.0) < 1e-6);
        QCOMPARE(tanh.criticalLine.front().second, 0.0);
        for (size_t i = 1; i < tanh.criticalLine.size(); ++i)  // more bias needs more weight variance
            QVERIFY(tanh.criticalLine[i].first > tanh.criticalLine[i - 1].first);
        const double sw2 = 3.0 * 7 / 12, sb2 = 0.3 * 2 / 3;
        QCOMPARE(tanh.chi1[2 * 12 + 6], predictMeanField({ActivationKind::Tanh}, sw2, sb2).chi1);
    }
};

QTEST_APPLESS_MAIN(TestMeanField)
#include "tst_mean_field.moc"
