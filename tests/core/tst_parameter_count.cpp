// The parameter count shown to users: hand-counted literals for each layer kind (a batch
// or layer norm layer has a scale and a shift per unit and no bias), and agreement with the
// arrays the engine actually allocates for every preset.

#include <QtTest>

#include "core/config/parameter_count.h"
#include "core/data/random.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/model/feed_forward_net.h"
#include "core/model/recurrent_net.h"

using namespace gradflow::core;

namespace {

LayerSpec layer(int width, bool batchNorm) {
    LayerSpec spec;
    spec.width = width;
    spec.batchNorm = batchNorm;
    return spec;
}

ExperimentConfig recurrentConfig(CellKind cell, DataKind data, int hidden) {
    ExperimentConfig config;
    config.model = ModelKind::Recurrent;
    config.data.kind = data;
    config.recurrent.cell = cell;
    config.recurrent.hiddenSize = hidden;
    return config;
}

template <typename Net>
std::int64_t allocated(Net& net) {
    std::int64_t total = 0;
    for (const auto& block : net.parameterBlocks()) total += block.size;
    return total;
}

}  // namespace

class TestParameterCount : public QObject {
    Q_OBJECT

private slots:
    void denseLayerHasWeightsAndBiases();
    void batchNormLayerHasScaleAndShiftInsteadOfBias();
    void feedForwardStackAddsTheOutputLayer();
    void recurrentCellsCountEveryGate_data();
    void recurrentCellsCountEveryGate();
    void absurdSizesSaturate();
    void batchNormStackMatchesTheEngine();
    void layerNormLayerHasScaleAndShiftInsteadOfBias();
    void reZeroAddsOneScalePerResidualBlock();
    void matchesWhatTheEngineAllocates_data();
    void matchesWhatTheEngineAllocates();
};

void TestParameterCount::denseLayerHasWeightsAndBiases() {
    QCOMPARE(layerParameterCount(layer(5, false), 3), std::int64_t(3 * 5 + 5));  // 20
    QCOMPARE(layerParameterCount(layer(1, false), 1), std::int64_t(2));
}

void TestParameterCount::batchNormLayerHasScaleAndShiftInsteadOfBias() {
    QCOMPARE(layerParameterCount(layer(5, true), 4), std::int64_t(30));  // 4*5 weights + 5 gamma + 5 beta
    QCOMPARE(layerParameterCount(layer(64, true), 64), std::int64_t(4224));
}

void TestParameterCount::feedForwardStackAddsTheOutputLayer() {
    ExperimentConfig config;
    config.data.kind = DataKind::Spiral;  // 2 inputs
    config.data.classes = 3;              // 3 outputs
    config.layers = {layer(4, false), layer(5, true), layer(3, false)};
    // 2*4+4 = 12, 4*5+2*5 = 30, 5*3+3 = 18, output 3*3+3 = 12.
    QCOMPARE(parameterCount(config), std::int64_t(72));

    config.layers = {layer(4, true), layer(4, true)};
    // 2*4+8 = 16, 4*4+8 = 24, output 4*3+3 = 15.
    QCOMPARE(parameterCount(config), std::int64_t(55));
}

void TestParameterCount::recurrentCellsCountEveryGate_data() {
    QTest::addColumn<int>("cell");
    QTest::addColumn<int>("data");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<qint64>("expected");
    // Adding problem: 2 inputs, 1 output; readout 8*1+1 = 9.
    QTest::newRow("vanilla") << int(CellKind::Vanilla) << int(DataKind::Adding) << 8 << qint64(8 * 2 + 8 * 8 + 8 + 9);  // 97
    QTest::newRow("gru") << int(CellKind::Gru) << int(DataKind::Adding) << 8 << qint64(48 + 192 + 24 + 9);              // 273
    QTest::newRow("lstm") << int(CellKind::Lstm) << int(DataKind::Adding) << 8 << qint64(64 + 256 + 32 + 9);            // 361
    // Copy-first with 2 symbols (the default class count): 2 one-hot inputs, 2 outputs; readout 3*2+2 = 8.
    QTest::newRow("copy-first") << int(CellKind::Vanilla) << int(DataKind::CopyFirst) << 3 << qint64(6 + 9 + 3 + 8);  // 26
}

