// Per-layer distributions read from the trainer during a step: counts add up to the number
// of values each layer has, the bins chosen at step 0 stay put, the values are the nets'
// own (activations are phi of the pre-activations read beside them), looking changes no
// number of the run, the band history stays bounded, and a recurrent net says which
// quantities it has no per-time-step values of.
#include <QtTest>
#include <cmath>
#include <numeric>

#include "core/analysis/layer_distributions.h"
#include "core/model/activation.h"
#include "core/training/trainer.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

namespace {

constexpr int kWidth = 12;
constexpr int kBatch = 16;

ExperimentConfig feedForward(ActivationKind activation = ActivationKind::Tanh, int residualEvery = 0) {
    ExperimentConfig c;
    c.seed = 5;
    c.data.samples = 128;
    c.training.batchSize = kBatch;
    c.layers = std::vector<LayerSpec>(5, LayerSpec{});
    for (LayerSpec& l : c.layers) {
        l.width = kWidth;
        l.activation.kind = activation;
    }
    c.residual.every = residualEvery;
    return c;
}

ExperimentConfig recurrent(CellKind cell) {
    ExperimentConfig c;
    c.seed = 11;
    c.model = ModelKind::Recurrent;
    c.data.kind = DataKind::Adding;
    c.data.samples = 64;
    c.data.sequenceLength = 6;
    c.training.loss = LossKind::MeanSquaredError;
    c.training.batchSize = kBatch;
    c.recurrent.cell = cell;
    c.recurrent.hiddenSize = 8;
    return c;
}

std::int64_t total(const std::vector<std::int64_t>& counts) {
    return std::accumulate(counts.begin(), counts.end(), std::int64_t(0));
}

/// Collects at every step.
LayerDistributionsPtr train(Trainer& trainer, DistributionCollector& collector, int steps) {
    trainer.setStepInspector([&](std::int64_t step, const LayerValues& values) { collector.collect(step, values); });
    for (int i = 0; i < steps; ++i) trainer.step();
    trainer.setStepInspector({});
    return collector.latest();
}

}  // namespace

class TestLayerDistributions : public QObject {
    Q_OBJECT
private slots:
    void countsAddUpToEachLayersValues();
    void binsChosenAtStepZeroStayFixed();
    void valuesAreTheNetsOwn();
    void lookingChangesNoNumber();
    void historyStaysBounded();
    void recurrentNetsSayWhatTheyLack();
    void saturationZonesFollowTheActivation();
};

void TestLayerDistributions::countsAddUpToEachLayersValues() {
    const ExperimentConfig config = feedForward();
    auto trainer = Trainer::create(config);
    DistributionCollector collector;
    const LayerDistributionsPtr d = train(*trainer, collector, 3);
    QVERIFY(d && d->current);
    QCOMPARE(d->current->step, std::int64_t(2));
    QCOMPARE(d->depthUnits, 6);
    const int inputs = config.inputDimension(), outputs = config.outputDimension();
    for (int unit = 1; unit <= d->depthUnits; ++unit) {
        const bool output = unit == d->depthUnits;
        const int width = output ? outputs : kWidth;
        const int fanIn = unit == 1 ? inputs : kWidth;
        const std::int64_t expected[] = {width * kBatch, width * kBatch, width * fanIn, width * fanIn, width * kBatch};
        for (LayerQuantity q : kLayerQuantities) {
            const UnitHistogram* h = d->histogram(d->current.get(), q, unit);
            if (output && q == LayerQuantity::Activation) {
                QVERIFY(h == nullptr);
                QVERIFY(!d->missingReason(q, unit).empty());
                continue;
            }
            QVERIFY2(h, qPrintable(QStringLiteral("unit %1 %2").arg(unit).arg(layerQuantityName(q).data())));
            QCOMPARE(h->values, expected[quantityIndex(q)]);
            QCOMPARE(total(h->counts), h->values);
            QCOMPARE(int(h->counts.size()), d->bins[quantityIndex(q)].totalBins());
            QCOMPARE(h->band.numbers, h->values);
            QVERIFY(d->missingReason(q, unit).empty());
        }
    }
}

