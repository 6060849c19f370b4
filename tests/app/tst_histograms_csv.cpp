// `--histograms FILE.csv` of a short headless run, through the gradflow executable: the
// exact header, rows at every K-th step and the last, counts that add up to each layer's
// number of values, quantity names, range-checked flags, metrics unchanged by looking,
// and (GUI build) the distributions view exported as a figure.

#include <QFile>
#include <QMap>
#include <QSet>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include "tests/support/gradflow_process.h"

using namespace gradflow::test;

namespace {

/// Three tanh layers of 8 on a 2-D set, batches of 16: small enough to count by hand.
constexpr char kExperiment[] = R"({"format": "gradflow-experiment", "version": 1, "seed": 3,
 "data": {"kind": "circles", "samples": 64},
 "model": {"layers": [{"repeat": 3, "width": 8, "activation": "tanh"}]},
 "training": {"batch_size": 16, "learning_rate": 0.1}})";

}  // namespace

class TestHistogramsCsv : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void headerRowsAndCounts();
    void lookingChangesNoMetric();
    void flagsAreRangeChecked_data();
    void flagsAreRangeChecked();
    void exportsTheDistributionsView();

private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }
};

void TestHistogramsCsv::initTestCase() {
    QVERIFY(m_dir.isValid());
    QFile file(path("small.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(kExperiment);
}

void TestHistogramsCsv::headerRowsAndCounts() {
    const RunResult run = runGradflow({"--headless", "--config", path("small.json"), "--steps", "12", "--histograms",
                                       path("h.csv"), "--histograms-every", "5"});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = readLines(path("h.csv"));
    QVERIFY(lines.size() > 1);
    QCOMPARE(lines.front(), QStringLiteral("step,layer,quantity,bin_lo,bin_hi,count"));
    const QSet<QString> quantities = {"preactivation", "activation", "weight", "weight_grad", "activation_grad"};
    QMap<QString, qint64> sums;  // "step,layer,quantity" -> count
    QSet<int> steps;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList cells = lines[i].split(',');
        QCOMPARE(cells.size(), 6);
        QVERIFY2(quantities.contains(cells[2]), qPrintable(lines[i]));
        bool ok = false;
        const qint64 count = cells[5].toLongLong(&ok);
        QVERIFY(ok && count > 0);  // only bins that hold values are written
        steps << cells[0].toInt();
        sums[cells[0] + ',' + cells[1] + ',' + cells[2]] += count;
        // Edges are numbers in order (or the open ends and NaN's own bin).
        if (cells[3] != "nan") {
            const double lo = cells[3].toDouble(), hi = cells[4].toDouble();
            QVERIFY2(lo <= hi, qPrintable(lines[i]));
        }
    }
    QCOMPARE(steps, (QSet<int>{0, 5, 10, 11}));  // every 5th and the last
    for (const QString step : {"0", "5", "10", "11"}) {
        for (int layer = 1; layer <= 3; ++layer) {
            const QString key = step + ',' + QString::number(layer) + ',';
            // batch x width values per forward quantity; fan-in x width weights.
            QCOMPARE(sums.value(key + "preactivation"), qint64(16 * 8));
            QCOMPARE(sums.value(key + "activation"), qint64(16 * 8));
            QCOMPARE(sums.value(key + "activation_grad"), qint64(16 * 8));
            QCOMPARE(sums.value(key + "weight"), qint64((layer == 1 ? 2 : 8) * 8));
            QCOMPARE(sums.value(key + "weight_grad"), sums.value(key + "weight"));
        }
        // The output layer: no activation function, so no activation rows.
        QVERIFY(sums.contains(step + ",4,preactivation"));
        QVERIFY(!sums.contains(step + ",4,activation"));
        QCOMPARE(sums.value(step + ",4,weight"), qint64(8) * sums.value(step + ",4,preactivation") / 16);
    }
    // One row as a script would read it: a bin of layer 1's activations at step 0.
    const QString row = lines.filter(QRegularExpression("^0,1,activation,")).value(0);
    QVERIFY2(QRegularExpression("^0,1,activation,-?[0-9.e-]+,-?[0-9.e-]+,[1-9][0-9]*$").match(row).hasMatch(), qPrintable(row));
}

void TestHistogramsCsv::lookingChangesNoMetric() {
    const QStringList common = {"--headless", "--config", path("small.json"), "--steps", "20"};
    QCOMPARE(runGradflow(common + QStringList{"--metrics", path("plain.csv")}).exitCode, 0);
    QCOMPARE(runGradflow(common +
                         QStringList{"--metrics", path("watched.csv"), "--histograms", path("w.csv"), "--histograms-every", "1"})
                 .exitCode,
             0);
    const QByteArray plain = readAll(path("plain.csv"));
    QVERIFY(!plain.isEmpty());
    QCOMPARE(readAll(path("watched.csv")), plain);
}

void TestHistogramsCsv::flagsAreRangeChecked_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QStringList run = {"--headless", "--preset", "deep-sigmoid-vanishing", "--steps", "2"};
    QTest::newRow("zero") << run + QStringList{"--histograms", "x.csv", "--histograms-every", "0"}
                          << "--histograms-every must be an integer in [1, 1000000000]; got '0'";
    QTest::newRow("not a number") << run + QStringList{"--histograms", "x.csv", "--histograms-every", "ten"}
                                  << "--histograms-every must be an integer in [1, 1000000000]; got 'ten'";
    QTest::newRow("without file") << run + QStringList{"--histograms-every", "5"}
                                  << "--histograms-every needs --histograms FILE.csv";
    QTest::newRow("without headless") << QStringList{"--preset", "deep-sigmoid-vanishing", "--histograms", "x.csv"}
                                      << "--histograms is only used with --headless";
    QTest::newRow("unwritable") << run + QStringList{"--histograms", "/nonexistent-dir/h.csv"} << "--histograms: ";
}

void TestHistogramsCsv::flagsAreRangeChecked() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const RunResult run = runGradflow(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
    QCOMPARE(run.err.count('\n'), 1);
}

void TestHistogramsCsv::exportsTheDistributionsView() {
#ifndef GRADFLOW_HAS_UI
    QSKIP("figure export needs the GUI build");
#else
    // Step 0 has no distributions yet: the view shows its empty state (axes, legend and a
    // message). After 15 steps it draws two panels of data, which take more bytes.
    const auto exportAfter = [&](const QString& steps, const QString& png) {
        return runGradflow({"--headless", "--config", path("small.json"), "--steps", steps, "--export", png, "--view",
                            "distributions", "--size", "900x600"});
    };
    QCOMPARE(exportAfter("0", path("empty.png")).exitCode, 0);
    QCOMPARE(exportAfter("15", path("distributions.png")).exitCode, 0);
    const QByteArray bytes = readAll(path("distributions.png"));
    // PNG: 8-byte signature, then IHDR with big-endian width and height.
    QVERIFY(bytes.startsWith("\x89PNG") && bytes.size() > 24);
    QCOMPARE(qFromBigEndian<quint32>(bytes.constData() + 16), quint32(900));
    QCOMPARE(qFromBigEndian<quint32>(bytes.constData() + 20), quint32(600));
    const qsizetype empty = readAll(path("empty.png")).size();
    QVERIFY2(bytes.size() > empty + empty / 8, qPrintable(QStringLiteral("%1 vs %2 bytes").arg(bytes.size()).arg(empty)));
#endif
}

QTEST_GUILESS_MAIN(TestHistogramsCsv)
#include "tst_histograms_csv.moc"
