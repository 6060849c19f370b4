// The gradflow executable, run as a process: exit codes, one-line errors, CSV formats,
// presets, determinism and divergence.

#include <QProcess>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/io/theory_csv.h"
#include "core/training/trainer.h"
#include "tests/support/gradflow_process.h"

using namespace gradflow::test;

class TestCommandLine : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void badInputExitsTwoWithOneLine_data();
    void badInputExitsTwoWithOneLine();
    void helpAndPresetList();
    void writesExactCsvHeaders();
    void missingFashionMnistNamesThePackage();
    void seedOverrideIsDeterministic();
    void defaultStepsAndConfigFile();
    void divergenceIsAResult();
    void writesTheory();
    void theoryAloneStillPrints();
    void comparisonFigure();
    void figureAtAStepEqualsAShorterRun_data();
    void figureAtAStepEqualsAShorterRun();

private:
    QTemporaryDir m_dir;
    QString path(const QString& name) const { return m_dir.filePath(name); }
};

void TestCommandLine::initTestCase() {
    QVERIFY(m_dir.isValid());
    // Without it Qt warns on stderr when a figure run starts, and these tests count the lines
    // gradflow itself writes there (the directory is private, as Qt requires).
    qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_dir.path()));
    QFile garbage(path("garbage.json"));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write(QByteArray("\x00\xFF\xFE{{[[", 8));
    garbage.close();
    QFile wrong(path("wrong.json"));
    QVERIFY(wrong.open(QIODevice::WriteOnly));
    wrong.write(R"({"format": "gradflow-experiment", "version": 1, "model": {"layers": [{"width": 0}]}})");
}

