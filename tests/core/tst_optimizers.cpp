// Optimizers after one and two hand-computed steps; clipping against hand-computed cases.

#include <QtTest>

#include <cmath>

#include "core/training/gradient_clipping.h"
#include "core/training/optimizer.h"

using namespace gradflow::core;

namespace {

struct Run {
    double w[2] = {1.0, -2.0};
    double g[2] = {0.5, 0.25};
    double deltaNorm[1] = {0.0};
};

void step(Optimizer<double>& opt, Run& r, bool decays = true) {
    const ParameterBlock<double> block{r.w, r.g, 2, decays};
    opt.step(std::span<const ParameterBlock<double>>(&block, 1), r.deltaNorm);
}

/// Clipping reads and writes only gradients; a block without values proves it.
template <typename Scalar>
ParameterBlock<Scalar> gradientOnly(Scalar* gradient, Eigen::Index size) {
    return {nullptr, gradient, size};
}

}  // namespace

class TestOptimizers : public QObject {
    Q_OBJECT
private slots:
    void sgdWithWeightDecay() {
        OptimizerSpec spec;
        spec.learningRate = 0.1;
        spec.weightDecay = 0.01;
        Optimizer<double> opt(spec, {2});
        Run r;
        step(opt, r);
        // w -= 0.1 (g + 0.01 w)
        QCOMPARE(r.w[0], 1.0 - 0.1 * (0.5 + 0.01));
        QCOMPARE(r.w[1], -2.0 - 0.1 * (0.25 - 0.02));
        QCOMPARE(r.deltaNorm[0], std::hypot(0.1 * 0.51, 0.1 * 0.23));
        Run r2;
        step(opt, r2, false);  // biases do not decay
        QCOMPARE(r2.w[0], 1.0 - 0.05);
    }

    // The reported update norm is the norm itself: its square overflowed for updates above
    // ~1e154 and showed a finite step as an infinite update ratio. An update that really
    // overflows reads as non-finite, for the trainer to call divergence.
    void updateNormOfHugeButFiniteSteps() {
        OptimizerSpec spec;
        spec.learningRate = 1.0;
        Optimizer<double> opt(spec, {2});
        Run r;
        r.w[0] = r.w[1] = 0.0;
        r.g[0] = 3e200;
        r.g[1] = 4e200;
        step(opt, r);
        QCOMPARE(r.deltaNorm[0], 5e200);
        r.g[0] = 1e308;
        r.g[1] = 1e308;
        Optimizer<double> large(
            [] {
                OptimizerSpec s;
                s.learningRate = 100.0;
                return s;
            }(),
            {2});
        step(large, r);
        QVERIFY(!std::isfinite(r.deltaNorm[0]));
    }

    void momentumAndNesterov() {
        OptimizerSpec spec;
        spec.kind = OptimizerKind::Momentum;
        spec.learningRate = 0.1;
        spec.momentum = 0.9;
        Optimizer<double> plain(spec, {2});
        Run r;
        step(plain, r);  // v = g
        QCOMPARE(r.w[0], 1.0 - 0.1 * 0.5);
        step(plain, r);  // v = 0.9 g + g
        QCOMPARE(r.w[0], 1.0 - 0.1 * 0.5 - 0.1 * 1.9 * 0.5);

        spec.nesterov = true;
        Optimizer<double> nesterov(spec, {2});
        Run n;
        step(nesterov, n);  // v = g; w -= lr (g + mu v)
        QCOMPARE(n.w[0], 1.0 - 0.1 * (0.5 + 0.9 * 0.5));
        step(nesterov, n);  // v = 1.9 g
        QCOMPARE(n.w[0], 1.0 - 0.1 * 0.95 - 0.1 * (0.5 + 0.9 * 1.9 * 0.5));
    }

    void rmsprop() {
        OptimizerSpec spec;
        spec.kind = OptimizerKind::RmsProp;
        spec.learningRate = 0.01;
        spec.rho = 0.9;
        spec.epsilon = 1e-8;
        Optimizer<double> opt(spec, {2});
        Run r;
        step(opt, r);
        const double s1 = 0.1 * 0.25;
        QVERIFY(std::abs(r.w[0] - (1.0 - 0.01 * 0.5 / (std::sqrt(s1) + 1e-8))) < 1e-15);
        step(opt, r);
        const double s2 = 0.9 * s1 + 0.1 * 0.25;
        QVERIFY(std::abs(r.w[0] - (1.0 - 0.01 * 0.5 / (std::sqrt(s1) + 1e-8) - 0.01 * 0.5 / (std::sqrt(s2) + 1e-8))) < 1e-15);
    }

    void adam() {
        OptimizerSpec spec;
        spec.kind = OptimizerKind::Adam;
        spec.learningRate = 0.001;
        Optimizer<double> opt(spec, {2});
        Run r;
        // Step 1: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) ~ lr sign(g).
        step(opt, r);
        QVERIFY(std::abs(r.w[0] - (1.0 - 0.001 * 0.5 / (0.5 + 1e-8))) < 1e-12);
        // Step 2 with the same gradient: still lr * g / (|g| + eps) after bias correction.
        step(opt, r);
        QVERIFY(std::abs(r.w[0] - (1.0 - 2 * 0.001 * 0.5 / (0.5 + 1e-8))) < 1e-12);
    }

    void clipByNorm() {
        double a[2] = {3.0, 0.0}, b[1] = {4.0};
        const ParameterBlock<double> blocks[] = {gradientOnly(a, 2), gradientOnly(b, 1)};
        const ClipResult r = clipGradients<double>({ClipMode::Norm, 1.0}, blocks);
        QCOMPARE(r.normBefore, 5.0);
        QVERIFY(r.clipped);
        QVERIFY(std::abs(r.normAfter - 1.0) < 1e-15);
        QVERIFY(std::abs(a[0] - 0.6) < 1e-15 && std::abs(b[0] - 0.8) < 1e-15);
        // Below the threshold nothing changes.
        const ClipResult again = clipGradients<double>({ClipMode::Norm, 2.0}, blocks);
        QVERIFY(!again.clipped);
        QVERIFY(std::abs(a[0] - 0.6) < 1e-15);
    }

    void clipByValue() {
        float a[3] = {-3.0f, 0.5f, 2.0f};
        const ParameterBlock<float> blocks[] = {gradientOnly(a, 3)};
        const ClipResult r = clipGradients<float>({ClipMode::Value, 1.0}, blocks);
        QVERIFY(r.clipped);
        QCOMPARE(a[0], -1.0f);
        QCOMPARE(a[1], 0.5f);
        QCOMPARE(a[2], 1.0f);
        QVERIFY(std::abs(r.normAfter - std::sqrt(2.25)) < 1e-7);
        QVERIFY(std::abs(r.normBefore - std::sqrt(13.25)) < 1e-6);
    }

    void clipOffOnlyMeasures() {
        double a[2] = {1e-200, 1e-200};
        const ParameterBlock<double> blocks[] = {gradientOnly(a, 2)};
        const ClipResult r = clipGradients<double>({ClipMode::Off, 1.0}, blocks);
        QVERIFY(!r.clipped);
        // Tiny norms must survive: squaring 1e-200 underflows, the scaled norm does not.
        QVERIFY(std::abs(r.normBefore / (std::sqrt(2.0) * 1e-200) - 1.0) < 1e-12);
    }
};

QTEST_APPLESS_MAIN(TestOptimizers)
#include "tst_optimizers.moc"
