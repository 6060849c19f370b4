// What recurrent nets are in GradFlow to show: a vanilla tanh RNN forgets (its gradient
// vanishes geometrically in time), an LSTM with forget bias 1 remembers far longer, a relu
// RNN with a large recurrent spectral radius explodes and clipping bounds its update, and
// runs are deterministic, and an LSTM learns the adding problem where a vanilla RNN stays at
// the baseline (float32, about 1.5 s in a Release build; skipped in unoptimised builds,
// where `bench_recurrent --learn` shows the same comparison).

#include <QtTest>

#include <cmath>

#include "core/model/recurrent_cell.h"
#include "core/training/trainer.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

Q_DECLARE_METATYPE(CellKind)

namespace {

ExperimentConfig recurrentConfig(CellKind cell, int steps) {
    ExperimentConfig c;
    c.seed = 11;
    c.model = ModelKind::Recurrent;
    c.data.kind = DataKind::Adding;
    c.data.samples = 64;
    c.data.sequenceLength = steps;
    c.training.loss = LossKind::MeanSquaredError;
    c.training.batchSize = 32;
    c.training.optimizer.learningRate = 0.01;
    c.recurrent.cell = cell;
    c.recurrent.hiddenSize = 32;
    c.recurrent.inputInit = {InitKind::XavierUniform, 1.0};
    c.recurrent.recurrentInit = {InitKind::Orthogonal, 1.0};
    return c;
}

/// ||dL/dh_T|| / ||dL/dh_1|| of the first step (the gradients at initialisation).
double decayRatio(const StepStats& s) { return s.layers.back().activationGradNorm / s.layers.front().activationGradNorm; }

double frobeniusDistance(const std::vector<Eigen::MatrixXd>& a, const std::vector<Eigen::MatrixXd>& b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]).squaredNorm();
    return std::sqrt(sum);
}

}  // namespace

class TestRecurrentDynamics : public QObject {
    Q_OBJECT
private slots:
    void vanillaTanhVanishesGeometrically() {
        ExperimentConfig c = recurrentConfig(CellKind::Vanilla, 100);
        c.recurrent.recurrentInit.gain = 0.5;  // spectral radius 0.5: contraction at every step
        auto trainer = Trainer::create(c);
        const StepStats& s = trainer->step();
        QCOMPARE(int(s.layers.size()), 100);
        QCOMPARE(trainer->depthUnitName(), std::string("time step"));
        const double ratio = decayRatio(s);
        QVERIFY2(ratio > 1e6, qPrintable(QString::number(ratio)));
        // Geometric: both halves of the sequence lose many decades, not just the last steps.
        const double late = s.layers[99].activationGradNorm / s.layers[50].activationGradNorm;
        const double early = s.layers[49].activationGradNorm / s.layers[0].activationGradNorm;
        QVERIFY2(late > 1e3 && early > 1e3, qPrintable(QString("%1 %2").arg(late).arg(early)));
        for (int t = 1; t < 100; ++t) QVERIFY(s.layers[t].activationGradNorm > s.layers[t - 1].activationGradNorm);
    }

    void lstmDecaysFarLess() {
        ExperimentConfig vanilla = recurrentConfig(CellKind::Vanilla, 100);
        vanilla.recurrent.recurrentInit.gain = 0.5;
        ExperimentConfig lstm = vanilla;
        lstm.recurrent.cell = CellKind::Lstm;
        lstm.recurrent.forgetBias = 1.0;
        auto v = Trainer::create(vanilla);
        auto l = Trainer::create(lstm);
        const double vanillaDecades = std::log10(decayRatio(v->step()));
        const StepStats& ls = l->step();
        const double lstmDecades = std::log10(decayRatio(ls));
        QVERIFY2(lstmDecades < 0.5 * vanillaDecades,
                 qPrintable(QString("lstm %1 vs vanilla %2 decades").arg(lstmDecades).arg(vanillaDecades)));
        // Forget gate starts near sigmoid(1) = 0.73 and is reported per step.
        QVERIFY(ls.layers[10].gateMean > 0.6 && ls.layers[10].gateMean < 0.85);
        QVERIFY(std::isnan(v->step().layers[10].gateMean));
    }