void TestCommandLine::badInputExitsTwoWithOneLine_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("fragment");
    const QString preset = "deep-sigmoid-vanishing";
    QTest::newRow("unknown option") << QStringList{"--frobnicate"} << "unknown option '--frobnicate'";
    QTest::newRow("single dash") << QStringList{"-x"} << "unknown option";
    // Spellings other parsers accept and this command line refuses, each with its message.
    QTest::newRow("single-dash word") << QStringList{"--headless", "-preset", preset}
                                      << "unknown option '-preset' (options start with --)";
    QTest::newRow("bare double dash") << QStringList{"--headless", "--", "--preset", preset}
                                      << "unknown option '--' (options start with --)";
    QTest::newRow("unknown with value") << QStringList{"--frobnicate=3"} << "unknown option '--frobnicate' (see";
    QTest::newRow("value at the end") << QStringList{"--headless", "--preset"} << "--preset needs a value (NAME)";
    QTest::newRow("empty value") << QStringList{"--headless", "--config="} << "--config needs a non-empty value";
    QTest::newRow("two files") << QStringList{"a.json", "b.json"} << "unexpected argument 'b.json' (one experiment file at most)";
    QTest::newRow("file then config") << QStringList{"a.json", "--config", "b.json"} << "--config given more than once";
    QTest::newRow("config then file") << QStringList{"--config", "a.json", "b.json"} << "unexpected argument 'b.json'";
    QTest::newRow("flag value spelled apart") << QStringList{"--headless", "--preset", preset, "--steps=-1"}
                                              << "--steps must be an integer in [0, 1000000000]; got '-1'";
    QTest::newRow("missing value") << QStringList{"--headless", "--preset", preset, "--steps"} << "--steps needs a value";
    QTest::newRow("option as value") << QStringList{"--headless", "--preset", preset, "--metrics", "--log", "x.csv"}
                                     << "--metrics needs a value";
    QTest::newRow("bad number") << QStringList{"--headless", "--preset", preset, "--steps", "abc"} << "--steps must be";
    QTest::newRow("negative steps") << QStringList{"--headless", "--preset", preset, "--steps", "-1"} << "--steps must be";
    QTest::newRow("huge steps") << QStringList{"--headless", "--preset", preset, "--steps", "99999999999999999999"}
                                << "--steps must be";
    QTest::newRow("fractional seed") << QStringList{"--headless", "--preset", preset, "--seed", "1.5"} << "--seed must be";
    QTest::newRow("repeated option") << QStringList{"--headless", "--preset", preset, "--steps", "1", "--steps", "2"}
                                     << "more than once";
    QTest::newRow("flag with value") << QStringList{"--headless=yes", "--preset", preset} << "takes no value";
    QTest::newRow("config and preset") << QStringList{"--headless", "--preset", preset, "--config", "a.json"} << "not both";
    QTest::newRow("headless alone") << QStringList{"--headless"} << "needs --config";
    QTest::newRow("steps without headless") << QStringList{"--preset", preset, "--steps", "5"} << "only used with --headless";
    QTest::newRow("bad size") << QStringList{"--preset", preset, "--export", "a.png", "--size", "10x"} << "WIDTHxHEIGHT";
    QTest::newRow("bad scale") << QStringList{"--preset", preset, "--export", "a.png", "--scale", "9"} << "--scale must be";
    QTest::newRow("diagnosis without figure") << QStringList{"--headless", "--preset", preset, "--diagnosis"}
                                              << "--diagnosis needs --export FILE or --frames DIR";
    QTest::newRow("every without frames") << QStringList{"--preset", preset, "--every", "3"} << "--every needs --frames";
    QTest::newRow("unknown change") << QStringList{"--preset", preset, "--compare", "more-magic"}
                                    << "--compare must be one of batch-norm-on";
    QTest::newRow("compare without figure") << QStringList{"--headless", "--preset", preset, "--compare", "batch-norm-on"}
                                            << "--compare with --headless needs --export";
    QTest::newRow("compare one view") << QStringList{"--headless", "--preset", preset,   "--compare", "batch-norm-on",
                                                     "--export",   "a.png",    "--view", "loss"}
                                      << "drop --view";
    QTest::newRow("at without export") << QStringList{"--headless", "--preset", preset, "--at", "3"} << "--at needs --export FILE";
    QTest::newRow("at after the last step")
        << QStringList{"--headless", "--preset", preset, "--steps", "5", "--at", "6", "--export", "a.png"}
        << "--at 6 is after the run's last step (--steps 5)";
    QTest::newRow("at after the lesson's length")
        << QStringList{"--headless", "--preset", preset, "--at", "999999", "--export", path("late.png")}
        << "--at 999999 is after the run's last step";
    QTest::newRow("unknown preset") << QStringList{"--headless", "--preset", "nope"} << "unknown preset 'nope'";
    QTest::newRow("missing file") << QStringList{"--headless", "--config", path("missing.json")} << "cannot be opened";
    QTest::newRow("garbage file") << QStringList{"--headless", "--config", path("garbage.json")} << "json: line 1";
    QTest::newRow("invalid file") << QStringList{"--headless", "--config", path("wrong.json")} << "model.layers[0].width";
    QTest::newRow("unwritable metrics") << QStringList{"--headless", "--preset", preset, "--metrics", "/nonexistent/dir/m.csv"}
                                        << "--metrics: cannot write";
    QTest::newRow("unwritable log") << QStringList{"--headless", "--preset", preset, "--log", m_dir.path()}
                                    << "--log: cannot write";
    QTest::newRow("theory then a bare option") << QStringList{"--headless", "--preset", preset, "--theory=", "--log"}
                                              << "--log needs a value";
    QTest::newRow("theory for batch norm")
        << QStringList{"--headless", "--preset", "batchnorm-rescue", "--theory", path("bn-theory.csv")}
        << "--theory: no mean-field prediction for batch norm";
    QTest::newRow("unwritable theory") << QStringList{"--headless", "--preset", preset, "--theory", "/nonexistent/t.csv"}
                                       << "--theory: cannot write";
    QTest::newRow("unwritable spectrum") << QStringList{"--headless", "--preset", preset, "--spectrum", "/proc/nope.csv"}
                                         << "--spectrum: cannot write";
}