void TestParameterCount::recurrentCellsCountEveryGate() {
    QFETCH(int, cell);
    QFETCH(int, data);
    QFETCH(int, hidden);
    QFETCH(qint64, expected);
    const ExperimentConfig config = recurrentConfig(CellKind(cell), DataKind(data), hidden);
    QCOMPARE(qint64(parameterCount(config)), expected);
}

void TestParameterCount::absurdSizesSaturate() {
    ExperimentConfig config;
    config.layers.assign(100, layer(std::numeric_limits<int>::max(), true));
    QCOMPARE(parameterCount(config), std::numeric_limits<std::int64_t>::max());
    ExperimentConfig cell = recurrentConfig(CellKind::Lstm, DataKind::Adding, std::numeric_limits<int>::max());
    QCOMPARE(parameterCount(cell), std::numeric_limits<std::int64_t>::max());
}

void TestParameterCount::batchNormStackMatchesTheEngine() {
    ExperimentConfig config;
    config.data.classes = 3;
    config.layers = {layer(4, false), layer(5, true), layer(3, false)};
    Random rng(config.seed);
    FeedForwardNet<double> net(config, rng);
    QCOMPARE(allocated(net), std::int64_t(72));
    QCOMPARE(parameterCount(config), allocated(net));
}

void TestParameterCount::layerNormLayerHasScaleAndShiftInsteadOfBias() {
    LayerSpec normalised = layer(5, false);
    normalised.layerNorm = true;
    QCOMPARE(layerParameterCount(normalised, 4), std::int64_t(30));  // 4*5 weights + 5 gamma + 5 beta
    ExperimentConfig config;
    config.data.classes = 3;
    config.layers = {layer(4, false), normalised, layer(3, false)};
    Random rng(config.seed);
    FeedForwardNet<double> net(config, rng);
    QCOMPARE(parameterCount(config), std::int64_t(72));  // as with batch norm on layer 2
    QCOMPARE(allocated(net), std::int64_t(72));
}

void TestParameterCount::reZeroAddsOneScalePerResidualBlock() {
    ExperimentConfig config;
    config.data.classes = 3;
    config.layers.assign(6, layer(4, false));
    config.residual.every = 2;  // blocks: layers 2-3, 4-5 and the short 6
    // 2*4+4 = 12, five times 4*4+4 = 20, output 4*3+3 = 15: 127.
    QCOMPARE(parameterCount(config), std::int64_t(127));
    config.residual.branchScale = BranchScaleKind::InverseSqrtBlocks;  // fixed, not trained
    QCOMPARE(parameterCount(config), std::int64_t(127));
    config.residual.branchScale = BranchScaleKind::ReZero;
    QCOMPARE(config.residualBlocks(), 3);
    QCOMPARE(parameterCount(config), std::int64_t(130));
    Random rng(config.seed);
    FeedForwardNet<double> net(config, rng);
    QCOMPARE(allocated(net), std::int64_t(130));
}

void TestParameterCount::matchesWhatTheEngineAllocates_data() {
    QTest::addColumn<QByteArray>("json");
    for (const Preset& preset : presets())
        QTest::newRow(std::string(preset.name).c_str()) << QByteArray(preset.json.data(), qsizetype(preset.json.size()));
}

void TestParameterCount::matchesWhatTheEngineAllocates() {
    QFETCH(QByteArray, json);
    const ExperimentConfig config = parseExperiment(json.toStdString()).config;
    Random rng(config.seed);
    if (config.model == ModelKind::Recurrent) {
        RecurrentNet<double> net(config, rng);
        QCOMPARE(parameterCount(config), allocated(net));
    } else {
        FeedForwardNet<double> net(config, rng);
        QCOMPARE(parameterCount(config), allocated(net));
    }
}

QTEST_APPLESS_MAIN(TestParameterCount)
#include "tst_parameter_count.moc"
