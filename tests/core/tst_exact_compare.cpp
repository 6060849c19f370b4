// The exact comparison the other tests rely on: it must reject what QCOMPARE's fuzzy
// comparison of doubles lets through, or a test claiming "bit for bit" could not fail.

#include <QtTest>

#include <cmath>
#include <limits>

#include "tests/support/exact_compare.h"

using gradflow::test::sameBits;

class TestExactCompare : public QObject {
    Q_OBJECT

private slots:
    void rejectsWhatFuzzyCompareAccepts() {
        // Each pair passes QCOMPARE (relative 1e-12, or both within 1e-12 of zero).
        QVERIFY(!sameBits(1e-300, 0.0));
        QVERIFY(!sameBits(-0.0, 0.0));
        QVERIFY(!sameBits(std::numeric_limits<double>::denorm_min(), 0.0));
        QVERIFY(!sameBits(1.0, std::nextafter(1.0, 2.0)));
        QVERIFY(!sameBits(1.0f, std::nextafter(1.0f, 2.0f)));
        QVERIFY(!sameBits(-0.0f, 0.0f));
    }

    void nanEqualsOnlyItsOwnBits() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        QVERIFY(sameBits(nan, nan));  // unlike ==: a copied NaN is the same value
        QVERIFY(!sameBits(nan, -nan));
        QVERIFY(!sameBits(nan, std::numeric_limits<double>::signaling_NaN()));
        QVERIFY(!sameBits(nan, std::numeric_limits<double>::infinity()));
    }

    void macroFailsAndPassesLikeSameBits() {
        GRADFLOW_COMPARE_BITS(0.1 + 0.2, 0.30000000000000004);
        GRADFLOW_COMPARE_BITS(-0.0, -0.0);
        QEXPECT_FAIL("", "1e-300 and 0 differ in their bits; QCOMPARE would call them equal", Continue);
        GRADFLOW_COMPARE_BITS(1e-300, 0.0);
        QEXPECT_FAIL("", "-0 and +0 differ in their sign bit", Continue);
        GRADFLOW_COMPARE_BITS(-0.0, 0.0);
    }

    void messageShowsDigitsAndBits() {
        const QByteArray message = gradflow::test::describeBitsMismatch("a", 1.0, "b", std::nextafter(1.0, 2.0));
        QVERIFY2(message.contains("a = 1 (bits 0x3ff0000000000000)"), message.constData());
        QVERIFY2(message.contains("b = 1.0000000000000002 (bits 0x3ff0000000000001)"), message.constData());
    }
};

QTEST_APPLESS_MAIN(TestExactCompare)
#include "tst_exact_compare.moc"
