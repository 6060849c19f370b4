// Experiment files: the documented format, defaults, round trips, atomic saves, and a
// corpus of broken files that must each fail with an error naming the field.

#include <QTemporaryDir>
#include <QtGlobal>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <fstream>
#include <limits>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#include <sys/stat.h>
#endif

#include "core/data/random.h"
#include "core/io/experiment_file.h"

using namespace gradflow::core;

namespace {

// The example from the README, verbatim.
const std::string kExample =
    R"({"format": "gradflow-experiment", "version": 1, "seed": 7,
  "data": {"kind": "spiral", "samples": 512, "noise": 0.1},
  "model": {"layers": [{"repeat": 20, "width": 64, "activation": "tanh",
            "init": "xavier_normal", "gain": 1.0, "batchnorm": false}],
            "residual": {"every": 0}},
  "training": {"optimizer": "sgd", "learning_rate": 0.05, "batch_size": 64,
               "clip": {"mode": "off"}, "loss": "cross_entropy"}})";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    if (at == std::string::npos) qFatal("test bug: '%s' not in the example", from.c_str());
    return text.replace(at, from.size(), to);
}

QByteArray bytes(const std::string& s) { return QByteArray(s.data(), static_cast<qsizetype>(s.size())); }

bool hasIssue(const ExperimentLoadResult& r, const std::string& field, const QString& fragment) {
    for (const ConfigIssue& issue : r.errors) {
        if (issue.field == field && QString::fromStdString(issue.message).contains(fragment)) return true;
    }
    return false;
}

/// Every field away from its default, in valid ranges.
ExperimentConfig unusualConfig(Random& rng) {
    ExperimentConfig c;
    c.seed = rng.nextU64();
    c.precision = Precision::Float32;
    c.lesson = {"A title \xC3\xA9 \"quoted\"", "Line one.\nLine two.", 123, UnitStatisticKind::ActivationGradient};
    c.data = {DataKind::Blobs, 300 + rng.below(100), rng.uniform() * 0.3, 4, 17};
    c.layers.clear();
    for (int i = 0; i < 12; ++i) {
        LayerSpec l;
        l.width = 8 + rng.below(3) * 8;
        l.activation = {rng.below(2) ? ActivationKind::LeakyRelu : ActivationKind::Elu, 0.1 + rng.uniform() * 0.2,
                        0.5 + rng.uniform()};
        l.init = {rng.below(2) ? InitKind::Normal : InitKind::Uniform, 0.5 + rng.uniform(), rng.uniform(), rng.uniform(),
                  rng.uniform() - 0.5};
        l.batchNorm = rng.below(2) == 1;
        l.layerNorm = !l.batchNorm && rng.below(2) == 1;
        l.dropout = rng.below(2) == 1 ? 0.9 * rng.uniform() : 0.0;
        c.layers.insert(c.layers.end(), static_cast<std::size_t>(1 + rng.below(3)), l);
    }
    c.residual.every = 0;
    c.biasInit = {0.1 + rng.uniform(), rng.uniform()};
    c.recurrent = {CellKind::Gru, 33, {ActivationKind::Relu, 0.3}, {InitKind::HeUniform, 1.5}, {InitKind::Identity, 0.9}, 2.5};
    c.training.optimizer = {OptimizerKind::Adam, 1e-3 * (1 + rng.uniform()), 0.5, true, 0.8, 0.85, 0.995, 1e-7, 1e-4};
    c.training.batchSize = 32;
    c.training.clip = {ClipMode::Value, 0.1 + rng.uniform()};
    c.training.loss = LossKind::CrossEntropy;
    return c;
}

}  // namespace

class TestExperimentFile : public QObject {
    Q_OBJECT

private slots:
    void readsTheDocumentedExample();
    void missingFieldsTakeDefaults();
    void roundTripsExactly();
    void roundTripsDefaultsAndRecurrent();
    void roundTripsRunState();
    void roundTripsRemedies();
    void groupsRepeatedLayers();
    void eluAlphaIsItsOwnField();
    void rejectsBrokenFiles_data();
    void rejectsBrokenFiles();
    void mapsExpandedLayersToFileEntries();
    void validatesConfigsBuiltInCode();
    void estimatesMemory();
    void refusesHugeAndMissingFiles();
    void savesAtomically();
    void failedSaveKeepsTheOldFile();
    void savedFilesGetTheUsualPermissions();
};

