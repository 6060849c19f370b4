// What a file may leave out. Only the header is required; a missing field or whole section
// takes its default. README's table of defaults is read here and each documented default
// is written out explicitly: the file must load to the same config as the one omitting it,
// so the table cannot drift from the code.

#include <QFile>
#include <QtTest>

#include <string>
#include <vector>

#include "core/io/experiment_file.h"
#include "core/io/json_value.h"
#include "core/io/preset_library.h"

using namespace gradflow::core;

namespace {

constexpr std::string_view kHeader = R"("format": "gradflow-experiment", "version": 1)";

struct DocumentedDefault {
    std::string field;  ///< e.g. "training.clip.mode" or "model.layers[].width"
    std::string value;  ///< a JSON literal, e.g. "\"off\""
};

/// The rows of README's defaults table whose default is a JSON literal in backticks.
std::vector<DocumentedDefault> readmeDefaults(int& rows) {
    rows = 0;
    QFile file(QStringLiteral(GRADFLOW_SOURCE_DIR "/README.md"));
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    const qsizetype start = lines.indexOf(QStringLiteral("### Required fields and defaults"));
    if (start < 0) return {};
    std::vector<DocumentedDefault> out;
    static const QRegularExpression row(QStringLiteral("^\\| `([^`]+)` \\| (.*) \\|$"));
    static const QRegularExpression literal(QStringLiteral("^`([^`]*)`"));
    for (qsizetype i = start + 1; i < lines.size() && !lines[i].startsWith(QLatin1Char('#')); ++i) {
        const QRegularExpressionMatch m = row.match(lines[i]);
        if (!m.hasMatch()) continue;
        ++rows;
        const QRegularExpressionMatch value = literal.match(m.captured(2));
        if (value.hasMatch()) out.push_back({m.captured(1).toStdString(), value.captured(1).toStdString()});
    }
    return out;
}

/// {"a": {"b": value}} for "a.b"; a "[]" segment becomes a one-element array.
QString nested(const QString& field, const QString& value) {
    const QStringList keys = field.split(QLatin1Char('.'));
    QString json = value;
    for (qsizetype i = keys.size() - 1; i >= 0; --i) {
        QString key = keys[i];
        const bool array = key.endsWith(QStringLiteral("[]"));
        if (array) key.chop(2);
        json = QStringLiteral("\"%1\": %2").arg(key, array ? QStringLiteral("[%1]").arg(json) : json);
        if (i > 0) json = QStringLiteral("{%1}").arg(json);
    }
    return json;
}

ExperimentLoadResult parse(const std::string& body) {
    return parseExperiment("{" + std::string(kHeader) + (body.empty() ? "" : ", " + body) + "}");
}

}  // namespace

class TestExperimentSections : public QObject {
    Q_OBJECT

private slots:
    void headerIsRequired();
    void headerAloneTrainsTheDefaultExperiment();
    void everySectionMayBeOmitted_data();
    void everySectionMayBeOmitted();
    void readmeDefaultsAreTheCodesDefaults_data();
    void readmeDefaultsAreTheCodesDefaults();
};

void TestExperimentSections::headerIsRequired() {
    QVERIFY(!parseExperiment(R"({"version": 1})").ok());
    QVERIFY(!parseExperiment(R"({"format": "gradflow-experiment"})").ok());
    const ExperimentLoadResult r = parseExperiment(R"({"version": 1, "data": {"kind": "spiral"}})");
    QVERIFY(!r.ok());
    QCOMPARE(r.errors.front().field, std::string("format"));
}