    void reluExplodesAndClippingBoundsTheUpdate() {
        ExperimentConfig c = recurrentConfig(CellKind::Vanilla, 30);
        c.recurrent.activation.kind = ActivationKind::Relu;
        c.recurrent.recurrentInit = {InitKind::Identity, 1.5};  // spectral radius 1.5
        c.training.optimizer.learningRate = 0.01;
        c.training.clip = {ClipMode::Norm, 1.0};
        auto trainer = Trainer::create(c);
        const auto before = trainer->weightMatrices();
        const StepStats& s = trainer->step();
        QVERIFY2(s.layers.front().activationGradNorm > 1e3 * s.layers.back().activationGradNorm,
                 qPrintable(QString::number(decayRatio(s))));
        QVERIFY(s.clipped);
        QVERIFY(s.gradNorm > 100.0);
        QVERIFY(std::abs(s.gradNormClipped - 1.0) < 1e-9);
        // SGD: the whole update is lr * (clipped gradient), so W_h's part is at most lr * threshold.
        const double update = frobeniusDistance(before, trainer->weightMatrices());
        QVERIFY2(update <= 0.01 * 1.0 * (1 + 1e-9), qPrintable(QString::number(update)));
        QVERIFY(std::abs(s.layers[5].updateRatio * s.layers[5].weightNorm - update) < 1e-9);

        c.training.clip.mode = ClipMode::Off;
        auto unclipped = Trainer::create(c);
        const auto start = unclipped->weightMatrices();
        unclipped->step();
        QVERIFY(frobeniusDistance(start, unclipped->weightMatrices()) > 100 * update);
    }

    // Adding problem, T = 50: answering 1 always gives the baseline MSE 2/12 = 0.167 (the
    // variance of the sum); a net that only uses the recent marked number gets 1/12.
    void lstmLearnsAddingWhereVanillaCannot() {
#ifndef NDEBUG
        QSKIP("needs an optimised build; run tests/bench/bench_recurrent --learn instead");
#endif
        ExperimentConfig c = recurrentConfig(CellKind::Lstm, 50);
        c.seed = 7;
        c.precision = Precision::Float32;
        c.data.samples = 4096;
        c.training.optimizer.kind = OptimizerKind::Adam;
        c.training.optimizer.learningRate = 0.005;
        c.training.clip = {ClipMode::Norm, 1.0};
        c.recurrent.recurrentInit = {InitKind::Orthogonal, 1.0};
        const auto finalLoss = [](const ExperimentConfig& config) {
            auto trainer = Trainer::create(config);
            double sum = 0.0;
            for (int k = 0; k < 720; ++k) {
                const double loss = trainer->step().loss;
                if (k >= 640) sum += loss;
            }
            return sum / 80;
        };
        const double lstm = finalLoss(c);
        c.recurrent.cell = CellKind::Vanilla;
        const double vanilla = finalLoss(c);
        QVERIFY2(lstm < 0.02, qPrintable(QString("lstm %1").arg(lstm)));
        QVERIFY2(vanilla > 0.12, qPrintable(QString("vanilla %1").arg(vanilla)));
    }

    void divergenceNamesTheTimeStep() {
        ExperimentConfig c = recurrentConfig(CellKind::Vanilla, 200);
        c.precision = Precision::Float32;
        c.recurrent.activation.kind = ActivationKind::Relu;
        c.recurrent.recurrentInit = {InitKind::Identity, 2.0};  // 2^200 overflows float
        auto trainer = Trainer::create(c);
        const StepStats& s = trainer->step();
        QVERIFY(s.diverged);
        const DivergenceInfo& d = trainer->divergence();
        QVERIFY(d.layer >= 1 && d.layer <= 200);
        QVERIFY2(d.message.find("in time step") != std::string::npos, d.message.c_str());
        QCOMPARE(trainer->step().step, s.step);  // stays put after divergence
    }

