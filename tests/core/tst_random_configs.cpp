// Absurd settings on purpose: a fixed-seed sweep of small random experiments (every
// activation x every initializer, gains and learning rates log-uniform up to 100, every
// optimizer, batch norm / residual / clipping on and off, float32 and float64, plus
// recurrent nets of each cell type). Each must validate and then end cleanly: every step
// finished with finite statistics, or a clean "diverged" state whose earlier steps were
// all finite. A NaN or Inf in a step that is not flagged diverged would reach a plot's
// log axis as if it were a measurement.

#include <QtTest>

#include <cmath>
#include <string>

#include "core/config/experiment_validation.h"
#include "core/data/random.h"
#include "core/io/experiment_file.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

// Enough steps for lr = 100 or gain = 100 to blow up, few enough that ~450 runs take a
// couple of seconds under AddressSanitizer at -O1.
constexpr int kSteps = 40;
// Per activation x initializer: full ranges in float64 and in float32, then gains and
// learning rates from the top decade only (10 to 100), where runs blow up, in both.
constexpr int kVariantsPerPair = 4;
constexpr int kRecurrentVariantsPerCell = 8;
Precision variantPrecision(int variant) { return variant % 2 == 0 ? Precision::Float64 : Precision::Float32; }
double variantFloor(int variant, double fullRangeFloor) { return variant >= 2 ? 10.0 : fullRangeFloor; }

double logUniform(Random& rng, double lo, double hi) { return lo * std::pow(hi / lo, rng.uniform()); }
bool coin(Random& rng, double p = 0.5) { return rng.uniform() < p; }

template <typename Span>
auto pick(Random& rng, const Span& items) {
    return items[static_cast<std::size_t>(rng.below(static_cast<int>(std::size(items))))];
}

// A seed per row, so a failing row reproduces alone and adding rows never changes others.
std::uint64_t rowSeed(int a, int b, int c) { return 0x9e3779b97f4a7c15ULL * std::uint64_t(1 + a * 1000 + b * 10 + c); }

void randomiseTraining(Random& rng, ExperimentConfig& c, int variant) {
    constexpr OptimizerKind optimizers[] = {OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::RmsProp,
                                            OptimizerKind::Adam};
    constexpr ClipMode clips[] = {ClipMode::Off, ClipMode::Norm, ClipMode::Value};
    OptimizerSpec& o = c.training.optimizer;
    o.kind = pick(rng, optimizers);
    o.learningRate = logUniform(rng, variantFloor(variant, 1e-3), ExperimentLimits::maxLearningRate);
    o.nesterov = coin(rng);
    o.weightDecay = coin(rng, 0.2) ? rng.uniform(0.0, 1.0) : 0.0;
    c.training.clip.mode = pick(rng, clips);
    c.training.clip.threshold = logUniform(rng, 1e-3, 1e3);
    c.biasInit.value = coin(rng, 0.2) ? rng.uniform(-3.0, 3.0) : 0.0;
    c.biasInit.std = coin(rng, 0.2) ? rng.uniform(0.0, 3.0) : 0.0;
}

void randomiseInit(Random& rng, InitSpec& init, int variant) {
    init.gain = logUniform(rng, variantFloor(variant, 0.1), ExperimentLimits::maxGain);
    init.std = logUniform(rng, 1e-3, 10.0);
    init.limit = logUniform(rng, 1e-3, 10.0);
    init.value = coin(rng, 0.3) ? 0.0 : rng.uniform(-2.0, 2.0);
}

ExperimentConfig feedForwardConfig(ActivationKind activation, InitKind init, int variant) {
    constexpr DataKind sets[] = {DataKind::Spiral, DataKind::Circles, DataKind::Xor,
                                 DataKind::Moons,  DataKind::Blobs,   DataKind::Sine};
    Random rng(rowSeed(int(activation), int(init), variant));
    ExperimentConfig c;
    c.seed = rng.nextU64();
    c.precision = variantPrecision(variant);
    c.data.kind = pick(rng, sets);
    c.data.samples = 64;
    c.data.classes = 2 + rng.below(3);
    c.training.loss = dataKindInfo(c.data.kind).classification ? LossKind::CrossEntropy : LossKind::MeanSquaredError;
    c.training.batchSize = 1 + rng.below(32);

    const int depth = 1 + rng.below(8);
    const bool residual = depth > 2 && coin(rng, 0.3);
    const int sharedWidth = 2 + rng.below(11);
    c.layers.assign(depth, LayerSpec{});
    for (LayerSpec& layer : c.layers) {
        layer.width = residual ? sharedWidth : 2 + rng.below(11);  // skips need equal widths
        layer.activation.kind = activation;
        layer.activation.slope = rng.uniform(0.0, 1.0);
        layer.activation.alpha = logUniform(rng, 1e-2, 10.0);
        layer.init.kind = init;
        randomiseInit(rng, layer.init, variant);
        layer.batchNorm = coin(rng, 0.3);
    }
    c.residual.every = residual ? 1 + rng.below(3) : 0;
    randomiseTraining(rng, c, variant);
    return c;
}

