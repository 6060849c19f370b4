// The percentile bands are exact: equal, bit for bit, to sorting the values and
// interpolating between the two order statistics around rank q (n - 1).
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/analysis/percentile_band.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

namespace {

PercentileBand sortedReference(std::vector<double> values) {
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    std::sort(values.begin(), values.end());
    PercentileBand band;
    band.numbers = std::int64_t(values.size());
    for (std::size_t i = 0; i < kBandPercentiles.size(); ++i) {
        const double position = kBandPercentiles[i] / 100.0 * double(values.size() - 1);
        const auto rank = std::size_t(std::floor(position));
        const double fraction = position - double(rank);
        const double low = values[rank];
        const double high = rank + 1 < values.size() ? values[rank + 1] : low;
        band.values[i] = fraction == 0.0 || low == high ? low : low + fraction * (high - low);
    }
    return band;
}

}  // namespace

class TestPercentileBand : public QObject {
    Q_OBJECT
private slots:
    void equalsSortBasedReference_data();
    void equalsSortBasedReference();
    void notANumberIsLeftOut();
    void sevenPercentilesInOrder();
};

void TestPercentileBand::equalsSortBasedReference_data() {
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("ties");
    for (int size : {1, 2, 3, 7, 100, 1001, 4096}) {
        QTest::addRow("%d distinct", size) << size << false;
        QTest::addRow("%d with ties", size) << size << true;
    }
}

void TestPercentileBand::equalsSortBasedReference() {
    QFETCH(int, size);
    QFETCH(bool, ties);
    std::mt19937_64 rng(std::uint64_t(size) * 31 + ties);
    std::normal_distribution<double> normal(0.0, 3.0);
    std::vector<double> values(static_cast<std::size_t>(size));
    // + 0.0 turns round's -0 into 0: equal values in another order would differ in the sign bit.
    for (double& v : values) v = ties ? std::round(normal(rng)) + 0.0 : normal(rng) * std::exp(normal(rng));
    const PercentileBand expected = sortedReference(values);
    std::vector<double> scratch = values;
    const PercentileBand band = percentileBand(scratch);
    QCOMPARE(band.numbers, expected.numbers);
    for (std::size_t i = 0; i < kBandPercentiles.size(); ++i) GRADFLOW_COMPARE_BITS(band.values[i], expected.values[i]);
    QCOMPARE(band.values.front(), *std::min_element(values.begin(), values.end()));
    QCOMPARE(band.values.back(), *std::max_element(values.begin(), values.end()));
}

void TestPercentileBand::notANumberIsLeftOut() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> values = {nan, 3.0, 1.0, nan, 2.0, inf};
    const PercentileBand band = percentileBand(values);
    QCOMPARE(band.numbers, std::int64_t(4));
    QCOMPARE(band.values.front(), 1.0);
    QCOMPARE(band.values.back(), inf);  // an overflow is a value, and the largest
    QCOMPARE(band.values[3], 2.5);      // the median of 1, 2, 3, inf
    std::vector<double> nothing = {nan, nan};
    const PercentileBand empty = percentileBand(nothing);
    QCOMPARE(empty.numbers, std::int64_t(0));
    QVERIFY(std::isnan(empty.values[3]));
}

void TestPercentileBand::sevenPercentilesInOrder() {
    QCOMPARE(kBandPercentiles.size(), std::size_t(7));
    std::vector<double> values(101);
    for (int i = 0; i <= 100; ++i) values[std::size_t(i)] = 100 - i;  // 100 .. 0: rank = percentile
    const PercentileBand band = percentileBand(values);
    for (std::size_t i = 0; i < kBandPercentiles.size(); ++i) QCOMPARE(band.values[i], kBandPercentiles[i]);
}

QTEST_APPLESS_MAIN(TestPercentileBand)
#include "tst_percentile_band.moc"