void TestLayerDistributions::binsChosenAtStepZeroStayFixed() {
    const ExperimentConfig config = feedForward(ActivationKind::Relu);
    auto trainer = Trainer::create(config);
    DistributionCollector collector;
    const LayerDistributionsPtr first = train(*trainer, collector, 1);
    std::array<HistogramBins, kQuantityCount> bins = first->bins;
    const LayerDistributionsPtr later = train(*trainer, collector, 40);
    QCOMPARE(later->current->step, std::int64_t(40));
    QCOMPARE(later->initial->step, std::int64_t(0));
    QCOMPARE(later->initial, first->initial);  // the same values, shared
    for (std::size_t q = 0; q < kQuantityCount; ++q) {
        QCOMPARE(later->bins[q].lo, bins[q].lo);
        QCOMPARE(later->bins[q].hi, bins[q].hi);
        QCOMPARE(later->bins[q].count, bins[q].count);
        QCOMPARE(int(later->bins[q].scale), int(bins[q].scale));
    }
    QVERIFY(later->bins[quantityIndex(LayerQuantity::WeightGrad)].logarithmic());
    QVERIFY(later->bins[quantityIndex(LayerQuantity::ActivationGrad)].logarithmic());
    QVERIFY(!later->bins[quantityIndex(LayerQuantity::Weight)].logarithmic());
    // ReLU: exactly 0 is a dead unit's gradient, counted in the zero bin.
    const UnitHistogram* grads = later->histogram(later->current.get(), LayerQuantity::ActivationGrad, 1);
    QVERIFY(grads);
    QCOMPARE(total(grads->counts), grads->values);
}

void TestLayerDistributions::valuesAreTheNetsOwn() {
    // Read after backpropagation: the pre-activations must still be there, and the
    // activations phi of them (no residual skip here).
    const ExperimentConfig config = feedForward(ActivationKind::Tanh);
    auto trainer = Trainer::create(config);
    int checked = 0;
    std::vector<double> y, h, w;
    trainer->setStepInspector([&](std::int64_t, const LayerValues& values) {
        for (int unit = 1; unit < values.depthUnits(); ++unit) {
            values.copy(LayerQuantity::Preactivation, unit, y);
            values.copy(LayerQuantity::Activation, unit, h);
            QCOMPARE(y.size(), h.size());
            for (std::size_t i = 0; i < y.size(); ++i) QVERIFY(std::abs(h[i] - std::tanh(y[i])) <= 1e-12);
            ++checked;
        }
    });
    trainer->step();
    trainer->setStepInspector({});
    QCOMPARE(checked, 5);
    // The weights seen are those the step's gradients were computed with, before its
    // update: the weights a fresh trainer of the same seed starts from.
    auto fresh = Trainer::create(config);
    const Eigen::MatrixXd initial = fresh->weightMatrices().front();
    trainer = Trainer::create(config);
    trainer->setStepInspector([&](std::int64_t, const LayerValues& values) { values.copy(LayerQuantity::Weight, 1, w); });
    trainer->step();
    QCOMPARE(w.size(), std::size_t(initial.size()));
    for (Eigen::Index i = 0; i < initial.size(); ++i) GRADFLOW_COMPARE_BITS(w[std::size_t(i)], initial.data()[i]);
}

void TestLayerDistributions::lookingChangesNoNumber() {
    for (const ExperimentConfig& config : {feedForward(ActivationKind::Sigmoid, 2), recurrent(CellKind::Vanilla)}) {
        auto plain = Trainer::create(config);
        auto watched = Trainer::create(config);
        DistributionCollector collector;
        watched->setStepInspector([&](std::int64_t step, const LayerValues& values) { collector.collect(step, values); });
        for (int i = 0; i < 8; ++i) {
            const StepStats a = plain->step();
            const StepStats b = watched->step();
            GRADFLOW_COMPARE_BITS(b.loss, a.loss);
            GRADFLOW_COMPARE_BITS(b.gradNorm, a.gradNorm);
            for (std::size_t l = 0; l < a.layers.size(); ++l) {
                GRADFLOW_COMPARE_BITS(b.layers[l].weightGradNorm, a.layers[l].weightGradNorm);
                GRADFLOW_COMPARE_BITS(b.layers[l].activationGradNorm, a.layers[l].activationGradNorm);
            }
        }
        const auto wa = plain->weightMatrices(), wb = watched->weightMatrices();
        for (std::size_t i = 0; i < wa.size(); ++i) QVERIFY(wa[i] == wb[i]);
    }
}