void TestExperimentFile::readsTheDocumentedExample() {
    const ExperimentLoadResult r = parseExperiment(kExample);
    QVERIFY2(r.ok(), r.errorText().c_str());
    QCOMPARE(r.config.seed, std::uint64_t(7));
    QCOMPARE(r.config.layers.size(), std::size_t(20));
    QCOMPARE(r.config.layers[19].activation.kind, ActivationKind::Tanh);
    QCOMPARE(r.config.layers[0].init.kind, InitKind::XavierNormal);
    QCOMPARE(r.config.data.kind, DataKind::Spiral);
    QCOMPARE(r.config.training.optimizer.learningRate, 0.05);
    QCOMPARE(r.config.training.clip.mode, ClipMode::Off);
    QCOMPARE(r.config.inputDimension(), 2);
    QCOMPARE(r.config.outputDimension(), 2);
    QVERIFY(r.config.isClassification());
}

void TestExperimentFile::missingFieldsTakeDefaults() {
    const ExperimentLoadResult r = parseExperiment(R"({"format": "gradflow-experiment", "version": 1})");
    QVERIFY2(r.ok(), r.errorText().c_str());
    QVERIFY(r.config == ExperimentConfig{});
    const ExperimentLoadResult partial =
        parseExperiment(R"({"format": "gradflow-experiment", "version": 1, "model": {"layers": [{"width": 16}]}})");
    QVERIFY2(partial.ok(), partial.errorText().c_str());
    QCOMPARE(partial.config.layers.size(), std::size_t(1));
    LayerSpec expected;
    expected.width = 16;
    QVERIFY(partial.config.layers[0] == expected);
}

void TestExperimentFile::roundTripsExactly() {
    Random rng(5);
    for (int i = 0; i < 50; ++i) {
        const ExperimentConfig config = unusualConfig(rng);
        const std::string text = serializeExperiment(config);
        const ExperimentLoadResult r = parseExperiment(text);
        QVERIFY2(r.ok(), (r.errorText() + "\n" + text).c_str());
        QVERIFY2(r.config == config, text.c_str());
        QCOMPARE(serializeExperiment(r.config), text);
    }
}

void TestExperimentFile::roundTripsDefaultsAndRecurrent() {
    const ExperimentConfig defaults;
    QVERIFY(parseExperiment(serializeExperiment(defaults)).config == defaults);
    ExperimentConfig rnn;
    rnn.model = ModelKind::Recurrent;
    rnn.data.kind = DataKind::Adding;
    rnn.training.loss = LossKind::MeanSquaredError;
    rnn.recurrent.activation.alpha = 3.0;  // the recurrent block shares the activation writer
    const ExperimentLoadResult r = parseExperiment(serializeExperiment(rnn));
    QVERIFY2(r.ok(), r.errorText().c_str());
    QVERIFY(r.config == rnn);
    QCOMPARE(r.config.inputDimension(), 2);
    QCOMPARE(r.config.outputDimension(), 1);
}

void TestExperimentFile::roundTripsRunState() {
    ExperimentConfig c;
    QVERIFY(serializeExperiment(c).find("\"run\"") == std::string::npos);  // nothing run: not written
    c.run.stepsDone = 1234;
    c.run.comparison = "batch-norm-on";
    const std::string text = serializeExperiment(c);
    const ExperimentLoadResult r = parseExperiment(text);
    QVERIFY2(r.ok(), (r.errorText() + "\n" + text).c_str());
    QCOMPARE(r.config.run.stepsDone, std::int64_t(1234));
    QCOMPARE(r.config.run.comparison, std::string("batch-norm-on"));
    QVERIFY(r.config == c);
}

