// The worker's snapshots: expensive parts computed in slices while training (so no turn
// stalls the loop) must equal the same parts computed whole, a click on a layer must be
// answered by the very next snapshot, a forced build has everything at once, and its
// spectrum is the command line's. Core only: the builder needs no Qt.
#include <QtTest>

#include "core/analysis/jacobian_spectrum.h"
#include "core/analysis/snapshot_builder.h"
#include "core/analysis/trainer_spectrum.h"
#include "core/training/trainer.h"

using namespace gradflow;
using namespace gradflow::core;

namespace {

std::unique_ptr<core::Trainer> smallTrainer() {
    core::ExperimentConfig config;
    config.layers = std::vector<core::LayerSpec>(6, core::LayerSpec{});
    for (auto& l : config.layers) {
        l.width = 12;
        l.activation.kind = core::ActivationKind::Tanh;
    }
    return core::Trainer::create(config);
}

}  // namespace

class TestSnapshotBuilder : public QObject {
    Q_OBJECT
private slots:
    void gridInPiecesEqualsWhole();
    void slicedPartsEqualWholeParts();
    void clickAnsweredByNextSnapshot();
    void fullSnapshotSpectrumIsTheCommandLines();
};

void TestSnapshotBuilder::gridInPiecesEqualsWhole() {
    auto trainer = smallTrainer();
    QVERIFY(trainer);
    trainer->step();
    const PredictionGrid whole = computePredictionGrid(*trainer, 9, 7);
    PredictionGrid pieces = beginPredictionGrid(*trainer, 9, 7);
    QVERIFY(pieces.predictedClass.empty());
    int calls = 0;
    while (!advancePredictionGrid(*trainer, pieces, 2)) ++calls;
    QCOMPARE(calls, 3);  // rows 0-1, 2-3, 4-5 unfinished; 6 finishes
    QCOMPARE(pieces.predictedClass, whole.predictedClass);
    QCOMPARE(pieces.confidence, whole.confidence);
    QCOMPARE(pieces.xMax, whole.xMax);
    QCOMPARE(pieces.rows, whole.rows);
    QVERIFY(advancePredictionGrid(*trainer, pieces, 2));  // full: stays full
    QCOMPARE(pieces.confidence.size(), whole.confidence.size());
}

void TestSnapshotBuilder::slicedPartsEqualWholeParts() {
    auto trainer = smallTrainer();
    QVERIFY(trainer);
    const core::StepStats latest = trainer->step();
    // Slice 0: exactly one piece per turn (a probe, a unit, two grid rows).
    SnapshotBuilder builder(1.0, std::chrono::milliseconds(0), std::chrono::microseconds(0));
    builder.beginRun(*trainer, trainer->config(), 1);
    SnapshotBuilder::Inputs inputs;
    inputs.latest = &latest;
    inputs.running = true;
    AnalysisSnapshotPtr snap;
    int turnsWithSpectrum = 0;
    // No training between turns here, so the sliced results must equal the whole ones.
    QVERIFY(QTest::qWaitFor(
        [&] {
            snap = builder.build(*trainer, inputs);
            turnsWithSpectrum += snap->spectrum ? 1 : 0;
            return snap->spectrum && snap->prediction && !snap->unitSummaries.empty();
        },
        20000));
    const core::JacobianChain chain = trainer->jacobianChain(kSpectrumProbes);
    // The spectrum (8 probes) came first, then one unit summary per turn, then the grid,
    // two of its 64 rows per turn.
    QVERIFY2(turnsWithSpectrum >= chain.units() + kGridSize / 2, qPrintable(QString::number(turnsWithSpectrum)));
    const core::JacobianSpectrum whole = core::computeEndToEndSpectrum(chain);
    QVERIFY(snap->spectrum->available);
    QCOMPARE(snap->spectrum->log10SingularValues, whole.log10SingularValues);
    QCOMPARE(snap->spectrumStep, trainer->stepsDone());
    const std::vector<core::UnitSpectrum> summaries = core::computeUnitSummaries(chain);
    QCOMPARE(snap->unitSummaries.size(), summaries.size());
    for (std::size_t u = 0; u < summaries.size(); ++u)
        QCOMPARE(snap->unitSummaries[u].spectralRadius, summaries[u].spectralRadius);
    const PredictionGrid grid = computePredictionGrid(*trainer);
    QCOMPARE(snap->prediction->predictedClass, grid.predictedClass);
    QCOMPARE(snap->prediction->confidence, grid.confidence);
}

void TestSnapshotBuilder::clickAnsweredByNextSnapshot() {
    auto trainer = smallTrainer();
    QVERIFY(trainer);
    const core::StepStats latest = trainer->step();
    SnapshotBuilder builder(0.15, std::chrono::milliseconds(250));
    builder.beginRun(*trainer, trainer->config(), 1);
    SnapshotBuilder::Inputs inputs;
    inputs.latest = &latest;
    inputs.running = true;
    builder.build(*trainer, inputs);  // starts the first slice; the next is not due yet
    inputs.selectedUnit = 3;
    const AnalysisSnapshotPtr snap = builder.build(*trainer, inputs);
    QCOMPARE(snap->selectedUnit, 3);
    QVERIFY(snap->selectedUnitSpectrum.has_value());
    const core::JacobianChain chain = trainer->jacobianChain(1);
    const core::UnitSpectrum expected = core::computeUnitSpectrum(chain, 3 + 1 - chain.firstDepthUnit, 0);
    QCOMPARE(snap->selectedUnitSpectrum->singularValues, expected.singularValues);

    // Forced (paused): every part at once, for the current step.
    inputs.forceExpensive = true;
    inputs.running = false;
    const AnalysisSnapshotPtr full = builder.build(*trainer, inputs);
    QVERIFY(full->spectrum && full->prediction && !full->unitSummaries.empty());
    QVERIFY(full->selectedUnitSpectrum.has_value());
}

void TestSnapshotBuilder::fullSnapshotSpectrumIsTheCommandLines() {
    auto trainer = smallTrainer();
    QVERIFY(trainer);
    for (int k = 0; k < 3; ++k) trainer->step();
    const core::StepStats latest = trainer->step();
    const AnalysisSnapshotPtr snap = buildFullSnapshot(*trainer, &latest);
    const core::JacobianSpectrum csv = endToEndSpectrum(*trainer);  // what --spectrum writes
    QVERIFY(snap->spectrum && snap->spectrum->available && csv.available);
    QCOMPARE(int(csv.log10SingularValues.size()), kSpectrumProbes);
    QCOMPARE(snap->spectrum->log10SingularValues, csv.log10SingularValues);
    QCOMPARE(snap->spectrum->summary.meanLog10, csv.summary.meanLog10);
    QCOMPARE(snap->spectrumStep, trainer->stepsDone());
}

QTEST_MAIN(TestSnapshotBuilder)
#include "tst_snapshot_builder.moc"
