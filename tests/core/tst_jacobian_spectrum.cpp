// End-to-end and per-unit Jacobian spectra against closed forms and explicit products.
#include <QTest>

#include <Eigen/Dense>
#include <cmath>
#include <limits>

#include "core/analysis/jacobian_spectrum.h"
#include "core/data/random.h"

using namespace gradflow::core;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

Eigen::MatrixXd gaussian(int rows, int cols, Random& rng, double stddev) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = stddev * rng.normal();
    return m;
}

Eigen::MatrixXd orthogonal(int n, Random& rng) {
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian(n, n, rng, 1.0));
    return qr.householderQ();
}

/// A chain whose unit Jacobians are exactly `matrices` (derivatives all one), same for
/// every probe.
JacobianChain chainOf(const std::vector<Eigen::MatrixXd>& matrices, int probes = 1) {
    JacobianChain chain;
    chain.probes = probes;
    chain.weights = matrices;
    for (const auto& m : matrices) chain.derivatives.push_back(Eigen::MatrixXd::Ones(m.rows(), probes));
    return chain;
}

Eigen::MatrixXd explicitProduct(const JacobianChain& chain, int probe) {
    Eigen::MatrixXd p = chain.unitJacobian(0, probe);
    for (int u = 1; u < chain.units(); ++u) p = chain.unitJacobian(u, probe) * p;
    return p;
}

/// Every computed singular value agrees with the reference SVD of `product`: relatively
/// (1e-8) where the reference itself is relatively accurate (sigma > 1e-6 sigma_max), and
/// to the reference's own absolute accuracy (1e-12 sigma_max) everywhere. Reference
/// values beyond the chain's narrowest width must be rounding noise.
void compareWithExplicit(const std::vector<double>& log10Values, const Eigen::MatrixXd& product) {
    const Eigen::VectorXd ref = Eigen::JacobiSVD<Eigen::MatrixXd>(product).singularValues();
    const auto count = static_cast<Eigen::Index>(log10Values.size());
    QVERIFY(count <= ref.size());
    for (Eigen::Index i = count; i < ref.size(); ++i) QVERIFY(ref[i] <= 1e-12 * ref[0]);
    for (Eigen::Index i = 0; i < count; ++i) {
        const double sigma = std::pow(10.0, log10Values[static_cast<size_t>(i)]);
        QVERIFY2(std::abs(sigma - ref[i]) <= 1e-12 * ref[0], qPrintable(QString("index %1").arg(i)));
        if (ref[i] > 1e-6 * ref[0])
            QVERIFY2(std::abs(sigma - ref[i]) <= 1e-8 * ref[i],
                     qPrintable(QString("index %1: %2 vs %3").arg(i).arg(sigma).arg(ref[i])));
    }
}

}  // namespace