// Each remedy's keys are written only when it is in use, so a file without remedies is
// written exactly as before they existed; with them it parses back to an equal config.
void TestExperimentFile::roundTripsRemedies() {
    ExperimentConfig c;
    const std::string plain = serializeExperiment(c);
    for (const char* key : {"layernorm", "branch_scale", "dropout"}) QVERIFY2(plain.find(key) == std::string::npos, key);
    c.layers[2].layerNorm = true;
    c.layers[5].layerNorm = true;
    c.layers[3].dropout = 0.25;
    c.layers[4].dropout = 0.1 + 1e-17;  // not a short decimal: the writer keeps every bit
    c.residual.every = 2;
    for (BranchScaleKind kind : {BranchScaleKind::ReZero, BranchScaleKind::InverseSqrtBlocks}) {
        c.residual.branchScale = kind;
        const std::string text = serializeExperiment(c);
        const ExperimentLoadResult r = parseExperiment(text);
        QVERIFY2(r.ok(), (r.errorText() + "\n" + text).c_str());
        QVERIFY2(r.config == c, text.c_str());
    }
    ExperimentConfig fixup;
    QVERIFY(serializeExperiment(fixup).find("fixup") == std::string::npos);
    fixup.residual.every = 3;
    fixup.residual.fixup = true;
    const std::string fixupText = serializeExperiment(fixup);
    const ExperimentLoadResult fixupRead = parseExperiment(fixupText);
    QVERIFY2(fixupRead.ok(), (fixupRead.errorText() + "\n" + fixupText).c_str());
    QVERIFY2(fixupRead.config == fixup, fixupText.c_str());
    QCOMPARE(parseExperiment(replaced(kExample, "\"every\": 0", "\"every\": 4, \"branch_scale\": \"rezero\""))
                 .config.residual.branchScale,
             BranchScaleKind::ReZero);
}

void TestExperimentFile::groupsRepeatedLayers() {
    ExperimentConfig c;
    LayerSpec a, b;
    b.width = 32;
    c.layers = {a, a, a, b, a};
    const std::string text = serializeExperiment(c);
    QVERIFY2(text.find("\"repeat\": 3") != std::string::npos, text.c_str());
    const ExperimentLoadResult r = parseExperiment(text);
    QCOMPARE(r.config.layers.size(), std::size_t(5));
    QVERIFY(r.config == c);
}

// Regression: the README documents elu's "alpha", but the reader refused the key, the
// writer saved alpha's value nowhere (it wrote "slope"), and validation checked the slope,
// so an ELU's alpha could neither be set from a file nor be refused when NaN.
void TestExperimentFile::eluAlphaIsItsOwnField() {
    const ExperimentLoadResult r = parseExperiment(replaced(kExample, "\"tanh\"", "\"elu\", \"alpha\": 2.5"));
    QVERIFY2(r.ok(), r.errorText().c_str());
    QCOMPARE(r.config.layers.front().activation.alpha, 2.5);
    QVERIFY(parseExperiment(serializeExperiment(r.config)).config == r.config);

    ExperimentConfig c;
    c.layers[2].activation = {ActivationKind::Elu, 0.01, std::numeric_limits<double>::quiet_NaN()};
    const std::vector<ConfigIssue> issues = validateExperiment(c);
    QCOMPARE(issues.size(), std::size_t(1));
    QCOMPARE(issues.front().field, std::string("model.layers[2].alpha"));
}

