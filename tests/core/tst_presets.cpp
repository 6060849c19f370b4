// Every embedded lesson preset parses, validates, carries a lesson, and round-trips.

#include <QtTest>

#include <filesystem>
#include <set>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"

using namespace gradflow::core;

class TestPresets : public QObject {
    Q_OBJECT

private slots:
    void matchesTheResourceFiles();
    void everyPresetIsAValidLesson_data();
    void everyPresetIsAValidLesson();
    void findsByName();
};

void TestPresets::matchesTheResourceFiles() {
    std::set<std::string> onDisk;
    for (const auto& entry : std::filesystem::directory_iterator(GRADFLOW_SOURCE_DIR "/resources/presets")) {
        if (entry.path().extension() == ".json") onDisk.insert(entry.path().stem().string());
    }
    std::set<std::string> embedded;
    for (const Preset& p : presets()) embedded.insert(std::string(p.name));
    QCOMPARE(embedded, onDisk);
    QVERIFY(presets().size() >= 10);
    for (const char* required :
         {"deep-sigmoid-vanishing", "tanh-small-weights", "exploding-large-weights", "relu-xavier-vs-he", "he-relu-healthy",
          "batchnorm-rescue", "residual-rescue", "clipping-tames-explosion", "orthogonal-tanh-isometry", "saturating-large-lr"}) {
        QVERIFY2(embedded.count(required) == 1, required);
    }
}

void TestPresets::everyPresetIsAValidLesson_data() {
    QTest::addColumn<QString>("name");
    for (const Preset& p : presets()) {
        const std::string name(p.name);
        QTest::newRow(name.c_str()) << QString::fromStdString(name);
    }
}

void TestPresets::everyPresetIsAValidLesson() {
    QFETCH(QString, name);
    const Preset* preset = findPreset(name.toStdString());
    QVERIFY(preset != nullptr);
    const ExperimentLoadResult r = parseExperiment(preset->json);
    QVERIFY2(r.ok(), r.errorText().c_str());
    QVERIFY(!r.config.lesson.title.empty());
    // Two to four sentences: count sentence ends.
    const std::string& text = r.config.lesson.explanation;
    int sentences = 0;
    for (std::size_t i = 0; i + 1 < text.size(); ++i) sentences += (text[i] == '.' && text[i + 1] == ' ') ? 1 : 0;
    sentences += (!text.empty() && text.back() == '.') ? 1 : 0;
    QVERIFY2(sentences >= 2 && sentences <= 6, text.c_str());
    QVERIFY(r.config.lesson.suggestedSteps > 0);
    QVERIFY(parseExperiment(serializeExperiment(r.config)).config == r.config);
}

void TestPresets::findsByName() {
    QVERIFY(findPreset(kDefaultPresetName) != nullptr);
    QVERIFY(findPreset("no-such-preset") == nullptr);
    QVERIFY(findPreset("") == nullptr);
}

QTEST_APPLESS_MAIN(TestPresets)
#include "tst_presets.moc"
