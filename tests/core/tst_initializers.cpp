// Initialiser statistics against their published formulas (mean 0, the stated variance,
// bounds, the shape of the distribution, orthogonality), and determinism. Expected values
// are literal numbers worked out by hand from the formulas, on non-square shapes, where
// fan_in and fan_out enter differently: a formula that swapped them, or used the library's
// own weightVariance() as the reference, would not be caught on square matrices.

#include <QtTest>

#include <Eigen/Core>
#include <cmath>

#include "core/data/random.h"
#include "core/model/initializer.h"

using namespace gradflow::core;
Q_DECLARE_METATYPE(InitKind)

namespace {
// Gain 1.5 (gain^2 = 2.25) everywhere below; normal std 0.02, uniform limit 0.3.
const InitSpec kSpec{InitKind::XavierNormal, 1.5, 0.02, 0.3, 0.0};

InitSpec withKind(InitKind kind) {
    InitSpec spec = kSpec;
    spec.kind = kind;
    return spec;
}

Eigen::MatrixXd draw(const InitSpec& spec, int fanIn, int fanOut, std::uint64_t seed = 5) {
    Random rng(seed);
    Eigen::MatrixXd w(fanOut, fanIn);
    initializeWeights(spec, fanIn, fanOut, rng, std::span<double>(w.data(), std::size_t(w.size())));
    return w;
}
}  // namespace

class TestInitializers : public QObject {
    Q_OBJECT
private slots:
    // bound: the literal half-width a of U(-a, a), or 0 for a normal distribution.
    void variance_data() {
        QTest::addColumn<InitKind>("kind");
        QTest::addColumn<int>("fanIn");
        QTest::addColumn<int>("fanOut");
        QTest::addColumn<double>("expected");
        QTest::addColumn<double>("bound");
        // fan_in 300, fan_out 100: a 100 x 300 matrix.
        QTest::newRow("xavier_normal 300->100") << InitKind::XavierNormal << 300 << 100 << 0.01125 << 0.0;  // 2.25 * 2 / 400
        QTest::newRow("xavier_uniform 300->100")
            << InitKind::XavierUniform << 300 << 100 << 0.01125 << 0.18371173070873836;           // 1.5 * sqrt(6 / 400)
        QTest::newRow("he_normal 300->100") << InitKind::HeNormal << 300 << 100 << 0.015 << 0.0;  // 2.25 * 2 / 300
        QTest::newRow("he_uniform 300->100")
            << InitKind::HeUniform << 300 << 100 << 0.015 << 0.21213203435596426;                        // 1.5 * sqrt(6 / 300)
        QTest::newRow("lecun_normal 300->100") << InitKind::LecunNormal << 300 << 100 << 0.0075 << 0.0;  // 2.25 / 300
        QTest::newRow("normal 300->100") << InitKind::Normal << 300 << 100 << 0.0009 << 0.0;             // (1.5 * 0.02)^2
        QTest::newRow("uniform 300->100") << InitKind::Uniform << 300 << 100 << 0.0675 << 0.45;          // 0.45^2 / 3
        // fan_in 100, fan_out 300: a 300 x 100 matrix. Xavier is symmetric in the fans; He and LeCun are not.
        QTest::newRow("xavier_normal 100->300") << InitKind::XavierNormal << 100 << 300 << 0.01125 << 0.0;
        QTest::newRow("xavier_uniform 100->300") << InitKind::XavierUniform << 100 << 300 << 0.01125 << 0.18371173070873836;
        QTest::newRow("he_normal 100->300") << InitKind::HeNormal << 100 << 300 << 0.045 << 0.0;  // 2.25 * 2 / 100
        QTest::newRow("he_uniform 100->300")
            << InitKind::HeUniform << 100 << 300 << 0.045 << 0.36742346141747673;                        // 1.5 * sqrt(6 / 100)
        QTest::newRow("lecun_normal 100->300") << InitKind::LecunNormal << 100 << 300 << 0.0225 << 0.0;  // 2.25 / 100
    }
    void variance() {
        QFETCH(InitKind, kind);
        QFETCH(int, fanIn);
        QFETCH(int, fanOut);
        QFETCH(double, expected);
        QFETCH(double, bound);
        const Eigen::MatrixXd w = draw(withKind(kind), fanIn, fanOut);
        QCOMPARE(int(w.rows()), fanOut);
        QCOMPARE(int(w.cols()), fanIn);
        const double n = double(w.size());
        const double mean = w.mean();
        const Eigen::ArrayXXd centred = w.array() - mean;
        const double variance = centred.square().mean();
        const double kurtosis = centred.square().square().mean() / (variance * variance);
        // 30000 samples: the relative standard error of the sample variance is sqrt(2 / n) = 0.8%
        // for a normal and 0.5% for a uniform, so 4% is five standard errors.
        QVERIFY2(std::abs(variance / expected - 1.0) < 0.04,
                 qPrintable(QString("variance %1 expected %2").arg(variance, 0, 'g', 8).arg(expected, 0, 'g', 8)));
        QVERIFY2(std::abs(mean) < 5.0 * std::sqrt(expected / n), qPrintable(QString("mean %1").arg(mean)));
        if (bound > 0.0) {
            // U(-a, a): nothing outside a, the extremes reach it (0.99^30000 is nil), kurtosis 9/5.
            const double largest = w.cwiseAbs().maxCoeff();
            QVERIFY2(largest <= bound, qPrintable(QString("max |w| %1").arg(largest, 0, 'g', 17)));
            QVERIFY(largest > 0.99 * bound);
            QVERIFY2(std::abs(kurtosis - 1.8) < 0.1, qPrintable(QString("kurtosis %1").arg(kurtosis)));
        } else {
            // A normal: kurtosis 3 (standard error sqrt(24 / n) = 0.03), unlike the uniform's 1.8.
            QVERIFY2(std::abs(kurtosis - 3.0) < 0.2, qPrintable(QString("kurtosis %1").arg(kurtosis)));
        }
    }