void TestExperimentFile::rejectsBrokenFiles_data() {
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("fragment");
    const auto row = [](const char* name, const std::string& json, const char* field, const char* fragment) {
        QTest::newRow(name) << bytes(json) << QString(field) << QString(fragment);
    };
    row("truncated", kExample.substr(0, 120), "json", "end of input");
    row("empty", "", "json", "empty input");
    row("binary garbage",
        std::string("\x7F"
                    "ELF\x02\x01\x01\0\0\0",
                    10),
        "json", "unexpected");
    row("not an object", "[1, 2]", "file", "must hold a JSON object");
    row("wrong format", replaced(kExample, "gradflow-experiment", "something-else"), "format", "gradflow-experiment");
    row("newer version", replaced(kExample, "\"version\": 1", "\"version\": 2"), "version", "newer GradFlow");
    row("samples as string", replaced(kExample, "\"samples\": 512", "\"samples\": \"512\""), "data.samples",
        "must be an integer");
    row("batchnorm as number", replaced(kExample, "\"batchnorm\": false", "\"batchnorm\": 0"), "model.layers[0].batchnorm",
        "true or false");
    row("layernorm as string", replaced(kExample, "\"batchnorm\": false", "\"layernorm\": \"yes\""), "model.layers[0].layernorm",
        "true or false");
    row("both normalisations", replaced(kExample, "\"batchnorm\": false", "\"batchnorm\": true, \"layernorm\": true"),
        "model.layers[0].layernorm", "cannot be combined with batchnorm");
    row("dropout of 1", replaced(kExample, "\"batchnorm\": false", "\"dropout\": 1"), "model.layers[0].dropout", "[0, 1); got 1");
    row("negative dropout", replaced(kExample, "\"batchnorm\": false", "\"dropout\": -0.1"), "model.layers[0].dropout",
        "[0, 1); got -0.1");
    row("dropout as string", replaced(kExample, "\"batchnorm\": false", "\"dropout\": \"half\""), "model.layers[0].dropout",
        "number");
    row("fixup without skips", replaced(kExample, "\"every\": 0", "\"every\": 0, \"fixup\": true"), "model.residual.fixup",
        "every is 0");
    row("fixup with batch norm",
        replaced(replaced(kExample, "\"every\": 0", "\"every\": 2, \"fixup\": true"), "\"batchnorm\": false",
                 "\"batchnorm\": true"),
        "model.residual.fixup", "without normalisation");
    row("fixup as string", replaced(kExample, "\"every\": 0", "\"every\": 2, \"fixup\": \"yes\""), "model.residual.fixup",
        "true or false");
    row("unknown branch scale", replaced(kExample, "\"every\": 0", "\"every\": 2, \"branch_scale\": \"fixup\""),
        "model.residual.branch_scale", "none, rezero or inverse_sqrt_blocks");
    row("branch scale without skips", replaced(kExample, "\"every\": 0", "\"every\": 0, \"branch_scale\": \"rezero\""),
        "model.residual.branch_scale", "every is 0");
    row("layers as string", replaced(kExample, "\"layers\": [", "\"layers\": \"none\", \"x\": ["), "model.layers",
        "must be an array");
    row("data as array", replaced(kExample, "\"data\": {\"kind\": \"spiral\", \"samples\": 512, \"noise\": 0.1}", "\"data\": []"),
        "data", "must be an object");
    row("zero width", replaced(kExample, "\"width\": 64", "\"width\": 0"), "model.layers[0].width", "[1, 4096]");
    row("negative width", replaced(kExample, "\"width\": 64", "\"width\": -5"), "model.layers[0].width", "[1, 4096]");
    row("fractional width", replaced(kExample, "\"width\": 64", "\"width\": 64.5"), "model.layers[0].width", "integer");
    row("width 1e7", replaced(kExample, "\"width\": 64", "\"width\": 10000000"), "model.layers[0].width", "[1, 4096]");
    row("depth 1e9", replaced(kExample, "\"repeat\": 20", "\"repeat\": 1000000000"), "model.layers[0].repeat", "[1, 2000]");
    row("depth over total", replaced(kExample, "[{\"repeat\": 20", "[{\"repeat\": 1500}, {\"repeat\": 1500"), "model.layers",
        "more than 2000");
    row("learning rate NaN", replaced(kExample, "0.05", "NaN"), "json", "NaN and Infinity");
    row("learning rate Infinity", replaced(kExample, "0.05", "Infinity"), "json", "NaN and Infinity");
    row("learning rate 1e999", replaced(kExample, "0.05", "1e999"), "json", "out of the range");
    row("learning rate 1e308", replaced(kExample, "0.05", "1e308"), "training.learning_rate", "(0, 100]");
    row("learning rate negative", replaced(kExample, "0.05", "-0.1"), "training.learning_rate", "got -0.1");
    row("learning rate zero", replaced(kExample, "0.05", "0"), "training.learning_rate", "(0, 100]");
    row("gain huge", replaced(kExample, "\"gain\": 1.0", "\"gain\": 1e300"), "model.layers[0].gain", "[0, 100]");
    row("elu alpha zero", replaced(kExample, "\"tanh\"", "\"elu\", \"alpha\": 0"), "model.layers[0].alpha", "(0, 10]");
    row("unknown activation", replaced(kExample, "\"tanh\"", "\"tanhh\""), "model.layers[0].activation", "sigmoid, tanh, relu");
    row("unknown init", replaced(kExample, "\"xavier_normal\"", "\"glorot\""), "model.layers[0].init", "he_normal");
    row("unknown data kind", replaced(kExample, "\"spiral\"", "\"mnist\""), "data.kind", "circles");
    row("unknown key in layer", replaced(kExample, "\"width\": 64", "\"widht\": 64"), "model.layers[0].widht",
        "allowed keys here: repeat, width");
    row("unknown top-level key", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"colour\": \"red\""), "colour", "unknown key");
    row("unknown clip mode", replaced(kExample, "\"off\"", "\"sometimes\""), "training.clip.mode", "off, norm or value");
    row("clip threshold zero", replaced(kExample, "{\"mode\": \"off\"}", "{\"mode\": \"norm\", \"threshold\": 0}"),
        "training.clip.threshold", "(0,");
    row("duplicate key", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"seed\": 8"), "json", "duplicate key \"seed\"");
    row("negative seed", replaced(kExample, "\"seed\": 7", "\"seed\": -7"), "seed", "[0, 18446744073709551615]");
    row("empty layers", replaced(kExample, "\"layers\": [", "\"layers\": [], \"x\": ["), "model.layers", "at least one");
    row("batch above samples", replaced(kExample, "\"batch_size\": 64", "\"batch_size\": 600"), "training.batch_size",
        "[1, 512]");
    row("mse on spiral", replaced(kExample, "\"cross_entropy\"", "\"mse\""), "training.loss", "cross_entropy");
    row("cross entropy on sine", replaced(kExample, "\"spiral\"", "\"sine\""), "training.loss", "use mse");
    row("recurrent on spiral", replaced(kExample, "\"residual\"", "\"kind\": \"recurrent\", \"residual\""), "model.kind",
        "sequence task");
    row("feedforward on adding", replaced(replaced(kExample, "\"spiral\"", "\"adding\""), "\"cross_entropy\"", "\"mse\""),
        "model.kind", "recurrent");
    row("residual width mismatch",
        replaced(replaced(kExample, "\"every\": 0", "\"every\": 2"), "[{\"repeat\": 20", "[{\"width\": 32}, {\"repeat\": 20"),
        "model.residual.every", "must match");
    row("memory", replaced(replaced(kExample, "\"width\": 64", "\"width\": 4096"), "\"repeat\": 20", "\"repeat\": 2000"), "model",
        "of memory");
    row("too many classes", replaced(kExample, "\"noise\": 0.1", "\"noise\": 0.1, \"classes\": 11"), "data.classes", "[2, 10]");
    row("test fraction above a half", replaced(kExample, "\"noise\": 0.1", "\"noise\": 0.1, \"test_fraction\": 0.6"),
        "data.test_fraction", "[0, 0.5]");
    row("test fraction negative", replaced(kExample, "\"noise\": 0.1", "\"noise\": 0.1, \"test_fraction\": -0.1"),
        "data.test_fraction", "got -0.1");
    row("test every zero", replaced(kExample, "\"noise\": 0.1", "\"noise\": 0.1, \"test_every\": 0"), "data.test_every",
        "[1, 1000000]");
    row("image size 10",
        replaced(replaced(kExample, "\"spiral\", \"samples\": 512", "\"fashion_mnist\", \"samples\": 512"), "\"noise\": 0.1",
                 "\"noise\": 0.1, \"image_size\": 10"),
        "data.image_size", "28, 14 or 7");
    row("fashion subset beyond the file",
        replaced(kExample, "\"spiral\", \"samples\": 512", "\"fashion_mnist\", \"samples\": 70000"), "data.samples",
        "[1, 60000]");
    row("standardize not a boolean", replaced(kExample, "\"noise\": 0.1", "\"noise\": 0.1, \"standardize\": 1"),
        "data.standardize", "true or false");
    row("momentum 1", replaced(kExample, "\"sgd\"", "\"momentum\", \"momentum\": 1.0"), "training.momentum", "[0, 1)");
    row("precision", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"precision\": \"float16\""), "precision",
        "float64 or float32");
    row("invalid utf-8", replaced(kExample, "\"seed\": 7", "\"lesson\": {\"title\": \"\xC3\x28\"}"), "json", "invalid UTF-8");
    row("overlong utf-8", replaced(kExample, "\"seed\": 7", "\"lesson\": {\"title\": \"\xC1\xBF\"}"), "json", "invalid UTF-8");
    row("lone surrogate", replaced(kExample, "\"seed\": 7", "\"lesson\": {\"title\": \"\\udead\"}"), "json",
        "lone low surrogate");
    row("negative run steps", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"run\": {\"steps_done\": -1}"), "run.steps_done",
        "must be an integer in [0, 100000000]");
    row("unknown comparison", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"run\": {\"compare\": \"magic\"}"), "run.compare",
        "must name a one-change comparison");
    row("unknown run key", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"run\": {\"weights\": []}"), "run.weights",
        "unknown");
    row("lesson statistic", replaced(kExample, "\"seed\": 7", "\"seed\": 7, \"lesson\": {\"statistic\": \"loss\"}"),
        "lesson.statistic", "weight_gradient, activation_gradient, update_ratio or saturation");
    row("deeply nested", std::string(100000, '['), "json", "nesting deeper than 64");
    row("too large", std::string(kMaxExperimentFileBytes + 1, ' '), "json", "at most");
}