void TestCommandLine::badInputExitsTwoWithOneLine() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, fragment);
    const RunResult r = runGradflow(arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(fragment), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.startsWith("gradflow: "), qPrintable(r.err));
    QVERIFY(r.out.isEmpty());
}

void TestCommandLine::helpAndPresetList() {
    RunResult r = runGradflow({"--help"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("--headless"));
    r = runGradflow({"--list-presets"});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    QVERIFY(
        r.out.contains(QRegularExpression("^deep-sigmoid-vanishing +Deep sigmoid network", QRegularExpression::MultilineOption)));
    QVERIFY(r.out.count('\n') >= 10);
}

void TestCommandLine::writesExactCsvHeaders() {
    const RunResult r = runGradflow({"--headless", "--preset", "he-relu-healthy", "--steps", "12", "--metrics", path("m.csv"),
                                     "--log", path("l.csv"), "--spectrum", path("s.csv"), "--spectrum-every", "5"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList metrics = readLines(path("m.csv"));
    const QStringList log = readLines(path("l.csv"));
    const QStringList spectrum = readLines(path("s.csv"));
    QCOMPARE(metrics.value(0),
             "step,layer,weight_grad_norm,bias_grad_norm,activation_grad_norm,weight_norm,update_ratio,saturation");
    // The test columns came last: the earlier ones keep their names and positions.
    QCOMPARE(log.value(0),
             "step,loss,accuracy,grad_norm,grad_norm_clipped,clipped,diverged,learning_rate,test_loss,test_accuracy");
    for (int row = 1; row <= 12; ++row) {
        const QStringList cells = log.value(row).split(',');
        QCOMPARE(cells.size(), 10);
        // Evaluated every data.test_every = 10 steps from step 0; empty cells in between.
        const bool tested = row - 1 == 0 || row - 1 == 10;
        QCOMPARE(cells[8].isEmpty(), !tested);
        QCOMPARE(cells[9].isEmpty(), !tested);
        if (!tested) continue;
        bool ok = false;
        QVERIFY(cells[8].toDouble(&ok) > 0 && ok);
        const double accuracy = cells[9].toDouble(&ok);
        QVERIFY(ok && accuracy >= 0 && accuracy <= 1);
    }
    QCOMPARE(spectrum.value(0), "step,input,index,singular_value");
    QCOMPARE(log.size(), 1 + 12);
    QCOMPARE(metrics.size(), 1 + 12 * 31);  // 30 hidden layers + the output layer
    QVERIFY(metrics.value(1).startsWith("0,1,"));
    QVERIFY(metrics.value(31).startsWith("0,31,"));
    QVERIFY(log.value(12).startsWith("11,"));
    QCOMPARE(metrics.value(1).split(',').size(), 8);
    // Spectra at steps 0, 5 and 10: 8 probes x 64 singular values each.
    QCOMPARE(spectrum.size(), 1 + 3 * 8 * 64);
    QVERIFY(spectrum.value(1).startsWith("0,0,0,"));
    QVERIFY(spectrum.back().startsWith("10,7,63,"));
    bool ok = false;
    QVERIFY(spectrum.value(1).section(',', 3).toDouble(&ok) > 0 && ok);
}

void TestCommandLine::missingFashionMnistNamesThePackage() {
    QFile file(path("fashion.json"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"format": "gradflow-experiment", "version": 1, "data": {"kind": "fashion_mnist", "samples": 100}})");
    file.close();
    qputenv("GRADFLOW_FASHION_MNIST_DIR", QFile::encodeName(path("no-such-directory")));
    const RunResult r = runGradflow({"--headless", "--config", path("fashion.json"), "--steps", "1"});
    qunsetenv("GRADFLOW_FASHION_MNIST_DIR");
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.startsWith("gradflow: Fashion-MNIST is not installed"), qPrintable(r.err));
    QVERIFY2(r.err.contains("sudo apt install dataset-fashion-mnist"), qPrintable(r.err));
}

void TestCommandLine::seedOverrideIsDeterministic() {
    const auto run = [&](const QString& seed, const QString& file) {
        return runGradflow(
            {"--headless", "--preset", "tanh-small-weights", "--steps", "20", "--seed", seed, "--metrics", path(file)});
    };
    QCOMPARE(run("42", "a.csv").exitCode, 0);
    QCOMPARE(run("42", "b.csv").exitCode, 0);
    QCOMPARE(run("43", "c.csv").exitCode, 0);
    QVERIFY(!readAll(path("a.csv")).isEmpty());
    QCOMPARE(readAll(path("a.csv")), readAll(path("b.csv")));
    QVERIFY(readAll(path("a.csv")) != readAll(path("c.csv")));
}

void TestCommandLine::defaultStepsAndConfigFile() {
    gradflow::core::ExperimentConfig config;
    gradflow::core::LayerSpec narrow;
    narrow.width = 8;
    config.layers.assign(2, narrow);
    QCOMPARE(gradflow::core::saveExperimentFile(path("small.json").toStdString(), config), std::string());
    RunResult r = runGradflow({"--headless", "--config", path("small.json"), "--log", path("small.csv")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(readLines(path("small.csv")).size(), 1 + 200);  // no lesson: 200 steps
    r = runGradflow({"--headless", path("small.json"), "--steps", "0", "--log", path("zero.csv")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(readLines(path("zero.csv")).size(), 1);
}

void TestCommandLine::divergenceIsAResult() {
    const RunResult r =
        runGradflow({"--headless", "--preset", "exploding-large-weights", "--log", path("d.csv"), "--metrics", path("dm.csv")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains(QRegularExpression("diverged at step \\d+ in layer \\d+")), qPrintable(r.err));
    const QStringList log = readLines(path("d.csv"));
    QVERIFY(log.size() > 1);
    QCOMPARE(log.back().split(',').value(6), QStringLiteral("1"));  // diverged
    QVERIFY(log.size() < 100);                                      // stopped early
}

void TestCommandLine::writesTheory() {
    const RunResult r =
        runGradflow({"--headless", "--preset", "he-relu-healthy", "--steps", "0", "--theory", path("theory.csv")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("q* = "));
    QVERIFY(r.out.contains(QRegularExpression("chi_1 = 1(\\.0+)? ")));
    QVERIFY(r.out.contains("depth scale = "));
    const QStringList lines = readLines(path("theory.csv"));
    QCOMPARE(lines.value(0), "layer,statistic,predicted,band_lo,band_hi");
    // The engine's own numbers, digit for digit: the file is the overlay's prediction.
    const gradflow::core::ExperimentLoadResult loaded =
        gradflow::core::parseExperiment(gradflow::core::findPreset("he-relu-healthy")->json);
    const auto trainer = gradflow::core::Trainer::create(loaded.config);
    const gradflow::core::GradientProfiles profiles =
        gradflow::core::predictGradientProfiles(loaded.config, gradflow::core::meanSquare(trainer->dataset().inputs));
    std::string expected;
    gradflow::core::appendTheoryRows(expected, profiles);
    QCOMPARE(lines.mid(1).join('\n') + '\n', QString::fromStdString(expected));
    const int layers = int(loaded.config.layers.size());
    QCOMPARE(lines.size(), 1 + 2 * layers);
    QCOMPARE(lines.value(1).section(',', 0, 1), "1,weight_grad_norm");
    QCOMPARE(lines.value(2).section(',', 0, 1), "1,activation_grad_norm");
    // Relative to the last hidden layer, with a band that closes there.
    QCOMPARE(lines.value(2 * layers - 1), QString("%1,weight_grad_norm,1,1,1").arg(layers));
    QCOMPARE(lines.value(2 * layers), QString("%1,activation_grad_norm,1,1,1").arg(layers));
    for (const QString& line : lines.mid(1)) {
        const QStringList cells = line.split(',');
        QCOMPARE(cells.size(), 5);
        QVERIFY2(cells[3].toDouble() > 0 && cells[3].toDouble() <= cells[4].toDouble(), qPrintable(line));
    }
    // A net the theory does not cover writes no file at all.
    QVERIFY(!QFile::exists(path("bn-theory.csv")));
}

void TestCommandLine::theoryAloneStillPrints() {
    // --theory was a switch before it took a file: scripts that use it alone, before an
    // option or before an experiment file keep working, and print the same lines.
    const QStringList spellings[] = {
        {"--headless", "--preset", "he-relu-healthy", "--steps", "0", "--theory"},
        {"--headless", "--theory", "--preset", "he-relu-healthy", "--steps", "0"},
        {"--headless", "--steps", "0", "--theory", path("small-theory.json")},
    };
    gradflow::core::ExperimentConfig config;
    config.layers.assign(3, gradflow::core::LayerSpec{});
    QCOMPARE(gradflow::core::saveExperimentFile(path("small-theory.json").toStdString(), config), std::string());
    for (const QStringList& arguments : spellings) {
        const RunResult r = runGradflow(arguments);
        QVERIFY2(r.exitCode == 0, qPrintable(arguments.join(' ') + ": " + r.err));
        QVERIFY2(r.out.contains("q* = ") && r.out.contains("chi_1 = ") && r.out.contains("depth scale = "),
                 qPrintable(r.out));
    }
    // The theory of a net it does not cover still prints (chi_1 of the plain stack), as before.
    const RunResult bn = runGradflow({"--headless", "--preset", "batchnorm-rescue", "--steps", "0", "--theory"});
    QVERIFY2(bn.exitCode == 0, qPrintable(bn.err));
    QVERIFY(bn.out.contains("chi_1 = "));
}

void TestCommandLine::comparisonFigure() {
#ifndef GRADFLOW_HAS_UI
    QSKIP("figures need the GUI build");
#endif
    const QString png = m_dir.filePath("compare.png");
    const RunResult r = runGradflow({"--headless", "--preset", "deep-sigmoid-vanishing", "--steps", "20", "--compare",
                                     "batch-norm-on", "--export", png, "--size", "900x500", "--scale", "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // PNG: 8-byte signature, then IHDR with big-endian width and height.
    const QByteArray bytes = readAll(png);
    QVERIFY(bytes.startsWith("\x89PNG") && bytes.size() > 24);
    const auto be32 = [&](int at) { return qFromBigEndian<quint32>(bytes.constData() + at); };
    QCOMPARE(be32(16), 1800u);
    QCOMPARE(be32(20), 1000u);
    // A change the experiment does not allow names what it does allow, and writes nothing.
    const QString none = m_dir.filePath("none.png");
    const RunResult bad =
        runGradflow({"--headless", "--preset", "rnn-adding-forgets", "--compare", "batch-norm-on", "--export", none});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains("does not apply to this experiment; it offers: cell-lstm"), qPrintable(bad.err));
    QVERIFY(!QFileInfo::exists(none));
}

void TestCommandLine::figureAtAStepEqualsAShorterRun_data() {
    QTest::addColumn<QStringList>("experiment");
    QTest::addColumn<int>("at");
    QTest::addColumn<int>("steps");
    QTest::addColumn<QStringList>("figure");
    const QStringList small{"--size", "640x400"};
#ifdef GRADFLOW_SANITIZED
    // Each row is three runs of the figure export, several seconds each at -O1 under the
    // sanitizers: there one row runs the path every row shares (the collector copied for
    // a step between histogram steps, a comparison's side B); Release runs them all.
    QTest::newRow("comparison") << QStringList{"--preset", "deep-sigmoid-vanishing", "--compare", "batch-norm-on"} << 7 << 15
                                << small;
    return;
#endif
    // Step 13 is not a histogram step (every 10, and the last): the figure still shows the
    // distributions a run ending at 13 collected last.
    QTest::newRow("dashboard") << QStringList{"--preset", "deep-sigmoid-vanishing"} << 13 << 30 << small;
    QTest::newRow("distributions") << QStringList{"--preset", "deep-sigmoid-vanishing"} << 13 << 30
                                   << (QStringList{"--view", "distributions"} + small);
    QTest::newRow("loss") << QStringList{"--preset", "he-relu-healthy"} << 21 << 40 << (QStringList{"--view", "loss"} + small);
    QTest::newRow("initialised") << QStringList{"--preset", "he-relu-healthy"} << 0 << 5 << small;
    QTest::newRow("comparison") << QStringList{"--preset", "deep-sigmoid-vanishing", "--compare", "batch-norm-on"} << 7 << 15
                                << small;
    QTest::newRow("recurrent") << QStringList{"--preset", "rnn-adding-forgets"} << 9 << 20 << small;
    // Diverges long before step 90: both runs end at the divergence and draw it.
    QTest::newRow("diverged first") << QStringList{"--preset", "exploding-large-weights"} << 90 << 120 << small;
}

void TestCommandLine::figureAtAStepEqualsAShorterRun() {
#ifndef GRADFLOW_HAS_UI
    QSKIP("figures need the GUI build");
#endif
    QFETCH(QStringList, experiment);
    QFETCH(int, at);
    QFETCH(int, steps);
    QFETCH(QStringList, figure);
    const auto exportFigure = [&](const QString& name, const QStringList& extra) {
        const QString png = path(name);
        QFile::remove(png);
        const RunResult r = runGradflow(QStringList{"--headless"} + experiment + extra + QStringList{"--export", png} + figure);
        return std::make_pair(r, readAll(png));
    };
    const QString tag = QString::fromUtf8(QTest::currentDataTag()).replace(' ', '-');
    const auto [longRun, atStep] =
        exportFigure(tag + "-at.png", {"--steps", QString::number(steps), "--at", QString::number(at), "--histograms",
                                       path(tag + "-hist.csv")});
    QVERIFY2(longRun.exitCode == 0, qPrintable(longRun.err));
    const auto [shortRun, stopped] = exportFigure(tag + "-stopped.png", {"--steps", QString::number(at)});
    QVERIFY2(shortRun.exitCode == 0, qPrintable(shortRun.err));
    QVERIFY(atStep.startsWith("\x89PNG"));
    QVERIFY2(atStep == stopped, "the figure --at STEP differs from the figure of a run of STEP steps");
    // The long run still wrote its CSV to the end, without the figure's extra collection.
    const QStringList histograms = readLines(path(tag + "-hist.csv"));
    QVERIFY(histograms.size() > 1);
    if (QString(QTest::currentDataTag()) != "diverged first") {
        QVERIFY2(histograms.back().startsWith(QString::number(steps - 1) + ","), qPrintable(histograms.back()));
        for (const QString& row : histograms.mid(1)) {
            const int step = row.section(',', 0, 0).toInt();
            QVERIFY2(step % 10 == 0 || step == steps - 1, qPrintable(row));
        }
    }
    // The comparison can fail: one step later is another picture.
    if (at > 0 && at < steps) {
        const auto [laterRun, later] = exportFigure(tag + "-later.png", {"--steps", QString::number(at + 1)});
        QVERIFY2(laterRun.exitCode == 0, qPrintable(laterRun.err));
        if (QString(QTest::currentDataTag()) != "diverged first") QVERIFY(later != stopped);
    }
}

QTEST_GUILESS_MAIN(TestCommandLine)
#include "tst_command_line.moc"