void TestExperimentSections::headerAloneTrainsTheDefaultExperiment() {
    const ExperimentLoadResult r = parse("");
    QVERIFY2(r.ok(), r.errorText().c_str());
    const ExperimentConfig& c = r.config;
    QCOMPARE(c.model, ModelKind::FeedForward);
    QCOMPARE(c.layers.size(), std::size_t(8));
    for (const LayerSpec& layer : c.layers) {
        QCOMPARE(layer.width, 64);
        QCOMPARE(layer.activation.kind, ActivationKind::Tanh);
        QCOMPARE(layer.init.kind, InitKind::XavierNormal);
        QCOMPARE(layer.init.gain, 1.0);
        QVERIFY(!layer.batchNorm);
    }
    QCOMPARE(c.data.kind, DataKind::Spiral);
    QCOMPARE(c.training.optimizer.kind, OptimizerKind::Sgd);
    QCOMPARE(c.training.loss, LossKind::CrossEntropy);
    QVERIFY(!c.lesson.statistic);
    QCOMPARE(c.seed, std::uint64_t(7));
}

void TestExperimentSections::everySectionMayBeOmitted_data() {
    QTest::addColumn<QString>("section");
    for (const char* section : {"seed", "precision", "lesson", "data", "model", "training"}) QTest::newRow(section) << section;
}

void TestExperimentSections::everySectionMayBeOmitted() {
    // A preset without one section: it loads, and that section is the default one.
    QFETCH(QString, section);
    const Preset* preset = findPreset("batchnorm-rescue");
    QVERIFY(preset);
    JsonParseResult parsed = parseJson(preset->json);
    QVERIFY2(parsed.ok, parsed.error.c_str());
    JsonValue::Object* object = parsed.value.mutableObject();
    QVERIFY(object);
    JsonValue::Object& members = *object;
    const auto before = members.size();
    std::erase_if(members, [&](const JsonMember& m) { return m.key == section.toStdString(); });
    QCOMPARE(members.size(), before - 1);  // the preset had it
    const ExperimentLoadResult r = parseExperiment(writeJson(parsed.value));
    QVERIFY2(r.ok(), r.errorText().c_str());
    const ExperimentConfig defaults;
    const ExperimentConfig full = parseExperiment(preset->json).config;
    if (section == "data") QVERIFY(r.config.data == defaults.data);
    if (section == "model") QVERIFY(r.config.layers == defaults.layers && !(full.layers == defaults.layers));
    if (section == "training") QVERIFY(r.config.training == defaults.training);
    if (section == "lesson") QVERIFY(r.config.lesson == defaults.lesson);
    if (section == "seed") QCOMPARE(r.config.seed, defaults.seed);
    if (section == "precision") QCOMPARE(r.config.precision, defaults.precision);
}

void TestExperimentSections::readmeDefaultsAreTheCodesDefaults_data() {
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    int rows = 0;
    const std::vector<DocumentedDefault> defaults = readmeDefaults(rows);
    QVERIFY2(rows >= 50, "README's table of defaults is missing or short");
    QVERIFY(defaults.size() + 3 >= std::size_t(rows));  // all but a few rows are literals
    for (const DocumentedDefault& d : defaults)
        QTest::newRow(d.field.c_str()) << QString::fromStdString(d.field) << QString::fromStdString(d.value);
}

void TestExperimentSections::readmeDefaultsAreTheCodesDefaults() {
    QFETCH(QString, field);
    QFETCH(QString, value);
    // Layer fields are compared within one layer; the default stack has eight.
    const bool layerField = field.startsWith(QStringLiteral("model.layers[]."));
    const std::string omitted = layerField ? nested(QStringLiteral("model.layers[]"), QStringLiteral("{}")).toStdString() : "";
    const std::string stated = nested(field, value).toStdString();
    const ExperimentLoadResult withDefault = parse(stated);
    const ExperimentLoadResult without = parse(omitted);
    QVERIFY2(withDefault.ok(), (stated + ": " + withDefault.errorText()).c_str());
    QVERIFY2(without.ok(), without.errorText().c_str());
    QVERIFY2(withDefault.config == without.config, stated.c_str());
}

QTEST_APPLESS_MAIN(TestExperimentSections)
#include "tst_experiment_sections.moc"