void TestExperimentFile::rejectsBrokenFiles() {
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, fragment);
    const ExperimentLoadResult r = parseExperiment(std::string_view(json.constData(), static_cast<std::size_t>(json.size())));
    QVERIFY(!r.ok());
    QVERIFY2(hasIssue(r, field.toStdString(), fragment), r.errorText().c_str());
    // std::none_of, not find('\n'): with the precompiled test header, g++ 12 -O3 inlines
    // find() into a memchr and issues a false -Wstringop-overread (-Werror) on it.
    for (const ConfigIssue& issue : r.errors) {
        const std::string text = issue.text();
        QVERIFY2(std::none_of(text.begin(), text.end(), [](char c) { return c == '\n'; }), text.c_str());
    }
}

void TestExperimentFile::mapsExpandedLayersToFileEntries() {
    // Entry 1 expands to hidden layers 3..22; its width error must name entry 1, once.
    const std::string text = replaced(kExample, "[{\"repeat\": 20, \"width\": 64",
                                      "[{\"repeat\": 2, \"width\": 8}, {\"repeat\": 20, \"width\": 64, \"slope\": -1");
    const std::string leaky = replaced(text, "\"tanh\"", "\"leaky_relu\"");
    const ExperimentLoadResult r = parseExperiment(leaky);
    QVERIFY(!r.ok());
    QVERIFY2(hasIssue(r, "model.layers[1].slope", "[0, 1]"), r.errorText().c_str());
    QCOMPARE(r.errors.size(), std::size_t(1));
}

