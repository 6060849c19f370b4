// Each activation's derivative against finite differences of the function, and the
// vectorised batch versions against the scalar reference, in float and double.

#include <QtTest>

#include <cmath>
#include <vector>

#include "core/model/activation.h"

using namespace gradflow::core;
Q_DECLARE_METATYPE(ActivationKind)

class TestActivations : public QObject {
    Q_OBJECT
private slots:
    void derivative_data() {
        QTest::addColumn<ActivationKind>("kind");
        for (const auto& info : activationRegistry()) QTest::newRow(info.name.data()) << info.kind;
    }
    void derivative() {
        QFETCH(ActivationKind, kind);
        const ActivationSpec spec{kind, 0.07, 1.3};
        const double h = 1e-6;
        for (double x = -6.0; x <= 6.0; x += 0.173) {  // step avoids landing on the kink at 0
            const double numeric = (activate(spec, x + h) - activate(spec, x - h)) / (2 * h);
            QVERIFY2(std::abs(numeric - activateDerivative(spec, x)) < 1e-7,
                     qPrintable(QString("x=%1 numeric=%2 exact=%3").arg(x).arg(numeric).arg(activateDerivative(spec, x))));
        }
    }

    void maxDerivativeIsTheMaximum_data() { derivative_data(); }
    void maxDerivativeIsTheMaximum() {
        QFETCH(ActivationKind, kind);
        const ActivationSpec spec{kind, 0.07, 1.3};
        double seen = 0.0;
        for (double x = -10.0; x <= 10.0; x += 1e-3) seen = std::max(seen, activateDerivative(spec, x));
        QVERIFY(seen <= maxDerivative(spec) * (1 + 1e-9));
        QVERIFY(seen >= maxDerivative(spec) * (1 - 1e-5));
    }

    void batchMatchesScalar_data() { derivative_data(); }
    void batchMatchesScalar() {
        QFETCH(ActivationKind, kind);
        const ActivationSpec spec{kind, 0.07, 1.3};
        std::vector<double> x;
        for (double v = -30.0; v <= 30.0; v += 0.37) x.push_back(v);
        std::vector<double> y(x.size()), d(x.size());
        activateArray<double>(spec, x, y);
        derivativeArray<double>(spec, x, y, d);
        std::vector<float> xf(x.begin(), x.end()), yf(x.size()), df(x.size());
        activateArray<float>(spec, xf, yf);
        derivativeArray<float>(spec, xf, yf, df);
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double fy = activate(spec, x[i]), fd = activateDerivative(spec, x[i]);
            QVERIFY(std::abs(y[i] - fy) <= 1e-12 * std::max(1.0, std::abs(fy)));
            QVERIFY(std::abs(d[i] - fd) <= 1e-12 * std::max(1e-300, std::abs(fd)) + 1e-300);
            QVERIFY(std::abs(yf[i] - fy) <= 1e-5 * std::max(1.0, std::abs(fy)));
            QVERIFY(std::abs(df[i] - fd) <= 1e-5 * std::max(1.0, std::abs(fd)) + 1e-30);
        }
    }

    // Deep saturated nets need tiny derivatives to be exact, not rounded to zero.
    void saturatedDerivativesStayPositive() {
        QVERIFY(activateDerivative({ActivationKind::Sigmoid}, 60.0) > 0.0);
        QCOMPARE(activateDerivative({ActivationKind::Sigmoid}, 60.0) / std::exp(-60.0), 1.0);
        QVERIFY(activateDerivative({ActivationKind::Tanh}, 30.0) > 0.0);
    }

    void namesRoundTrip() {
        for (const auto& info : activationRegistry()) {
            ActivationKind kind{};
            QVERIFY(activationFromName(info.name, kind));
            QCOMPARE(int(kind), int(info.kind));
            QCOMPARE(&activationInfo(kind), &info);
        }
        ActivationKind kind{};
        QVERIFY(!activationFromName("softmax", kind));
    }
};

QTEST_APPLESS_MAIN(TestActivations)
#include "tst_activations.moc"
