// CSV formatting shared by the command line and the GUI export.

#include <QTemporaryDir>
#include <QtTest>

#include <clocale>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/io/metrics_csv.h"

using namespace gradflow::core;

class TestMetricsCsv : public QObject {
    Q_OBJECT

private slots:
    void formatsNumbers();
    void ignoresACommaLocale();
    void formatsPowersOfTenBeyondDouble();
    void writesRowsAndHeaders();
    void reportsUnwritablePaths();
};

void TestMetricsCsv::formatsNumbers() {
    QCOMPARE(formatCsvNumber(0.5), std::string("0.5"));
    QCOMPARE(formatCsvNumber(1.0 / 3.0), std::string("0.3333333333"));
    QCOMPARE(formatCsvNumber(1e-250), std::string("1e-250"));
    QCOMPARE(formatCsvNumber(std::numeric_limits<double>::quiet_NaN()), std::string("nan"));
    QCOMPARE(formatCsvNumber(std::numeric_limits<double>::infinity()), std::string("inf"));
    QCOMPARE(formatCsvNumber(-std::numeric_limits<double>::infinity()), std::string("-inf"));
}

void TestMetricsCsv::ignoresACommaLocale() {
    // A GUI may switch LC_NUMERIC to a comma locale; the CSV must not follow it. Without such
    // a locale installed this test would prove nothing, so it says so instead of passing.
    const char* chosen = nullptr;
    for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"}) {
        if (std::setlocale(LC_NUMERIC, name) != nullptr) {
            chosen = name;
            break;
        }
    }
    if (chosen == nullptr)
        QSKIP("no comma-decimal locale (de_DE or fr_FR) is installed; Debian's locales-all, in .ci/packages, has them");
    struct Restore {
        ~Restore() { std::setlocale(LC_NUMERIC, "C"); }
    } restore;
    // The premise: C's own formatting now writes a comma.
    QCOMPARE(QByteArray(std::localeconv()->decimal_point), QByteArray(","));
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", 0.25);
    QCOMPARE(QByteArray(buffer), QByteArray("0,25"));
    QCOMPARE(formatCsvNumber(0.25), std::string("0.25"));
    QCOMPARE(formatCsvNumber(-1.5e-250), std::string("-1.5e-250"));
    QCOMPARE(formatPowerOfTen(-400.5), std::string("3.16227766e-401"));
    std::string rows;
    StepStats stats;
    stats.step = 1;
    stats.layers.resize(1);
    stats.layers[0].weightGradNorm = 0.125;
    appendMetricsRows(rows, stats);
    QCOMPARE(rows, std::string("1,1,0.125,nan,nan,nan,nan,nan\n"));
}

void TestMetricsCsv::formatsPowersOfTenBeyondDouble() {
    QCOMPARE(formatPowerOfTen(0.0), std::string("1e0"));
    QCOMPARE(formatPowerOfTen(-250.0), std::string("1e-250"));
    QCOMPARE(formatPowerOfTen(-400.5), std::string("3.16227766e-401"));  // below the smallest double
    QCOMPARE(formatPowerOfTen(512.0 + std::log10(2.0)), std::string("2e512"));
    QCOMPARE(formatPowerOfTen(std::log10(9.99999999999)), std::string("1e1"));
    QCOMPARE(formatPowerOfTen(-std::numeric_limits<double>::infinity()), std::string("0"));
    QCOMPARE(formatPowerOfTen(std::numeric_limits<double>::quiet_NaN()), std::string("nan"));
}

void TestMetricsCsv::writesRowsAndHeaders() {
    StepStats stats;
    stats.step = 3;
    stats.loss = 0.5;
    stats.accuracy = kNotApplicable;
    stats.gradNorm = 2;
    stats.gradNormClipped = 1;
    stats.clipped = true;
    stats.layers.resize(2);
    stats.layers[0].weightGradNorm = 1e-200;
    stats.layers[1].saturation = 0.25;
    std::string rows;
    appendMetricsRows(rows, stats);
    QCOMPARE(rows, std::string("3,1,1e-200,nan,nan,nan,nan,nan\n3,2,nan,nan,nan,nan,nan,0.25\n"));
    std::string log;
    appendLogRow(log, stats);
    // Not evaluated on the test set this step: the two test cells are empty.
    QCOMPARE(log, std::string("3,0.5,nan,2,1,1,0,nan,,\n"));
    stats.learningRate = 0.025;
    log.clear();
    appendLogRow(log, stats);
    QCOMPARE(log, std::string("3,0.5,nan,2,1,1,0,0.025,,\n"));
    // Evaluated: numbers, and nan (not empty) when the evaluation broke.
    stats.tested = true;
    stats.testLoss = 0.75;
    stats.testAccuracy = 0.625;
    log.clear();
    appendLogRow(log, stats);
    QCOMPARE(log, std::string("3,0.5,nan,2,1,1,0,0.025,0.75,0.625\n"));
    stats.testLoss = kNotApplicable;
    log.clear();
    appendLogRow(log, stats);
    QCOMPARE(log, std::string("3,0.5,nan,2,1,1,0,0.025,nan,0.625\n"));

    QTemporaryDir dir;
    const std::string path = dir.filePath("m.csv").toStdString();
    MetricsCsvWriter writer;
    std::string error;
    QVERIFY(writer.open(path, error));
    writer.append(stats);
    QVERIFY(writer.finish(error));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    QCOMPARE(text.str(), std::string(kMetricsCsvHeader) + "\n" + rows);

    JacobianSpectrum spectrum;
    spectrum.available = true;
    spectrum.log10SingularValues = {{-250.0, -251.0}, {1.0}};
    std::string s;
    appendSpectrumRows(s, 10, spectrum);
    QCOMPARE(s, std::string("10,0,0,1e-250\n10,0,1,1e-251\n10,1,0,1e1\n"));
}

void TestMetricsCsv::reportsUnwritablePaths() {
    StepLogCsvWriter writer;
    std::string error;
    QVERIFY(!writer.open("/nonexistent/dir/log.csv", error));
    QVERIFY2(error.find("cannot write '/nonexistent/dir/log.csv'") == 0, error.c_str());
    QVERIFY(!writer.isOpen());
    QVERIFY(writer.finish(error));  // nothing open: nothing to report
}

QTEST_APPLESS_MAIN(TestMetricsCsv)
#include "tst_metrics_csv.moc"