class TestJacobianSpectrum : public QObject {
    Q_OBJECT

private slots:
    void orthogonalLinearIsIsometry_data() {
        QTest::addColumn<int>("depth");
        QTest::addColumn<int>("width");
        QTest::newRow("depth 1") << 1 << 16;
        QTest::newRow("depth 10") << 10 << 16;
        QTest::newRow("depth 200") << 200 << 12;
        QTest::newRow("depth 1000") << 1000 << 4;
    }
    void orthogonalLinearIsIsometry() {
        QFETCH(int, depth);
        QFETCH(int, width);
        Random rng(11);
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < depth; ++l) units.push_back(orthogonal(width, rng));
        const JacobianSpectrum s = computeEndToEndSpectrum(chainOf(units, 2));
        QVERIFY(s.available);
        QCOMPARE(static_cast<int>(s.log10SingularValues.size()), 2);
        for (const auto& probe : s.log10SingularValues) {
            QCOMPARE(static_cast<int>(probe.size()), width);
            for (const double v : probe) QVERIFY2(std::abs(std::pow(10.0, v) - 1.0) <= 1e-9, qPrintable(QString::number(v)));
        }
        QCOMPARE(s.summary.isometricFraction, 1.0);
        QCOMPARE(s.summary.zeroFraction, 0.0);
        QVERIFY(std::abs(s.summary.log10Condition) < 1e-9);
    }

    /// The worker spreads a spectrum over turns: one probe per call, then done for good;
    /// the pieces give the same spectrum as the whole call, and a bad chain ends at once.
    void advancesOneProbePerCall() {
        Random rng(5);
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < 6; ++l) units.push_back(Eigen::MatrixXd::NullaryExpr(7, 7, [&] { return rng.normal(); }));
        const JacobianChain chain = chainOf(units, 3);
        JacobianSpectrum partial;
        QVERIFY(!advanceEndToEndSpectrum(chain, partial));
        QCOMPARE(static_cast<int>(partial.log10SingularValues.size()), 1);
        QVERIFY(!partial.available);
        QVERIFY(!advanceEndToEndSpectrum(chain, partial));
        QVERIFY(advanceEndToEndSpectrum(chain, partial));
        QVERIFY(partial.available);
        QVERIFY(advanceEndToEndSpectrum(chain, partial));  // finished: nothing more is added
        QCOMPARE(static_cast<int>(partial.log10SingularValues.size()), 3);
        const JacobianSpectrum whole = computeEndToEndSpectrum(chain);
        QCOMPARE(partial.log10SingularValues, whole.log10SingularValues);
        QCOMPARE(partial.summary.meanLog10, whole.summary.meanLog10);

        JacobianSpectrum empty;
        QVERIFY(advanceEndToEndSpectrum(JacobianChain{}, empty));
        QVERIFY(!empty.available);
        QVERIFY(!empty.unavailableReason.empty());

        const std::vector<UnitSpectrum> summaries = computeUnitSummaries(chain);
        for (int u = 0; u < chain.units(); ++u) {
            const UnitSpectrum one = computeUnitSummary(chain, u);
            QCOMPARE(one.spectralRadius, summaries[u].spectralRadius);
            QCOMPARE(one.maxSingularValue, summaries[u].maxSingularValue);
            QVERIFY(one.singularValues.empty() && one.eigenvalues.empty());
        }
    }

    void gaussianDepth10MatchesExplicitProduct() {
        Random rng(3);
        const int width = 24, depth = 10, probes = 3;
        JacobianChain chain;
        chain.probes = probes;
        for (int l = 0; l < depth; ++l) {
            chain.weights.push_back(gaussian(width, width, rng, 1.0 / std::sqrt(width)));
            Eigen::MatrixXd d(width, probes);
            for (Eigen::Index i = 0; i < d.size(); ++i) d.data()[i] = rng.uniform(0.2, 1.0);  // tanh-like derivatives
            chain.derivatives.push_back(d);
        }
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        for (int p = 0; p < probes; ++p) compareWithExplicit(s.log10SingularValues[p], explicitProduct(chain, p));
    }

    void orthogonalDepth500FollowsGain_data() {
        QTest::addColumn<double>("gain");
        QTest::newRow("gain 0.5") << 0.5;
        QTest::newRow("gain 2.0") << 2.0;
    }
    void orthogonalDepth500FollowsGain() {
        QFETCH(double, gain);
        Random rng(5);
        const int depth = 500;
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < depth; ++l) units.push_back(gain * orthogonal(16, rng));
        const JacobianSpectrum s = computeEndToEndSpectrum(chainOf(units));
        QVERIFY(s.available);
        const double expected = depth * std::log10(gain);  // +-150.5: beyond naive reach of products of 500
        for (const double v : s.log10SingularValues[0]) {
            QVERIFY(std::isfinite(v));
            QVERIFY2(std::abs(v - expected) <= 1e-9 * std::abs(expected), qPrintable(QString::number(v)));
        }
    }

    void gradedSpectrumBeyondDoubleRange() {
        // J_l = Q_l diag(s) Q_{l-1}^T: the product is Q_L diag(s^L) Q_0^T, whose singular
        // values s_i^L span 1e+300 .. 1e-900, yet every intermediate product is dense.
        Random rng(8);
        const Eigen::Vector4d s(10.0, 1.0, 0.1, 1e-3);
        const int depth = 300;
        std::vector<Eigen::MatrixXd> q{orthogonal(4, rng)};
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < depth; ++l) {
            q.push_back(orthogonal(4, rng));
            units.push_back(q[l + 1] * s.asDiagonal() * q[l].transpose());
        }
        const JacobianSpectrum spectrum = computeEndToEndSpectrum(chainOf(units));
        QVERIFY(spectrum.available);
        for (int i = 0; i < 4; ++i) {
            const double expected = depth * std::log10(s[i]);
            const double got = spectrum.log10SingularValues[0][static_cast<size_t>(i)];
            QVERIFY2(std::abs(got - expected) <= 1e-9 * std::max(1.0, std::abs(expected)),
                     qPrintable(QString("%1 vs %2").arg(got).arg(expected)));
        }
    }

    void residualGroupsMatchExplicitProduct() {
        Random rng(13);
        const int width = 10;
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < 7; ++l) units.push_back(gaussian(width, width, rng, 0.5 / std::sqrt(width)));
        JacobianChain chain = chainOf(units);
        chain.residualGroups = {{4, 6}, {1, 2}};  // unsorted on purpose
        const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(width, width);
        const Eigen::MatrixXd expected = (id + units[6] * units[5] * units[4]) * units[3] * (id + units[2] * units[1]) * units[0];
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        compareWithExplicit(s.log10SingularValues[0], expected);
    }

    void residualGroupWithExtremeBranch_data() {
        QTest::addColumn<double>("log10Branch");
        QTest::newRow("huge branch") << 240.0;
        QTest::newRow("tiny branch") << -240.0;
    }
    void residualGroupWithExtremeBranch() {
        // Branch = c Q_2 Q_1 with orthogonal Q: I + branch has singular values c (1 +- 1/c)
        // for c = 1e240 and 1 (+- 1e-240) for c = 1e-240; neither may overflow.
        QFETCH(double, log10Branch);
        Random rng(21);
        const double c = std::pow(10.0, log10Branch / 2);
        std::vector<Eigen::MatrixXd> units{c * orthogonal(6, rng), c * orthogonal(6, rng), orthogonal(6, rng)};
        JacobianChain chain = chainOf(units);
        chain.residualGroups = {{0, 1}};
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        const double expected = std::max(log10Branch, 0.0);
        for (const double v : s.log10SingularValues[0]) QVERIFY2(std::abs(v - expected) <= 1e-9, qPrintable(QString::number(v)));
    }

    void nonSquareChainMatchesExplicitProduct() {
        Random rng(17);
        const std::vector<int> widths{5, 9, 4, 7, 6};
        std::vector<Eigen::MatrixXd> units;
        for (size_t l = 1; l < widths.size(); ++l) units.push_back(gaussian(widths[l], widths[l - 1], rng, 0.6));
        const JacobianChain chain = chainOf(units);
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        QCOMPARE(static_cast<int>(s.log10SingularValues[0].size()), 4);  // the narrowest width
        compareWithExplicit(s.log10SingularValues[0], explicitProduct(chain, 0));
    }

    void deadReluUnitsGiveExactZeros() {
        // Three dead units in the middle layer: rank 5 of 8, so exactly three zeros.
        Random rng(19);
        const int width = 8;
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < 3; ++l) units.push_back(gaussian(width, width, rng, 1.0 / std::sqrt(width)));
        JacobianChain chain = chainOf(units);
        chain.derivatives[1].block(2, 0, 3, 1).setZero();
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        const auto& v = s.log10SingularValues[0];
        QCOMPARE(static_cast<int>(std::count(v.begin(), v.end(), -kInf)), 3);
        const Eigen::VectorXd ref = Eigen::JacobiSVD<Eigen::MatrixXd>(explicitProduct(chain, 0)).singularValues();
        for (int i = 0; i < 5; ++i) QVERIFY(std::abs(std::pow(10.0, v[static_cast<size_t>(i)]) / ref[i] - 1.0) < 1e-9);
        QCOMPARE(s.summary.zeroFraction, 3.0 / 8.0);
        QVERIFY(std::isfinite(s.summary.meanLog10) && std::isfinite(s.summary.minLog10));
    }

    void wholeDeadLayerGivesAllZeros() {
        // Every unit of the middle layer dead: the product is exactly zero, and the
        // factorisation must say so without touching an empty matrix (UBSan caught that).
        Random rng(23);
        const int width = 6;
        std::vector<Eigen::MatrixXd> units;
        for (int l = 0; l < 3; ++l) units.push_back(gaussian(width, width, rng, 1.0 / std::sqrt(width)));
        JacobianChain chain = chainOf(units);
        chain.derivatives[1].setZero();
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(s.available);
        for (const auto& probe : s.log10SingularValues) {
            QCOMPARE(static_cast<int>(probe.size()), width);
            for (double v : probe) QCOMPARE(v, -kInf);
        }
        QCOMPARE(s.summary.zeroFraction, 1.0);
    }

    void explicitJacobiansMatchFactoredForm() {
        Random rng(23);
        JacobianChain factored;
        factored.probes = 2;
        for (int l = 0; l < 4; ++l) {
            factored.weights.push_back(gaussian(6, 6, rng, 0.5));
            factored.derivatives.push_back(gaussian(6, 2, rng, 1.0));
        }
        JacobianChain expl;
        expl.probes = 2;
        expl.explicitJacobians.resize(2);
        for (int p = 0; p < 2; ++p)
            for (int l = 0; l < 4; ++l) expl.explicitJacobians[p].push_back(factored.unitJacobian(l, p));
        const JacobianSpectrum a = computeEndToEndSpectrum(factored);
        const JacobianSpectrum b = computeEndToEndSpectrum(expl);
        QVERIFY(a.available && b.available);
        QCOMPARE(a.log10SingularValues, b.log10SingularValues);
    }

    void summaryFigures() {
        const Eigen::Vector4d s(4.0, 1.5, 0.7, 0.25);
        const JacobianSpectrum spectrum = computeEndToEndSpectrum(chainOf({Eigen::MatrixXd(s.asDiagonal())}));
        QVERIFY(spectrum.available);
        const double mean = (std::log10(4.0) + std::log10(1.5) + std::log10(0.7) + std::log10(0.25)) / 4;
        QVERIFY(std::abs(spectrum.summary.meanLog10 - mean) < 1e-12);
        QVERIFY(std::abs(spectrum.summary.maxLog10 - std::log10(4.0)) < 1e-12);
        QVERIFY(std::abs(spectrum.summary.minLog10 - std::log10(0.25)) < 1e-12);
        QVERIFY(std::abs(spectrum.summary.log10Condition - std::log10(16.0)) < 1e-12);
        QCOMPARE(spectrum.summary.isometricFraction, 0.5);
    }

    void unavailableInputs_data() {
        QTest::addColumn<int>("kind");
        QTest::newRow("no units") << 0;
        QTest::newRow("NaN weight") << 1;
        QTest::newRow("Inf derivative") << 2;
        QTest::newRow("no probes") << 3;
    }
    void unavailableInputs() {
        QFETCH(int, kind);
        Random rng(29);
        JacobianChain chain = kind == 0 ? chainOf({}) : chainOf({gaussian(4, 4, rng, 1.0), gaussian(4, 4, rng, 1.0)});
        if (kind == 1) chain.weights[1](2, 3) = std::numeric_limits<double>::quiet_NaN();
        if (kind == 2) chain.derivatives[0](1, 0) = kInf;
        if (kind == 3) chain.probes = 0;
        const JacobianSpectrum s = computeEndToEndSpectrum(chain);
        QVERIFY(!s.available);
        QVERIFY(!s.unavailableReason.empty());
        QVERIFY(s.log10SingularValues.empty());
    }

    void unitSpectrum_data() {
        QTest::addColumn<int>("width");
        QTest::newRow("Jacobi SVD path") << 8;
        QTest::newRow("BDCSVD path") << 40;
    }
    void unitSpectrum() {
        // gain * orthogonal: every eigenvalue on the circle of radius gain, every singular value gain.
        QFETCH(int, width);
        Random rng(31);
        const double gain = 1.3;
        const JacobianChain chain = chainOf({gain * orthogonal(width, rng), gaussian(width + 3, width, rng, 1.0)});
        const UnitSpectrum u = computeUnitSpectrum(chain, 0, 0);
        QCOMPARE(static_cast<int>(u.singularValues.size()), width);
        QCOMPARE(static_cast<int>(u.eigenvalues.size()), width);
        for (const double sv : u.singularValues) QVERIFY(std::abs(sv - gain) < 1e-12);
        for (const auto& ev : u.eigenvalues) QVERIFY(std::abs(std::abs(ev) - gain) < 1e-10);
        QVERIFY(std::abs(u.spectralRadius - gain) < 1e-10);
        QVERIFY(std::abs(u.maxSingularValue - gain) < 1e-12);

        const UnitSpectrum rect = computeUnitSpectrum(chain, 1, 0);
        QVERIFY(rect.eigenvalues.empty());
        QVERIFY(std::isnan(rect.spectralRadius));
        const Eigen::VectorXd ref = Eigen::JacobiSVD<Eigen::MatrixXd>(chain.unitJacobian(1, 0)).singularValues();
        QCOMPARE(static_cast<Eigen::Index>(rect.singularValues.size()), ref.size());
        for (Eigen::Index i = 0; i < ref.size(); ++i)
            QVERIFY(std::abs(rect.singularValues[static_cast<size_t>(i)] - ref[i]) < 1e-12 * ref[0]);

        const std::vector<UnitSpectrum> all = computeUnitSummaries(chain);
        QCOMPARE(static_cast<int>(all.size()), 2);
        QVERIFY(std::abs(all[0].spectralRadius - gain) < 1e-10);
        QVERIFY(std::abs(all[1].maxSingularValue - ref[0]) < 1e-12 * ref[0]);
    }
};

QTEST_APPLESS_MAIN(TestJacobianSpectrum)
#include "tst_jacobian_spectrum.moc"
