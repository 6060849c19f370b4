// Fixed histogram bins: every value lands in exactly one bin (so counts add up to the
// number of values), in the bin whose written edges hold it, and the log bins take the
// values gradients really reach: exact zeros, denormals, 1e-300, infinities, NaN.
#include <QtTest>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "core/analysis/histogram_bins.h"

using namespace gradflow::core;

namespace {

std::int64_t total(const std::vector<std::int64_t>& counts) {
    return std::accumulate(counts.begin(), counts.end(), std::int64_t(0));
}

/// Values of every kind a diverging or vanishing run produces.
std::vector<double> awkwardValues() {
    std::vector<double> values = {0.0,
                                  -0.0,
                                  std::numeric_limits<double>::denorm_min(),
                                  -1e-310,
                                  1e-300,
                                  1e300,
                                  -1e300,
                                  std::numeric_limits<double>::infinity(),
                                  -std::numeric_limits<double>::infinity(),
                                  std::numeric_limits<double>::quiet_NaN(),
                                  1.0,
                                  -1.0};
    std::mt19937_64 rng(7);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::uniform_real_distribution<double> decade(-320.0, 300.0);
    for (int i = 0; i < 2000; ++i) values.push_back(normal(rng));
    for (int i = 0; i < 2000; ++i) values.push_back((i % 2 ? -1 : 1) * std::pow(10.0, decade(rng)));
    return values;
}

}  // namespace

class TestHistogramBins : public QObject {
    Q_OBJECT
private slots:
    void countsAddUpToTheValues();
    void everyValueLiesWithinItsBinsEdges();
    void logBinsTakeZerosDenormalsAndTinyValues();
    void linearBinsAreRoundAndCoverWhatTheyMust();
    void logBinsSpanTheDecadesAround();
};

void TestHistogramBins::countsAddUpToTheValues() {
    const std::vector<double> values = awkwardValues();
    for (const HistogramBins& bins : {chooseLinearBins(-2.0, 3.0), chooseLogBins(1e-9, 10.0)}) {
        std::vector<std::int64_t> counts;
        bins.accumulate(values, counts);
        QCOMPARE(int(counts.size()), bins.totalBins());
        QCOMPARE(total(counts), std::int64_t(values.size()));
        QCOMPARE(counts[std::size_t(bins.nanBin())], std::int64_t(1));
        // Accumulating again adds: one vector can gather several matrices.
        bins.accumulate(values, counts);
        QCOMPARE(total(counts), 2 * std::int64_t(values.size()));
    }
}

void TestHistogramBins::everyValueLiesWithinItsBinsEdges() {
    const std::vector<double> values = awkwardValues();
    for (const HistogramBins& bins : {chooseLinearBins(-2.0, 3.0), chooseLogBins(1e-9, 10.0), chooseLogBins(1e-300, 1e-250)}) {
        for (double v : values) {
            const int bin = bins.binOf(v);
            QVERIFY(bin >= 0 && bin < bins.totalBins());
            if (std::isnan(v)) {
                QCOMPARE(bin, bins.nanBin());
                continue;
            }
            const double x = bins.logarithmic() ? std::abs(v) : v;
            if (bin == bins.aboveBin()) {
                QVERIFY(x >= bins.valueLow(bin));
            } else if (bins.logarithmic() && bin == bins.zeroBin()) {
                QCOMPARE(x, 0.0);
            } else {
                // Half-open [low, high): the very edges the CSV writes decide.
                QVERIFY2(bins.valueLow(bin) <= x && x < bins.valueHigh(bin), qPrintable(QString::number(v, 'g', 17)));
            }
        }
    }
    // Exactly on an inner edge: the bin that starts there.
    const HistogramBins linear = chooseLinearBins(-2.0, 3.0);
    for (int i = 0; i < linear.count; ++i)
        QCOMPARE(linear.binOf(linear.valueLow(linear.firstInner() + i)), linear.firstInner() + i);
    const HistogramBins log = chooseLogBins(1e-9, 10.0);
    for (int i = 0; i < log.count; ++i) QCOMPARE(log.binOf(log.valueLow(log.firstInner() + i)), log.firstInner() + i);
}

