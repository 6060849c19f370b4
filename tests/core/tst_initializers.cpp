// Initialiser statistics against their formulas (mean 0, the stated variance, bounds,
// orthogonality), and determinism.

#include <QtTest>

#include <Eigen/Core>
#include <cmath>

#include "core/model/initializer.h"
#include "core/data/random.h"

using namespace gradflow::core;
Q_DECLARE_METATYPE(InitKind)

namespace {
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
    void variance_data() {
        QTest::addColumn<InitKind>("kind");
        QTest::addColumn<int>("fanIn");
        QTest::addColumn<int>("fanOut");
        for (const auto& info : initializerRegistry()) {
            if (info.kind == InitKind::Constant || info.kind == InitKind::Identity) continue;
            QTest::newRow((std::string(info.name) + " square").c_str()) << info.kind << 300 << 300;
            QTest::newRow((std::string(info.name) + " wide").c_str()) << info.kind << 400 << 150;
            QTest::newRow((std::string(info.name) + " tall").c_str()) << info.kind << 150 << 400;
        }
    }
    void variance() {
        QFETCH(InitKind, kind);
        QFETCH(int, fanIn);
        QFETCH(int, fanOut);
        InitSpec spec{kind, 1.7, 0.02, 0.3, 0.0};
        const Eigen::MatrixXd w = draw(spec, fanIn, fanOut);
        const double n = double(w.size());
        const double mean = w.mean();
        const double variance = w.array().square().mean() - mean * mean;
        const double expected = weightVariance(spec, fanIn, fanOut);
        // 60000 samples: the sample variance is within a few percent of the truth.
        QVERIFY2(std::abs(variance / expected - 1.0) < 0.03,
                 qPrintable(QString("variance %1 expected %2").arg(variance).arg(expected)));
        QVERIFY(std::abs(mean) < 5.0 * std::sqrt(expected / n));
    }

    void uniformBounds() {
        const InitSpec spec{InitKind::XavierUniform, 2.0};
        const Eigen::MatrixXd w = draw(spec, 30, 50);
        const double limit = 2.0 * std::sqrt(6.0 / 80.0);
        QVERIFY(w.cwiseAbs().maxCoeff() <= limit);
        QVERIFY(w.cwiseAbs().maxCoeff() > 0.9 * limit);
    }

    void orthogonal_data() {
        QTest::addColumn<int>("fanIn");
        QTest::addColumn<int>("fanOut");
        QTest::newRow("square") << 64 << 64;
        QTest::newRow("tall") << 20 << 50;
        QTest::newRow("wide") << 50 << 20;
    }
    void orthogonal() {
        QFETCH(int, fanIn);
        QFETCH(int, fanOut);
        const double gain = 0.5;
        const Eigen::MatrixXd w = draw({InitKind::Orthogonal, gain}, fanIn, fanOut);
        // Orthonormal columns when tall, rows when wide, scaled by the gain.
        const Eigen::MatrixXd gram = fanOut >= fanIn ? Eigen::MatrixXd(w.transpose() * w) : Eigen::MatrixXd(w * w.transpose());
        const Eigen::MatrixXd expected = gain * gain * Eigen::MatrixXd::Identity(gram.rows(), gram.cols());
        QVERIFY((gram - expected).cwiseAbs().maxCoeff() < 1e-12);
    }

    void identityAndConstant() {
        const Eigen::MatrixXd id = draw({InitKind::Identity, 0.9}, 5, 5);
        QVERIFY((id - 0.9 * Eigen::MatrixXd::Identity(5, 5)).cwiseAbs().maxCoeff() == 0.0);
        InitSpec constant{InitKind::Constant, 2.0};
        constant.value = 0.25;
        QVERIFY((draw(constant, 3, 4).array() == 0.5).all());
    }

    void sameSeedSameWeights() {
        const InitSpec spec{InitKind::HeNormal};
        QVERIFY(draw(spec, 20, 20, 9) == draw(spec, 20, 20, 9));
        QVERIFY(draw(spec, 20, 20, 9) != draw(spec, 20, 20, 10));
    }

    void sigmaW2OfTheClassics() {
        QCOMPARE(sigmaW2({InitKind::HeNormal}, 100, 100), 2.0);
        QCOMPARE(sigmaW2({InitKind::XavierNormal}, 100, 100), 1.0);
        QCOMPARE(sigmaW2({InitKind::LecunNormal, 2.0}, 100, 50), 4.0);
        QCOMPARE(sigmaW2({InitKind::Orthogonal, 1.0}, 64, 64), 1.0);
    }
};

QTEST_APPLESS_MAIN(TestInitializers)
#include "tst_initializers.moc"