    void deterministic_data() {
        QTest::addColumn<CellKind>("cell");
        QTest::addColumn<bool>("float32");
        for (const auto& [name, cell] :
             {std::pair{"vanilla", CellKind::Vanilla}, std::pair{"lstm", CellKind::Lstm}, std::pair{"gru", CellKind::Gru}})
            for (bool f : {false, true}) QTest::newRow((std::string(name) + (f ? "-f32" : "-f64")).c_str()) << cell << f;
    }
    void deterministic() {
        QFETCH(CellKind, cell);
        QFETCH(bool, float32);
        ExperimentConfig c = recurrentConfig(cell, 20);
        c.precision = float32 ? Precision::Float32 : Precision::Float64;
        c.training.optimizer.kind = OptimizerKind::Adam;
        auto a = Trainer::create(c);
        auto b = Trainer::create(c);
        for (int k = 0; k < 5; ++k) {
            const StepStats x = a->step();
            const StepStats& y = b->step();
            GRADFLOW_COMPARE_BITS(x.loss, y.loss);
            GRADFLOW_COMPARE_BITS(x.gradNorm, y.gradNorm);
            QCOMPARE(x.layers.size(), y.layers.size());
            for (std::size_t t = 0; t < x.layers.size(); ++t) {
                const LayerStats &p = x.layers[t], &q = y.layers[t];
                for (auto field :
                     {&LayerStats::weightGradNorm, &LayerStats::biasGradNorm, &LayerStats::activationGradNorm,
                      &LayerStats::weightNorm, &LayerStats::updateRatio, &LayerStats::activationMean, &LayerStats::activationStd,
                      &LayerStats::saturation, &LayerStats::gateMean, &LayerStats::gateSaturation})
                    GRADFLOW_COMPARE_BITS(p.*field, q.*field);
            }
        }
    }

    // Step 1's W_h term is zero (h_0 = 0); every other per-step statistic is a number.
    void statisticsAreComplete_data() {
        QTest::addColumn<CellKind>("cell");
        QTest::newRow("vanilla") << CellKind::Vanilla;
        QTest::newRow("lstm") << CellKind::Lstm;
        QTest::newRow("gru") << CellKind::Gru;
    }
    void statisticsAreComplete() {
        QFETCH(CellKind, cell);
        auto trainer = Trainer::create(recurrentConfig(cell, 12));
        const StepStats& s = trainer->step();
        QCOMPARE(trainer->depthUnits(), 12);
        GRADFLOW_COMPARE_BITS(s.layers.front().weightGradNorm, 0.0);
        for (const LayerStats& l : s.layers) {
            for (double v : {l.biasGradNorm, l.activationGradNorm, l.weightNorm, l.updateRatio, l.activationMean, l.activationStd,
                             l.saturation})
                QVERIFY(std::isfinite(v));
            QCOMPARE(std::isfinite(l.gateMean), cell != CellKind::Vanilla);
        }
        QVERIFY(s.layers[5].weightGradNorm > 0);
        const auto weights = trainer->weightMatrices();
        QCOMPARE(int(weights.size()), cell == CellKind::Lstm ? 4 : cell == CellKind::Gru ? 3 : 1);
        QCOMPARE(int(weights.front().rows()), 32);
        QCOMPARE(int(weights.front().cols()), 32);
        const Eigen::MatrixXd out = trainer->predict(trainer->dataset().inputs);
        QCOMPARE(int(out.rows()), 1);
        QCOMPARE(int(out.cols()), 64);
    }

    // A big LSTM keeps its Jacobian snapshot within the budget: fewer probes, then the last steps.
    void jacobianChainIsBounded() {
        ExperimentConfig c = recurrentConfig(CellKind::Lstm, 500);
        c.recurrent.hiddenSize = 256;
        c.data.samples = 8;
        c.training.batchSize = 8;
        auto trainer = Trainer::create(c);
        const JacobianChain chain = trainer->jacobianChain(8);
        QCOMPARE(chain.probes, 1);
        const double bytes = double(chain.units()) * chain.probes * 512.0 * 512.0 * 8.0;
        QVERIFY(bytes <= kJacobianChainBudgetBytes);
        QVERIFY(chain.units() >= 32);
        QCOMPARE(chain.firstDepthUnit, 500 - chain.units() + 1);

        // A small one keeps everything.
        auto small = Trainer::create(recurrentConfig(CellKind::Gru, 40));
        const JacobianChain full = small->jacobianChain(8);
        QCOMPARE(full.probes, 8);
        QCOMPARE(full.units(), 39);
        QCOMPARE(full.firstDepthUnit, 2);
    }
};

QTEST_APPLESS_MAIN(TestRecurrentDynamics)
#include "tst_recurrent_dynamics.moc"