void TestExperimentFile::validatesConfigsBuiltInCode() {
    ExperimentConfig c;
    c.training.optimizer.learningRate = std::numeric_limits<double>::quiet_NaN();
    c.layers[3].init.gain = std::numeric_limits<double>::infinity();
    c.layers[5].width = 0;
    c.data.noise = -1;
    const std::vector<ConfigIssue> issues = validateExperiment(c);
    const auto has = [&](const std::string& field, const std::string& text) {
        for (const ConfigIssue& i : issues)
            if (i.field == field && i.message.find(text) != std::string::npos) return true;
        return false;
    };
    QVERIFY(has("training.learning_rate", "got nan"));
    QVERIFY(has("model.layers[3].gain", "got inf"));
    QVERIFY(has("model.layers[5].width", "got 0"));
    QVERIFY(has("data.noise", "got -1"));
    QVERIFY(validateExperiment(ExperimentConfig{}).empty());
}

void TestExperimentFile::estimatesMemory() {
    ExperimentConfig small;
    ExperimentConfig wide;
    for (LayerSpec& l : wide.layers) l.width = 1024;
    QVERIFY(estimateMemoryBytes(small) > 0);
    QVERIFY(estimateMemoryBytes(wide) > 50 * estimateMemoryBytes(small));
    ExperimentConfig absurd;
    LayerSpec huge;
    huge.width = 1 << 20;
    absurd.layers.assign(100000, huge);
    QVERIFY(estimateMemoryBytes(absurd) > ExperimentLimits::maxMemoryBytes);  // no overflow
}