void TestHistogramBins::logBinsTakeZerosDenormalsAndTinyValues() {
    const HistogramBins bins = chooseLogBins(1e-300, 1e-290);
    QVERIFY(bins.logarithmic());
    QCOMPARE(bins.binOf(0.0), bins.zeroBin());
    QCOMPARE(bins.binOf(-0.0), bins.zeroBin());
    QCOMPARE(bins.valueLow(bins.zeroBin()), 0.0);
    QCOMPARE(bins.valueHigh(bins.zeroBin()), 0.0);
    // 1e-300 is inside (the bins reach 8 decades below the smallest value seen).
    const int tiny = bins.binOf(1e-300);
    QVERIFY(tiny >= bins.firstInner() && tiny < bins.aboveBin());
    QCOMPARE(bins.binOf(-1e-300), tiny);  // by magnitude
    // Denormals are numbers too: below the range they are underflow, not zero, not lost.
    QCOMPARE(bins.binOf(std::numeric_limits<double>::denorm_min()), bins.underflowBin());
    QCOMPARE(bins.binOf(1e-315), bins.underflowBin());
    QCOMPARE(bins.binOf(std::numeric_limits<double>::infinity()), bins.aboveBin());
    QVERIFY(std::isinf(bins.valueHigh(bins.aboveBin())));

    // A run whose gradients start at the bottom of the doubles: the bins go no lower than a
    // double reaches, and their edges stay numbers.
    const HistogramBins deepest = chooseLogBins(std::numeric_limits<double>::denorm_min(), 1e-320);
    QVERIFY(deepest.lo >= -324);
    QVERIFY(deepest.valueLow(deepest.firstInner()) > 0.0);
    const int denormal = deepest.binOf(1e-320);
    QVERIFY(denormal >= deepest.firstInner() && denormal < deepest.aboveBin());
    QVERIFY(deepest.valueLow(denormal) <= 1e-320 && 1e-320 < deepest.valueHigh(denormal));
    // And at the top: the last edge is finite.
    const HistogramBins highest = chooseLogBins(1e300, std::numeric_limits<double>::max());
    QVERIFY(std::isfinite(highest.valueLow(highest.aboveBin())));
    const double largest = std::numeric_limits<double>::max();
    const int top = highest.binOf(largest);
    QVERIFY(top == highest.aboveBin() || (highest.valueLow(top) <= largest && largest < highest.valueHigh(top)));
}

void TestHistogramBins::linearBinsAreRoundAndCoverWhatTheyMust() {
    const HistogramBins bins = chooseLinearBins(-0.3, 0.7);
    QVERIFY(!bins.logarithmic());
    QVERIFY(bins.lo <= -0.3 - 0.5 && bins.hi >= 0.7 + 0.5);  // half the span either side
    QVERIFY(bins.count >= 24 && bins.count <= 60);
    const double width = (bins.hi - bins.lo) / bins.count;
    const double decade = std::pow(10.0, std::floor(std::log10(width)));
    const double mantissa = width / decade;
    QVERIFY2(std::abs(mantissa - std::round(mantissa * 2) / 2) < 1e-9, qPrintable(QString::number(width)));
    // Saturation thresholds outside the data are still on the axis.
    const HistogramBins covered = chooseLinearBins(-0.1, 0.1, -5.0, 5.0);
    QVERIFY(covered.lo <= -5.0 && covered.hi >= 5.0);
    // No finite value, or a constant: a usable range all the same.
    QVERIFY(chooseLinearBins(HUGE_VAL, -HUGE_VAL).count > 0);
    const HistogramBins constant = chooseLinearBins(0.5, 0.5);
    QVERIFY(constant.lo < 0.5 && constant.hi > 0.5);
    QCOMPARE(constant.binOf(0.5) >= constant.firstInner(), true);
}

void TestHistogramBins::logBinsSpanTheDecadesAround() {
    const HistogramBins bins = chooseLogBins(3e-7, 0.02);
    QCOMPARE(bins.lo, -7.0 - 8.0);
    QCOMPARE(bins.hi, -1.0 + 4.0);
    QCOMPARE(bins.count, int((bins.hi - bins.lo) * 4));  // a quarter decade each
    // Nothing but zeros at the first step: the fallback range.
    const HistogramBins zeros = chooseLogBins(HUGE_VAL, 0.0);
    QVERIFY(zeros.chosen());
    QVERIFY(zeros.lo < -12 && zeros.hi >= 0);
    // Hundreds of decades: fewer, wider bins.
    QVERIFY(chooseLogBins(1e-250, 1e100).count <= 400);
}

QTEST_APPLESS_MAIN(TestHistogramBins)
#include "tst_histogram_bins.moc"