void TestLayerDistributions::historyStaysBounded() {
    const ExperimentConfig config = feedForward();
    auto trainer = Trainer::create(config);
    DistributionCollector collector(8);
    const LayerDistributionsPtr d = train(*trainer, collector, 100);
    QVERIFY(d->history.size() <= 8);
    QVERIFY(d->history.size() >= 4);
    QCOMPARE(d->history.front()->step, std::int64_t(0));
    for (std::size_t i = 1; i < d->history.size(); ++i) QVERIFY(d->history[i]->step > d->history[i - 1]->step);
    // Thinned evenly: gaps grow by doubling, not by dropping the recent past.
    QVERIFY(d->history.back()->step >= 80);
    // Each kept band is the one computed at its step.
    const UnitHistogram* now = d->histogram(d->current.get(), LayerQuantity::Weight, 2);
    if (d->history.back()->step == d->current->step)
        QCOMPARE(d->history.back()->bands[quantityIndex(LayerQuantity::Weight)][1].values, now->band.values);
}

void TestLayerDistributions::recurrentNetsSayWhatTheyLack() {
    for (CellKind cell : {CellKind::Vanilla, CellKind::Lstm, CellKind::Gru}) {
        const ExperimentConfig config = recurrent(cell);
        auto trainer = Trainer::create(config);
        DistributionCollector collector;
        const LayerDistributionsPtr d = train(*trainer, collector, 2);
        QCOMPARE(d->depthUnits, 6);
        for (int t = 1; t <= 6; ++t) {
            for (LayerQuantity q : {LayerQuantity::Weight, LayerQuantity::WeightGrad}) {
                QVERIFY(d->histogram(d->current.get(), q, t) == nullptr);
                QVERIFY(d->missingReason(q, t).find("every time step") != std::string::npos);
            }
            for (LayerQuantity q : {LayerQuantity::Activation, LayerQuantity::ActivationGrad}) {
                const UnitHistogram* h = d->histogram(d->current.get(), q, t);
                QVERIFY(h);
                QCOMPARE(h->values, std::int64_t(8 * kBatch));
                QCOMPARE(total(h->counts), h->values);
            }
            const UnitHistogram* pre = d->histogram(d->current.get(), LayerQuantity::Preactivation, t);
            QCOMPARE(pre != nullptr, cell == CellKind::Vanilla);
            if (cell != CellKind::Vanilla)
                QVERIFY(d->missingReason(LayerQuantity::Preactivation, t).find("gate") != std::string::npos);
        }
    }
}

void TestLayerDistributions::saturationZonesFollowTheActivation() {
    // tanh saturates where 1 - tanh^2 < 0.05, |y| > atanh(sqrt(0.95)).
    const double edge = std::atanh(std::sqrt(0.95));
    const auto tanhZones = saturatedPreactivations({ActivationKind::Tanh}, -5.0, 5.0);
    QCOMPARE(tanhZones.size(), std::size_t(2));
    QCOMPARE(tanhZones[0].lo, -5.0);
    QVERIFY(std::abs(tanhZones[0].hi + edge) < 1e-9);
    QVERIFY(std::abs(tanhZones[1].lo - edge) < 1e-9);
    QCOMPARE(tanhZones[1].hi, 5.0);
    // ReLU: every negative pre-activation is dead, and its output is exactly 0.
    const auto relu = saturatedActivations({ActivationKind::Relu}, -1.0, 3.0);
    QCOMPARE(relu.size(), std::size_t(1));
    QCOMPARE(relu[0].lo, 0.0);
    QCOMPARE(relu[0].hi, 0.0);
    QVERIFY(saturatedPreactivations({ActivationKind::Linear}, -5.0, 5.0).empty());

    // In a net: every hidden layer's pre-activation axis shows both tanh thresholds; a
    // layer after a residual skip gets no zones on its outputs, the output layer none.
    const ExperimentConfig config = feedForward(ActivationKind::Tanh, 2);
    auto trainer = Trainer::create(config);
    DistributionCollector collector;
    const LayerDistributionsPtr d = train(*trainer, collector, 1);
    const HistogramBins& pre = d->bins[quantityIndex(LayerQuantity::Preactivation)];
    QVERIFY(pre.lo < -edge && pre.hi > edge);
    const auto& preZones = d->saturationZones[quantityIndex(LayerQuantity::Preactivation)];
    const auto& outZones = d->saturationZones[quantityIndex(LayerQuantity::Activation)];
    for (int unit = 1; unit <= 5; ++unit) QCOMPARE(preZones[std::size_t(unit - 1)].size(), std::size_t(2));
    QVERIFY(!outZones[0].empty());  // layer 1: no skip
    QVERIFY(outZones[2].empty());   // layer 3 ends the group [2, 3]: h = tanh(y) + h_1
    QVERIFY(preZones[5].empty());   // the output layer
}

QTEST_APPLESS_MAIN(TestLayerDistributions)
#include "tst_layer_distributions.moc"
