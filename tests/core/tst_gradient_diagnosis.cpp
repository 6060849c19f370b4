// The diagnosis line's verdicts: the thresholds on hand-made statistics whose answer is
// known, the wording, and each verdict pinned on the lesson preset that teaches it.

#include <QtTest>

#include <cmath>
#include <string>

#include "core/analysis/gradient_diagnosis.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

/// A feed-forward config of `layers` hidden layers of width 10, and statistics whose
/// activation gradient falls by `factor` per layer towards the input (the readout last).
ExperimentConfig plainStack(int layers) {
    ExperimentConfig config;
    config.layers.assign(static_cast<std::size_t>(layers), LayerSpec{10, {}, {}, false});
    return config;
}

StepStats geometricStats(int layers, double factorPerLayer) {
    StepStats stats;
    stats.layers.resize(static_cast<std::size_t>(layers + 1));
    for (int i = 0; i < layers; ++i) {
        LayerStats& s = stats.layers[static_cast<std::size_t>(i)];
        s.activationGradNorm = std::pow(factorPerLayer, layers - 1 - i);
        s.saturation = 0.0;
        s.deadFraction = 0.0;
    }
    stats.layers.back().activationGradNorm = 123.0;  // the readout's dL/dlogits is not judged
    return stats;
}

MeanFieldPrediction noTheory() {
    MeanFieldPrediction theory;
    theory.available = false;
    return theory;
}

ExperimentConfig presetConfig(const char* name) {
    const Preset* preset = findPreset(name);
    if (!preset) qFatal("no preset %s", name);
    return parseExperiment(preset->json).config;
}

/// The verdict after `steps` updates of the preset (1: the gradients at initialisation).
GradientDiagnosis diagnosePreset(const char* name, int steps) {
    const ExperimentConfig config = presetConfig(name);
    auto trainer = Trainer::create(config);
    std::optional<StepStats> latest;
    for (int i = 0; i < steps && !trainer->divergence().diverged; ++i) latest = trainer->step();
    return diagnoseGradients(config, latest, trainer->divergence(), predictMeanField(config));
}

}  // namespace

class TestGradientDiagnosis : public QObject {
    Q_OBJECT

private slots:
    void thresholdsOnGeometricProfiles_data() {
        QTest::addColumn<int>("layers");
        QTest::addColumn<double>("factor");
        QTest::addColumn<int>("kind");
        // 11 layers: the spread is factor^10. The boundaries sit at one decade either way.
        QTest::newRow("flat") << 11 << 1.0 << int(DiagnosisKind::Healthy);
        QTest::newRow("just inside, shrinking") << 11 << std::pow(10.0, -0.099) << int(DiagnosisKind::Healthy);
        QTest::newRow("just outside, shrinking") << 11 << std::pow(10.0, -0.101) << int(DiagnosisKind::Vanishing);
        QTest::newRow("just inside, growing") << 11 << std::pow(10.0, 0.099) << int(DiagnosisKind::Healthy);
        QTest::newRow("just outside, growing") << 11 << std::pow(10.0, 0.101) << int(DiagnosisKind::Exploding);
        QTest::newRow("one layer") << 1 << 1.0 << int(DiagnosisKind::Shallow);
    }
    void thresholdsOnGeometricProfiles() {
        QFETCH(int, layers);
        QFETCH(double, factor);
        QFETCH(int, kind);
        const GradientDiagnosis d = diagnoseGradients(plainStack(layers), geometricStats(layers, factor), {}, noTheory());
        QCOMPARE(int(d.kind), kind);
        if (layers > 1) {
            QCOMPARE(d.units, layers);
            QVERIFY(std::abs(d.spread / std::pow(factor, layers - 1) - 1) < 1e-12);
            QVERIFY(std::abs(d.perUnitFactor / factor - 1) < 1e-12);
        }
    }

