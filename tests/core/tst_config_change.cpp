// "Compare with one change": every offered change yields a valid configuration that
// differs from its base in the one idea it names, and never in data, seed or precision
// (so a comparison's two runs see the same samples in the same order).

#include <QtTest>

#include <algorithm>
#include <set>

#include "core/config/config_change.h"
#include "core/config/experiment_validation.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"

using namespace gradflow::core;

namespace {

ExperimentConfig preset(std::string_view name) {
    const Preset* p = findPreset(name);
    if (!p) return {};
    return parseExperiment(p->json).config;
}

bool offers(const ExperimentConfig& config, std::string_view id) {
    const auto changes = changesFor(config);
    return std::any_of(changes.begin(), changes.end(), [&](const ConfigChange& c) { return c.id == id; });
}

}  // namespace

class TestConfigChange : public QObject {
    Q_OBJECT

private slots:
    void everyOfferedChangeIsValidAndKeepsTheData_data();
    void everyOfferedChangeIsValidAndKeepsTheData();
    void batchNormOnTurnsEveryLayerOn();
    void changesThatWouldDoNothingAreNotOffered();
    void invalidResultsAreNotOffered();
    void recurrentModelsOfferCells();
    void unknownIdsApplyNothing();
    void everyIdHasARule();
    void oneClickRemovesTheLessonsRemedy_data();
    void oneClickRemovesTheLessonsRemedy();
};

void TestConfigChange::oneClickRemovesTheLessonsRemedy_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("change");
    // The lessons whose text says "Compare -> without X": the button offers exactly that.
    QTest::newRow("dropout") << "dropout-overfitting" << "dropout-off";
    QTest::newRow("fixup") << "fixup-deep-residual" << "fixup-off";
    QTest::newRow("lsuv") << "lsuv-gelu-any-gain" << "lsuv-off";
    QTest::newRow("layer norm") << "layernorm-rescue" << "layer-norm-off";
    QTest::newRow("rezero") << "rezero-deep-residual" << "residual-unscaled";
    QTest::newRow("warmup") << "warmup-large-learning-rate" << "schedule-off";
    QTest::newRow("clipping") << "clipping-tames-explosion" << "clip-off";
    QTest::newRow("batch norm") << "batchnorm-rescue" << "batch-norm-off";
    // Without a remedy, the teaching order's first: batch norm for the vanishing stack.
    QTest::newRow("plain") << "deep-sigmoid-vanishing" << "batch-norm-on";
}

void TestConfigChange::oneClickRemovesTheLessonsRemedy() {
    QFETCH(QString, name);
    QFETCH(QString, change);
    const auto offered = oneClickChange(preset(name.toStdString()));
    QVERIFY(offered);
    QCOMPARE(QString::fromStdString(offered->id), change);
}

void TestConfigChange::everyOfferedChangeIsValidAndKeepsTheData_data() {
    QTest::addColumn<QString>("name");
    for (const Preset& p : presets())
        QTest::newRow(std::string(p.name).c_str()) << QString::fromUtf8(p.name.data(), qsizetype(p.name.size()));
}

void TestConfigChange::everyOfferedChangeIsValidAndKeepsTheData() {
    QFETCH(QString, name);
    const ExperimentConfig base = preset(name.toStdString());
    const auto changes = changesFor(base);
    QVERIFY2(changes.size() >= 4, "every lesson should offer several comparisons");
    const auto known = allChangeIds();
    std::set<std::string> seen;
    for (const ConfigChange& change : changes) {
        QVERIFY2(std::find(known.begin(), known.end(), change.id) != known.end(), change.id.c_str());
        QVERIFY2(seen.insert(change.id).second, "listed twice");
        QVERIFY(!change.label.empty() && !change.baseLabel.empty() && !change.description.empty());
        QVERIFY2(change.label != change.baseLabel, change.id.c_str());
        const auto changed = applyChange(base, change.id);
        QVERIFY2(changed, change.id.c_str());
        QVERIFY2(!(*changed == base), change.id.c_str());
        QVERIFY2(validateExperiment(*changed).empty(), change.id.c_str());
        QCOMPARE(changed->seed, base.seed);
        QVERIFY(changed->data == base.data);
        QVERIFY(changed->precision == base.precision);
        QVERIFY(changed->model == base.model);
        QVERIFY(changed->training.batchSize == base.training.batchSize);
        const auto described = describeChange(base, change.id);
        QVERIFY(described && described->label == change.label);
    }
}