ExperimentConfig recurrentConfig(CellKind cell, int variant) {
    constexpr DataKind tasks[] = {DataKind::Adding, DataKind::CopyFirst, DataKind::Parity};
    constexpr InitKind inits[] = {InitKind::XavierUniform, InitKind::Orthogonal, InitKind::Identity,
                                  InitKind::HeNormal,      InitKind::Normal,     InitKind::Constant};
    Random rng(rowSeed(100 + int(cell), 0, variant));
    ExperimentConfig c;
    c.model = ModelKind::Recurrent;
    c.seed = rng.nextU64();
    c.precision = variantPrecision(variant);
    c.data.kind = pick(rng, tasks);
    c.data.samples = 32;
    c.data.classes = 2 + rng.below(3);
    c.data.sequenceLength = 1 + rng.below(16);
    c.training.loss = dataKindInfo(c.data.kind).classification ? LossKind::CrossEntropy : LossKind::MeanSquaredError;
    c.training.batchSize = 1 + rng.below(16);
    RecurrentSpec& r = c.recurrent;
    r.cell = cell;
    r.hiddenSize = 1 + rng.below(10);
    r.activation.kind = coin(rng) ? ActivationKind::Tanh : ActivationKind::Relu;
    r.inputInit.kind = pick(rng, inits);
    r.recurrentInit.kind = pick(rng, inits);
    randomiseInit(rng, r.inputInit, variant);
    randomiseInit(rng, r.recurrentInit, variant);
    r.forgetBias = rng.uniform(-5.0, 5.0);
    randomiseTraining(rng, c, variant);
    return c;
}

bool finite(double v) { return std::isfinite(v); }
// Saturation and gate statistics are fractions, or "not applicable" (NaN) for a depth unit
// that has none (the output layer, non-gated cells).
bool fractionOrNotApplicable(double v) { return std::isnan(v) || (v >= 0.0 && v <= 1.0); }

// What a step that is not flagged diverged must report: every measurement finite.
QString cleanStepProblem(const StepStats& s, const StepStats& first, int depthUnits, bool classification) {
    if (!finite(s.loss)) return "loss " + QString::number(s.loss);
    if (!finite(s.gradNorm) || !finite(s.gradNormClipped)) return "global gradient norm not finite";
    if (classification ? !(s.accuracy >= 0 && s.accuracy <= 1) : !std::isnan(s.accuracy)) return "accuracy";
    if (int(s.layers.size()) != depthUnits) return "wrong number of depth units";
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const LayerStats& l = s.layers[i];
        const QString unit = QString(" in depth unit %1").arg(i + 1);
        if (!finite(l.weightGradNorm) || !finite(l.biasGradNorm) || !finite(l.activationGradNorm))
            return "gradient norm not finite" + unit;
        if (!finite(l.weightNorm) || !finite(l.activationMean) || !finite(l.activationStd))
            return "weight norm or activation statistic not finite" + unit;
        // The one documented exception: a ratio to an all-zero weight matrix (constant-0
        // initialisation) is "not applicable", never Inf.
        const bool ratioApplies = l.weightNorm > 0;
        if (ratioApplies ? !finite(l.updateRatio) : !std::isnan(l.updateRatio))
            return QString("update ratio %1 (weight norm %2)").arg(l.updateRatio).arg(l.weightNorm) + unit;
        if (!fractionOrNotApplicable(l.saturation) || !fractionOrNotApplicable(l.gateMean) ||
            !fractionOrNotApplicable(l.gateSaturation))
            return "saturation or gate statistic outside [0, 1]" + unit;
        // A statistic that applies to a unit applies at every step: a NaN appearing later
        // is a measurement that failed, not "not applicable".
        const LayerStats& f = first.layers[i];
        if (std::isnan(l.saturation) != std::isnan(f.saturation) || std::isnan(l.gateMean) != std::isnan(f.gateMean) ||
            std::isnan(l.gateSaturation) != std::isnan(f.gateSaturation))
            return "a fraction statistic turned NaN" + unit;
    }
    return {};
}