    void wordingCarriesTheNumbers() {
        MeanFieldPrediction theory;
        theory.chi1 = 0.0625;
        StepStats stats = geometricStats(20, 0.45);
        for (int i = 0; i < 14; ++i) stats.layers[static_cast<std::size_t>(i)].saturation = 0.8;
        const GradientDiagnosis d = diagnoseGradients(plainStack(20), stats, {}, theory);
        QCOMPARE(int(d.kind), int(DiagnosisKind::Vanishing));
        QCOMPARE(d.saturatedUnits, 14);
        // 0.45^19 = 2.5e-7: the nearest power of ten is 10^-7.
        QCOMPARE(QString::fromStdString(describeDiagnosis(d)),
                 QString("Vanishing: layer 1 receives 10^-7 of layer 20's dL/dh (x0.45 per layer towards the input); "
                         "chi_1 = 0.0625; 14 of 20 layers saturated"));
        QCOMPARE(QString::fromStdString(describeDiagnosis(d, DiagnosisDetail::Verdict)),
                 QString("Vanishing: layer 1 receives 10^-7 of layer 20's dL/dh (x0.45 per layer towards the input)"));
        QCOMPARE(QString::fromStdString(describeDiagnosis(d, DiagnosisDetail::Headline)),
                 QString("Vanishing: layer 1 receives 10^-7 of layer 20's dL/dh"));

        const GradientDiagnosis up = diagnoseGradients(plainStack(5), geometricStats(5, 2.5), {}, noTheory());
        QCOMPARE(QString::fromStdString(describeDiagnosis(up)),
                 QString("Exploding: dL/dh grows 2.5x per layer towards the input (layer 1 receives 39 times layer 5's)"));
        QCOMPARE(QString::fromStdString(describeDiagnosis(up, DiagnosisDetail::Headline)),
                 QString("Exploding: dL/dh grows 2.5x per layer towards the input"));
        const GradientDiagnosis flat = diagnoseGradients(plainStack(20), geometricStats(20, 1.0), {}, noTheory());
        QCOMPARE(QString::fromStdString(describeDiagnosis(flat)), QString("Healthy: dL/dh within 1x across 20 layers"));
        QCOMPARE(QString::fromStdString(describeDiagnosis(GradientDiagnosis{})), QString("No gradients yet: train a step to see a verdict"));
    }

    void onlySaturatingActivationsCountAsSaturated() {
        ExperimentConfig config = plainStack(4);
        config.layers[1].activation.kind = ActivationKind::Relu;
        config.layers[2].activation.kind = ActivationKind::Sigmoid;
        StepStats stats = geometricStats(4, 1.0);
        for (int i = 0; i < 4; ++i) stats.layers[static_cast<std::size_t>(i)].saturation = 0.5;
        QCOMPARE(diagnoseGradients(config, stats, {}, noTheory()).saturatedUnits, 3);
    }

    void deadUnitsAreCountedOverTheWholeStack() {
        // Widths 10 and 30: half of the 40 units dead when all of the wide layer's 2/3 are.
        ExperimentConfig config = plainStack(2);
        config.layers[1].width = 30;
        StepStats stats = geometricStats(2, 1.0);
        stats.layers[0].deadFraction = 0.0;
        stats.layers[1].deadFraction = 2.0 / 3.0;
        GradientDiagnosis d = diagnoseGradients(config, stats, {}, noTheory());
        QVERIFY(std::abs(d.deadFraction - 0.5) < 1e-12);
        QCOMPARE(int(d.kind), int(DiagnosisKind::Dead));
        QCOMPARE(QString::fromStdString(describeDiagnosis(d)), QString("Dead: 50% of the ReLUs never fire on this batch"));
        stats.layers[1].deadFraction = 0.6;  // 18 of 40: 45%
        d = diagnoseGradients(config, stats, {}, noTheory());
        QCOMPARE(int(d.kind), int(DiagnosisKind::Healthy));
    }

    void divergenceComesFirst() {
        DivergenceInfo divergence;
        divergence.diverged = true;
        divergence.step = 4;
        divergence.message = "diverged at step 5 in layer 3: loss is NaN";
        const GradientDiagnosis d = diagnoseGradients(plainStack(5), geometricStats(5, 1.0), divergence, noTheory());
        QCOMPARE(int(d.kind), int(DiagnosisKind::Diverged));
        QCOMPARE(QString::fromStdString(describeDiagnosis(d)), QString("Diverged at step 5 in layer 3: loss is NaN"));
    }

    void eachVerdictOnItsPreset_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("kind");
        QTest::newRow("vanishing") << "deep-sigmoid-vanishing" << 1 << int(DiagnosisKind::Vanishing);
        QTest::newRow("exploding") << "exploding-large-weights" << 1 << int(DiagnosisKind::Exploding);
        QTest::newRow("healthy") << "he-relu-healthy" << 1 << int(DiagnosisKind::Healthy);
        QTest::newRow("dead") << "dead-relu-negative-bias" << 1 << int(DiagnosisKind::Dead);
        QTest::newRow("diverged") << "exploding-large-weights" << 1000 << int(DiagnosisKind::Diverged);
        QTest::newRow("recurrent vanishing") << "rnn-adding-forgets" << 1 << int(DiagnosisKind::Vanishing);
    }
    void eachVerdictOnItsPreset() {
        QFETCH(QString, preset);
        QFETCH(int, steps);
        QFETCH(int, kind);
        const GradientDiagnosis d = diagnosePreset(qPrintable(preset), steps);
        qInfo("%s: %s", qPrintable(preset), describeDiagnosis(d).c_str());
        QCOMPARE(int(d.kind), kind);
    }
};

QTEST_APPLESS_MAIN(TestGradientDiagnosis)
#include "tst_gradient_diagnosis.moc"