void TestConfigChange::batchNormOnTurnsEveryLayerOn() {
    const ExperimentConfig base = preset("deep-sigmoid-vanishing");
    QVERIFY(!base.layers.empty());
    const auto changed = applyChange(base, "batch-norm-on");
    QVERIFY(changed);
    QCOMPARE(changed->layers.size(), base.layers.size());
    for (std::size_t i = 0; i < base.layers.size(); ++i) {
        QVERIFY(changed->layers[i].batchNorm);
        QVERIFY(changed->layers[i].activation == base.layers[i].activation);
        QVERIFY(changed->layers[i].init == base.layers[i].init);
        QCOMPARE(changed->layers[i].width, base.layers[i].width);
    }
    const auto change = describeChange(base, "batch-norm-on");
    QVERIFY(change);
    QCOMPARE(change->label, std::string("with batch norm"));
    QCOMPARE(change->baseLabel, std::string("without batch norm"));
    // The reverse change is offered from the changed side.
    QVERIFY(offers(*changed, "batch-norm-off"));
    QVERIFY(!offers(*changed, "batch-norm-on"));
}

void TestConfigChange::changesThatWouldDoNothingAreNotOffered() {
    const ExperimentConfig healthy = preset("he-relu-healthy");
    QVERIFY(!offers(healthy, "relu-he"));
    QVERIFY(!offers(healthy, "activation-relu"));
    QVERIFY(!applyChange(healthy, "activation-relu"));
    QVERIFY(offers(healthy, "activation-sigmoid"));
    const auto sigmoid = applyChange(healthy, "activation-sigmoid");
    QVERIFY(sigmoid);
    for (const LayerSpec& layer : sigmoid->layers) QCOMPARE(layer.activation.kind, ActivationKind::Sigmoid);
}

void TestConfigChange::invalidResultsAreNotOffered() {
    // Residual groups need equal widths: a tapering stack cannot take skips.
    ExperimentConfig tapering;
    tapering.layers.assign(6, LayerSpec{});
    for (std::size_t i = 0; i < tapering.layers.size(); ++i) tapering.layers[i].width = 64 - int(i) * 8;
    QVERIFY(validateExperiment(tapering).empty());
    QVERIFY(!offers(tapering, "residual-on"));
    QVERIFY(!applyChange(tapering, "residual-on"));
    // At the largest allowed learning rate there is no "ten times larger".
    ExperimentConfig fast;
    fast.training.optimizer.learningRate = 100.0;
    if (validateExperiment(fast).empty()) {
        QVERIFY(!offers(fast, "learning-rate-up"));
    }
    // At the deepest allowed stack there is no "twice as deep".
    ExperimentConfig deep;
    deep.layers.assign(std::size_t(ExperimentLimits::maxDepth), LayerSpec{});
    for (LayerSpec& layer : deep.layers) layer.width = 4;
    if (validateExperiment(deep).empty()) QVERIFY(!offers(deep, "depth-double"));
}

void TestConfigChange::recurrentModelsOfferCells() {
    const ExperimentConfig rnn = preset("rnn-adding-forgets");
    QCOMPARE(rnn.model, ModelKind::Recurrent);
    QVERIFY(offers(rnn, "cell-lstm"));
    QVERIFY(offers(rnn, "cell-gru"));
    QVERIFY(!offers(rnn, "cell-vanilla"));
    QVERIFY(!offers(rnn, "batch-norm-on"));  // feed-forward only
    const auto lstm = applyChange(rnn, "cell-lstm");
    QVERIFY(lstm);
    QCOMPARE(lstm->recurrent.cell, CellKind::Lstm);
    QCOMPARE(lstm->data.sequenceLength, rnn.data.sequenceLength);
}

void TestConfigChange::unknownIdsApplyNothing() {
    const ExperimentConfig base = preset("deep-sigmoid-vanishing");
    QVERIFY(!applyChange(base, "no-such-change"));
    QVERIFY(!describeChange(base, ""));
}

void TestConfigChange::everyIdHasARule() {
    // Validation knows the ids without the rules; each id it accepts must still be a rule
    // that some configuration (a preset, or a preset with one change made) is offered.
    std::vector<ExperimentConfig> configs;
    for (const Preset& p : presets()) {
        const ExperimentConfig base = preset(p.name);
        configs.push_back(base);
        for (const ConfigChange& change : changesFor(base)) configs.push_back(*applyChange(base, change.id));
    }
    for (const std::string& id : allChangeIds()) {
        const bool offered =
            std::any_of(configs.begin(), configs.end(), [&](const ExperimentConfig& c) { return offers(c, id); });
        QVERIFY2(offered, id.c_str());
    }
}

QTEST_APPLESS_MAIN(TestConfigChange)
#include "tst_config_change.moc"