// Empty if the run ended cleanly; otherwise what went wrong and the experiment file that
// reproduces it.
QString runProblem(const ExperimentConfig& config) {
    const std::vector<ConfigIssue> issues = validateExperiment(config);
    if (!issues.empty()) return "invalid config: " + QString::fromStdString(issues.front().text());
    QString problem;
    try {
        auto trainer = Trainer::create(config);
        const bool classification = config.isClassification();
        StepStats first;
        for (int i = 0; i < kSteps && problem.isEmpty(); ++i) {
            const StepStats& s = trainer->step();
            if (s.step != i) problem = "step index";
            else if (s.diverged) {
                const DivergenceInfo& d = trainer->divergence();
                // The message names the step number: update i + 1 broke.
                const std::string prefix = "diverged at step " + std::to_string(i + 1) + " in ";
                if (!d.diverged || d.step != i || d.layer < 1 || d.layer > trainer->depthUnits() ||
                    d.message.rfind(prefix, 0) != 0)
                    problem = "divergence info: " + QString::fromStdString(d.message);
                else if (trainer->step().step != i || trainer->stepsDone() != i + 1) problem = "a diverged trainer kept stepping";
                break;
            } else if (trainer->divergence().diverged) {
                problem = "divergence recorded but the step is not flagged";
            } else {
                if (i == 0) first = s;
                problem = cleanStepProblem(s, first, trainer->depthUnits(), classification);
                if (!problem.isEmpty()) problem = QString("step %1: ").arg(i) + problem;
            }
        }
    } catch (const std::exception& e) {
        problem = QString("exception: ") + e.what();
    }
    if (problem.isEmpty()) return {};
    return problem + "\n" + QString::fromStdString(serializeExperiment(config));
}

}  // namespace

class TestRandomConfigs : public QObject {
    Q_OBJECT
private slots:
    void feedForward_data() {
        QTest::addColumn<int>("activation");
        QTest::addColumn<int>("init");
        QTest::addColumn<int>("variant");
        for (const ActivationInfo& a : activationRegistry())
            for (const InitializerInfo& i : initializerRegistry())
                for (int v = 0; v < kVariantsPerPair; ++v)
                    QTest::addRow("%s/%s/%d", a.name.data(), i.name.data(), v) << int(a.kind) << int(i.kind) << v;
    }
    void feedForward() {
        QFETCH(int, activation);
        QFETCH(int, init);
        QFETCH(int, variant);
        const QString problem = runProblem(feedForwardConfig(ActivationKind(activation), InitKind(init), variant));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void recurrent_data() {
        QTest::addColumn<int>("cell");
        QTest::addColumn<int>("variant");
        constexpr std::pair<CellKind, const char*> cells[] = {
            {CellKind::Vanilla, "vanilla"}, {CellKind::Lstm, "lstm"}, {CellKind::Gru, "gru"}};
        for (const auto& [cell, name] : cells)
            for (int v = 0; v < kRecurrentVariantsPerCell; ++v) QTest::addRow("%s/%d", name, v) << int(cell) << v;
    }
    void recurrent() {
        QFETCH(int, cell);
        QFETCH(int, variant);
        const QString problem = runProblem(recurrentConfig(CellKind(cell), variant));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // The sweep must exercise both endings, or it proves less than it claims.
    void sweepReachesBothEndings() {
        int diverged = 0, finished = 0;
        for (const ActivationInfo& a : activationRegistry())
            for (const InitializerInfo& i : initializerRegistry())
                for (int v = 0; v < kVariantsPerPair; ++v) {
                    auto trainer = Trainer::create(feedForwardConfig(a.kind, i.kind, v));
                    for (int s = 0; s < kSteps && !trainer->divergence().diverged; ++s) trainer->step();
                    ++(trainer->divergence().diverged ? diverged : finished);
                }
        qInfo("%d of %d runs diverged", diverged, diverged + finished);
        QVERIFY2(diverged >= 10 && finished >= 10, qPrintable(QString("%1 diverged, %2 finished").arg(diverged).arg(finished)));
    }
};

QTEST_APPLESS_MAIN(TestRandomConfigs)
#include "tst_random_configs.moc"