void TestExperimentFile::refusesHugeAndMissingFiles() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string big = dir.filePath("big.json").toStdString();
    {
        std::ofstream out(big, std::ios::binary);
        const std::string chunk(1 << 20, ' ');
        for (int i = 0; i < 50; ++i) out << chunk;  // 50 MB
    }
    ExperimentLoadResult r = loadExperimentFile(big);
    QVERIFY(hasIssue(r, "file", "larger than"));
    r = loadExperimentFile(dir.filePath("missing.json").toStdString());
    QVERIFY(hasIssue(r, "file", "cannot be opened"));
    r = loadExperimentFile(dir.path().toStdString());
    QVERIFY(hasIssue(r, "file", "directory"));
}

void TestExperimentFile::savesAtomically() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.json").toStdString();
    Random rng(9);
    const ExperimentConfig config = unusualConfig(rng);
    QCOMPARE(saveExperimentFile(path, ExperimentConfig{}), std::string());
    QCOMPARE(saveExperimentFile(path, config), std::string());  // replaces the previous file
    const ExperimentLoadResult r = loadExperimentFile(path);
    QVERIFY2(r.ok(), r.errorText().c_str());
    QVERIFY(r.config == config);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);  // no temporary left behind
    const std::string error = saveExperimentFile(dir.filePath("no/such/dir/run.json").toStdString(), config);
    QVERIFY2(error.find("cannot write") != std::string::npos, error.c_str());
}

void TestExperimentFile::failedSaveKeepsTheOldFile() {
#ifdef Q_OS_UNIX
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.json").toStdString();
    QCOMPARE(saveExperimentFile(path, ExperimentConfig{}), std::string());
    const QByteArray before = [&] {
        QFile file(QString::fromStdString(path));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }();
    QVERIFY(before.size() > 100);

    // A write that fails half way (a full disk, here a file size limit, which binds root
    // too where a read-only directory would not): the save reports it, the old file stays.
    Random rng(3);
    const ExperimentConfig config = unusualConfig(rng);
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit tight = saved;
    tight.rlim_cur = 16;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &tight), 0);
    const std::string error = saveExperimentFile(path, config);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, oldHandler);

    QVERIFY2(error.rfind("cannot write '" + path + "': ", 0) == 0, error.c_str());
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("run.json")});
#else
    QSKIP("needs a POSIX file size limit");
#endif
}

void TestExperimentFile::savedFilesGetTheUsualPermissions() {
#ifdef Q_OS_UNIX
    QTemporaryDir dir;
    const std::string path = dir.filePath("run.json").toStdString();
    const mode_t previous = ::umask(022);
    const std::string error = saveExperimentFile(path, ExperimentConfig{});
    ::umask(previous);
    QCOMPARE(error, std::string());
    struct stat info {};
    QCOMPARE(::stat(path.c_str(), &info), 0);
    QCOMPARE(int(info.st_mode & 0777), 0644);  // not the 0600 a temporary file is created with
#else
    QSKIP("POSIX permissions");
#endif
}

QTEST_APPLESS_MAIN(TestExperimentFile)
#include "tst_experiment_file.moc"