    void orthogonal_data() {
        QTest::addColumn<int>("fanIn");
        QTest::addColumn<int>("fanOut");
        QTest::newRow("square") << 64 << 64;
        QTest::newRow("300->100 wide: orthonormal rows") << 300 << 100;
        QTest::newRow("100->300 tall: orthonormal columns") << 100 << 300;
    }
    void orthogonal() {
        QFETCH(int, fanIn);
        QFETCH(int, fanOut);
        const Eigen::MatrixXd w = draw(withKind(InitKind::Orthogonal), fanIn, fanOut);
        // Orthonormal columns when tall, rows when wide, scaled by the gain 1.5.
        const Eigen::MatrixXd gram = fanOut >= fanIn ? Eigen::MatrixXd(w.transpose() * w) : Eigen::MatrixXd(w * w.transpose());
        QCOMPARE(int(gram.rows()), std::min(fanIn, fanOut));
        const Eigen::MatrixXd expected = 2.25 * Eigen::MatrixXd::Identity(gram.rows(), gram.cols());
        const double error = (gram - expected).cwiseAbs().maxCoeff();
        QVERIFY2(error < 1e-12, qPrintable(QString::number(error)));
        // So the second moment of an entry is exactly 2.25 * min / (min * max) = 2.25 / max(fan_in, fan_out).
        const double expectedMoment = fanIn == fanOut ? 2.25 / 64 : 0.0075;
        QVERIFY(std::abs(w.array().square().mean() / expectedMoment - 1.0) < 1e-12);
        // Drawn at random, not a fixed matrix: different seeds give different weights.
        QVERIFY((w - draw(withKind(InitKind::Orthogonal), fanIn, fanOut, 6)).cwiseAbs().maxCoeff() > 0.01);
    }

    void identity_data() {
        QTest::addColumn<int>("fanIn");
        QTest::addColumn<int>("fanOut");
        QTest::newRow("square") << 5 << 5;
        QTest::newRow("300->100") << 300 << 100;
        QTest::newRow("100->300") << 100 << 300;
    }
    void identity() {
        QFETCH(int, fanIn);
        QFETCH(int, fanOut);
        // The square part of the identity times the gain, every other weight exactly 0.
        const Eigen::MatrixXd w = draw(withKind(InitKind::Identity), fanIn, fanOut);
        for (int c = 0; c < fanIn; ++c)
            for (int r = 0; r < fanOut; ++r) QVERIFY(w(r, c) == (r == c ? 1.5 : 0.0));
    }

    void constant() {
        InitSpec constant = withKind(InitKind::Constant);
        constant.value = 0.25;
        QVERIFY((draw(constant, 300, 100).array() == 0.375).all());  // 1.5 * 0.25
    }

    void sameSeedSameWeights() {
        const InitSpec spec{InitKind::HeNormal};
        QVERIFY(draw(spec, 20, 20, 9) == draw(spec, 20, 20, 9));
        QVERIFY(draw(spec, 20, 20, 9) != draw(spec, 20, 20, 10));
    }

    // The variances the mean-field theory reads, against the same hand-worked numbers.
    void weightVarianceOnNonSquareShapes() {
        QCOMPARE(weightVariance(withKind(InitKind::XavierNormal), 300, 100), 0.01125);
        QCOMPARE(weightVariance(withKind(InitKind::XavierUniform), 100, 300), 0.01125);
        QCOMPARE(weightVariance(withKind(InitKind::HeNormal), 300, 100), 0.015);
        QCOMPARE(weightVariance(withKind(InitKind::HeUniform), 100, 300), 0.045);
        QCOMPARE(weightVariance(withKind(InitKind::LecunNormal), 300, 100), 0.0075);
        QCOMPARE(weightVariance(withKind(InitKind::LecunNormal), 100, 300), 0.0225);
        QCOMPARE(weightVariance(withKind(InitKind::Orthogonal), 300, 100), 0.0075);
        QCOMPARE(weightVariance(withKind(InitKind::Orthogonal), 100, 300), 0.0075);
        QCOMPARE(weightVariance(withKind(InitKind::Identity), 300, 100), 0.0075);  // 100 weights of 2.25 in 30000
    }

    void sigmaW2OfTheClassics() {
        QCOMPARE(sigmaW2({InitKind::HeNormal}, 100, 100), 2.0);
        QCOMPARE(sigmaW2({InitKind::XavierNormal}, 100, 100), 1.0);
        QCOMPARE(sigmaW2({InitKind::XavierNormal}, 300, 100), 1.5);  // 2 * 300 / 400
        QCOMPARE(sigmaW2({InitKind::LecunNormal, 2.0}, 100, 50), 4.0);
        QCOMPARE(sigmaW2({InitKind::Orthogonal, 1.0}, 64, 64), 1.0);
    }
};

QTEST_APPLESS_MAIN(TestInitializers)
#include "tst_initializers.moc"
