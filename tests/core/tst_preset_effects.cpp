// Every lesson preset, run headless, shows the effect its lesson claims. A preset without
// a check here fails the test, so a new lesson cannot ship unverified.

#include <QtTest>

#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <string>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

namespace {

struct Run {
    std::unique_ptr<Trainer> trainer;
    StepStats first;  ///< step 0: the network at initialisation
    StepStats last;   ///< the last step run
    bool anyClipped = false;
};

ExperimentConfig presetConfig(const std::string& name) {
    const Preset* preset = findPreset(name);
    if (!preset) return {};
    return parseExperiment(preset->json).config;
}

Run run(const std::string& name, int steps) {
    Run r;
    r.trainer = Trainer::create(presetConfig(name));
    r.first = r.trainer->step();
    r.last = r.first;
    r.anyClipped = r.first.clipped;
    for (int i = 1; i < steps && !r.trainer->divergence().diverged; ++i) {
        r.last = r.trainer->step();
        r.anyClipped |= r.last.clipped;
    }
    return r;
}

int suggestedSteps(const std::string& name) { return presetConfig(name).lesson.suggestedSteps; }

// Last hidden depth unit over the first one (the output layer of a feed-forward net is
// not part of the stack the lessons are about).
double lastOverFirst(const StepStats& s, double LayerStats::*field, bool recurrent) {
    const std::size_t last = recurrent ? s.layers.size() - 1 : s.layers.size() - 2;
    return s.layers[last].*field / s.layers[0].*field;
}

double meanHiddenSaturation(const StepStats& s) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < s.layers.size(); ++i) sum += s.layers[i].saturation;
    return sum / double(s.layers.size() - 1);
}

double meanHiddenDeadFraction(const StepStats& s) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < s.layers.size(); ++i) sum += s.layers[i].deadFraction;
    return sum / double(s.layers.size() - 1);
}

QString describe(const char* what, double value) { return QString("%1 = %2").arg(what).arg(value, 0, 'g', 4); }

/// Fraction of the held-out test set the trained network classifies right.
double testAccuracy(const Trainer& trainer) {
    const Dataset& test = trainer.testDataset();
    const Eigen::MatrixXd probabilities = trainer.predict(test.inputs);
    int correct = 0;
    for (int j = 0; j < test.samples(); ++j) {
        Eigen::Index predicted = 0;
        probabilities.col(j).maxCoeff(&predicted);
        correct += predicted == test.labels[std::size_t(j)] ? 1 : 0;
    }
    return double(correct) / test.samples();
}

/// How far each weight matrix moved over a run, relative to where it started:
/// ||W_end - W_start|| / ||W_start||, input side first.
struct Movement {
    std::vector<double> relative;
    double accuracy = 0;  ///< test accuracy at the end
};

Movement trainAndMeasure(const std::string& name, int steps) {
    auto trainer = Trainer::create(presetConfig(name));
    const std::vector<Eigen::MatrixXd> start = trainer->weightMatrices();
    for (int i = 0; i < steps && !trainer->divergence().diverged; ++i) trainer->step();
    const std::vector<Eigen::MatrixXd> end = trainer->weightMatrices();
    Movement m;
    for (std::size_t l = 0; l < start.size(); ++l) m.relative.push_back((end[l] - start[l]).norm() / start[l].norm());
    m.accuracy = testAccuracy(*trainer);
    qInfo("%s after %d steps: test accuracy %.4f, first layer moved %.3g, last hidden %.3g", name.c_str(), steps, m.accuracy,
          m.relative.front(), m.relative[m.relative.size() - 2]);
    return m;
}

/// Mean cross-entropy of the network in evaluation mode (dropout off, batch norm's running
/// statistics) over a whole data set.
double evaluatedLoss(const Trainer& trainer, const Dataset& data) {
    const Eigen::MatrixXd probabilities = trainer.predict(data.inputs);
    return -(data.targets.array() * probabilities.array().log()).colwise().sum().mean();
}

/// Training-set and test-set loss after `steps` updates, both in evaluation mode, so the gap
/// between them is memorisation and not dropout's noise.
struct Generalisation {
    double trainLoss = 0, testLoss = 0;
    double gap() const { return testLoss - trainLoss; }
};

Generalisation trainAndEvaluate(const ExperimentConfig& config, int steps) {
    auto trainer = Trainer::create(config);
    for (int i = 0; i < steps && !trainer->divergence().diverged; ++i) trainer->step();
    return {evaluatedLoss(*trainer, trainer->dataset()), evaluatedLoss(*trainer, trainer->testDataset())};
}

using Check = std::function<void(const std::string&)>;

// The commonest claim: at initialisation, the last/first depth-unit ratio of a statistic
// lies in (low, high]; high may be infinite (a first-layer gradient that underflowed to 0).
Check ratioAtInit(double LayerStats::*field, bool recurrent, double low, double high, const char* what) {
    return [=](const std::string& n) {
        const double ratio = lastOverFirst(run(n, 1).first, field, recurrent);
        QVERIFY2(ratio > low && ratio <= high, qPrintable(describe(what, ratio)));
    };
}

constexpr double kHuge = std::numeric_limits<double>::infinity();

double ratioAtInitOf(const ExperimentConfig& config, double LayerStats::*field) {
    auto trainer = Trainer::create(config);
    return lastOverFirst(trainer->step(), field, config.model == ModelKind::Recurrent);
}

// A remedy's lesson: with it, the last/first ratio of a statistic at initialisation lies in
// (low, high]; the same config with `withoutIt` applied has a ratio outside
// [1/problem, problem] (vanishing or exploding toward the input), and the lesson trains.
Check remedyAtInit(double LayerStats::*field, double low, double high, double problem,
                   std::function<void(ExperimentConfig&)> withoutIt) {
    return [=](const std::string& n) {
        const ExperimentConfig config = presetConfig(n);
        const double with = ratioAtInitOf(config, field);
        QVERIFY2(with > low && with <= high, qPrintable(describe("with the remedy: last/first", with)));
        ExperimentConfig plain = config;
        withoutIt(plain);
        QVERIFY(plain != config);
        const double without = ratioAtInitOf(plain, field);
        qInfo("%s at initialisation, last/first: %.3g with the remedy, %.3g without", n.c_str(), with, without);
        QVERIFY2(without > problem || without < 1 / problem, qPrintable(describe("without it: last/first", without)));
        const Run r = run(n, suggestedSteps(n));
        QVERIFY2(!r.trainer->divergence().diverged, r.trainer->divergence().message.c_str());
        QVERIFY2(r.last.loss < r.first.loss, qPrintable(describe("loss after the lesson", r.last.loss)));
    };
}

// A gated cell's gradient decays back through time at least `factor` times less than the
// vanilla RNN's on the same task (the rnn-adding-forgets preset), at initialisation.
Check decaysLessThanVanilla(double factor, const char* what) {
    return [=](const std::string& n) {
        const double gated = lastOverFirst(run(n, 1).first, &LayerStats::activationGradNorm, true);
        const double vanilla = lastOverFirst(run("rnn-adding-forgets", 1).first, &LayerStats::activationGradNorm, true);
        QVERIFY2(gated < vanilla / factor, qPrintable(describe(what, gated) + ", " + describe("vanilla", vanilla)));
    };
}

const std::map<std::string, Check>& checks() {
    static const std::map<std::string, Check> table = {
        {"deep-sigmoid-vanishing", ratioAtInit(&LayerStats::weightGradNorm, false, 1e4, kHuge, "last/first weight gradient")},
        {"tanh-small-weights", ratioAtInit(&LayerStats::weightGradNorm, false, 1e4, kHuge, "last/first weight gradient")},
        {"relu-xavier-vs-he", ratioAtInit(&LayerStats::activationGradNorm, false, 1e2, kHuge, "last/first activation gradient")},
        {"he-relu-healthy",
         [](const std::string& n) {
             const Run r = run(n, suggestedSteps(n));
             const double ratio = lastOverFirst(r.first, &LayerStats::weightGradNorm, false);
             QVERIFY2(ratio > 0.1 && ratio < 10, qPrintable(describe("last/first weight gradient", ratio)));
             QVERIFY(!r.trainer->divergence().diverged);
             QVERIFY(r.last.loss < r.first.loss);
         }},
        {"batchnorm-rescue",
         [](const std::string& n) {
             // Batch norm's rescue shows once training has started (at init BN nets have a
             // known gradient growth toward the input, Yang et al. 2019).
             const Run r = run(n, suggestedSteps(n));
             const double ratio = lastOverFirst(r.last, &LayerStats::weightGradNorm, false);
             QVERIFY2(ratio > 0.1 && ratio < 10, qPrintable(describe("last/first weight gradient", ratio)));
         }},
        {"layernorm-rescue", remedyAtInit(&LayerStats::activationGradNorm, 0.1, 10, 1e4,
                                          [](ExperimentConfig& c) {
                                              for (LayerSpec& l : c.layers) l.layerNorm = false;
                                          })},
        {"rezero-deep-residual",
         [](const std::string& n) {
             remedyAtInit(&LayerStats::activationGradNorm, 0.5, 2, 1e2,
                          [](ExperimentConfig& c) { c.residual.branchScale = BranchScaleKind::None; })(n);
             // The fixed 1/sqrt(blocks) scaling flattens the profile too.
             ExperimentConfig fixed = presetConfig(n);
             fixed.residual.branchScale = BranchScaleKind::InverseSqrtBlocks;
             const double ratio = ratioAtInitOf(fixed, &LayerStats::activationGradNorm);
             qInfo("with 1/sqrt(B) instead: %.3g", ratio);
             QVERIFY2(ratio > 0.1 && ratio <= 10, qPrintable(describe("1/sqrt(B): last/first", ratio)));
         }},
        {"fixup-deep-residual",
         [](const std::string& n) {
             remedyAtInit(&LayerStats::activationGradNorm, 0.5, 2, 1e2, [](ExperimentConfig& c) { c.residual.fixup = false; })(n);
             // Every block starts as the identity: the last hidden layer sees layer 1's activations.
             const StepStats first = run(n, 1).first;
             const double spread = first.layers[first.layers.size() - 2].activationStd / first.layers[0].activationStd;
             QVERIFY2(spread == 1.0, qPrintable(describe("activation spread, last/first hidden", spread)));
             // Without it the same stack at the same rate diverges.
             ExperimentConfig plain = presetConfig(n);
             plain.residual.fixup = false;
             auto trainer = Trainer::create(plain);
             for (int i = 0; i < suggestedSteps(n) && !trainer->divergence().diverged; ++i) trainer->step();
             QVERIFY2(trainer->divergence().diverged, "without Fixup the lesson's stack should diverge");
         }},
        {"lsuv-gelu-any-gain", remedyAtInit(&LayerStats::activationGradNorm, 0.1, 10, 1e4,
                                            [](ExperimentConfig& c) { c.lsuv = false; })},
        {"dropout-overfitting",
         [](const std::string& n) {
             const ExperimentConfig config = presetConfig(n);
             const Run r = run(n, 1);
             for (std::size_t l = 0; l + 1 < r.first.layers.size(); ++l)
                 QVERIFY2(std::abs(r.first.layers[l].droppedFraction - 0.5) < 0.05,
                          qPrintable(describe("fraction dropped", r.first.layers[l].droppedFraction)));
             ExperimentConfig plain = config;
             for (LayerSpec& l : plain.layers) l.dropout = 0.0;
             const Generalisation with = trainAndEvaluate(config, suggestedSteps(n));
             const Generalisation without = trainAndEvaluate(plain, suggestedSteps(n));
             qInfo("%s: train/test loss %.3g/%.3g with dropout, %.3g/%.3g without", n.c_str(), with.trainLoss, with.testLoss,
                   without.trainLoss, without.testLoss);
             QVERIFY2(without.gap() > 1.0, qPrintable(describe("without dropout: test - train loss", without.gap())));
             QVERIFY2(with.gap() < without.gap() / 4, qPrintable(describe("with dropout: test - train loss", with.gap())));
             QVERIFY2(with.testLoss < without.testLoss / 2, qPrintable(describe("with dropout: test loss", with.testLoss)));
         }},
        {"residual-rescue", ratioAtInit(&LayerStats::weightGradNorm, false, 0.1, 10, "last/first weight gradient")},
        {"orthogonal-tanh-isometry", ratioAtInit(&LayerStats::weightGradNorm, false, 0.5, 2, "last/first weight gradient")},
        {"exploding-large-weights",
         [](const std::string& n) {
             const Run r = run(n, suggestedSteps(n));
             QVERIFY(r.trainer->divergence().diverged);
         }},
        {"clipping-tames-explosion",
         [](const std::string& n) {
             const Run r = run(n, suggestedSteps(n));
             QVERIFY(r.anyClipped);
             QVERIFY(!r.trainer->divergence().diverged);
             QVERIFY(r.last.loss < r.first.loss);
             ExperimentConfig unclipped = presetConfig(n);
             unclipped.training.clip.mode = ClipMode::Off;
             auto t = Trainer::create(unclipped);
             for (int i = 0; i < suggestedSteps(n) && !t->divergence().diverged; ++i) t->step();
             QVERIFY2(t->divergence().diverged, "without clipping the same run should diverge");
         }},
        {"saturating-large-lr",
         [](const std::string& n) {
             const double saturation = meanHiddenSaturation(run(n, suggestedSteps(n)).last);
             QVERIFY2(saturation > 0.5, qPrintable(describe("mean saturation", saturation)));
         }},
        {"dead-relu-negative-bias",
         [](const std::string& n) {
             // Most units never fire at initialisation, training does not revive them,
             // and the same net with biases at 0 has few dead (14% on its first batch).
             const Run r = run(n, suggestedSteps(n));
             const double deadAtInit = meanHiddenDeadFraction(r.first);
             const double deadAtEnd = meanHiddenDeadFraction(r.last);
             QVERIFY2(deadAtInit >= 0.5, qPrintable(describe("dead fraction at initialisation", deadAtInit)));
             QVERIFY2(deadAtEnd >= 0.5, qPrintable(describe("dead fraction after training", deadAtEnd)));
             ExperimentConfig zeroBias = presetConfig(n);
             zeroBias.biasInit = BiasInitSpec{};
             auto t = Trainer::create(zeroBias);
             const double deadWithZeroBias = meanHiddenDeadFraction(t->step());
             QVERIFY2(deadWithZeroBias < 0.25, qPrintable(describe("dead fraction with biases at 0", deadWithZeroBias)));
         }},
        {"warmup-large-learning-rate",
         [](const std::string& n) {
             // The batch loss is noisy; the mean of the last 50 steps is not.
             ExperimentConfig config = presetConfig(n);
             auto t = Trainer::create(config);
             double recentLoss = 0;
             const int steps = suggestedSteps(n);
             for (int i = 0; i < steps && !t->divergence().diverged; ++i) {
                 const double loss = t->step().loss;
                 if (i >= steps - 50) recentLoss += loss / 50;
             }
             QVERIFY2(!t->divergence().diverged, t->divergence().message.c_str());
             QVERIFY2(recentLoss < 0.45, qPrintable(describe("mean loss of the last 50 steps", recentLoss)));
             config.training.schedule = ScheduleSpec{};
             auto constant = Trainer::create(config);
             for (int i = 0; i < 20 && !constant->divergence().diverged; ++i) constant->step();
             QVERIFY2(constant->divergence().diverged, "at a constant rate of 1 the same net should diverge within 20 steps");
         }},
        {"fashion-deep-sigmoid",
         [](const std::string& n) {
             // The first layer's weights stay where they started while the last hidden layer's move.
             const Movement m = trainAndMeasure(n, suggestedSteps(n));
             const double firstOverLast = m.relative.front() / m.relative[m.relative.size() - 2];
             QVERIFY2(firstOverLast < 1e-2, qPrintable(describe("first/last hidden layer movement", firstOverLast)));
         }},
        {"fashion-he-relu",
         [](const std::string& n) {
             const Movement m = trainAndMeasure(n, suggestedSteps(n));
             QVERIFY2(m.accuracy >= 0.80, qPrintable(describe("test accuracy", m.accuracy)));
             const double firstOverLast = m.relative.front() / m.relative[m.relative.size() - 2];
             QVERIFY2(firstOverLast > 0.1, qPrintable(describe("first/last hidden layer movement", firstOverLast)));
         }},
        {"fashion-batchnorm-rescue",
         [](const std::string& n) {
             const Movement m = trainAndMeasure(n, suggestedSteps(n));
             const double firstOverLast = m.relative.front() / m.relative[m.relative.size() - 2];
             QVERIFY2(firstOverLast > 0.1, qPrintable(describe("first/last hidden layer movement", firstOverLast)));
             QVERIFY2(m.accuracy >= 0.75, qPrintable(describe("test accuracy", m.accuracy)));
         }},
        {"rnn-adding-forgets", ratioAtInit(&LayerStats::activationGradNorm, true, 1e6, kHuge, "dL/dh_T / dL/dh_1")},
        {"lstm-adding-remembers", decaysLessThanVanilla(1e3, "LSTM ratio")},
        {"gru-adding-remembers", decaysLessThanVanilla(10, "GRU ratio")},
        {"irnn-identity-relu", ratioAtInit(&LayerStats::activationGradNorm, true, 0.1, 10, "dL/dh_T / dL/dh_1")},
        {"rnn-exploding-clipped",
         [](const std::string& n) {
             const Run r = run(n, suggestedSteps(n));
             const double ratio = lastOverFirst(r.first, &LayerStats::activationGradNorm, true);
             QVERIFY2(ratio < 1e-3, qPrintable(describe("dL/dh_T / dL/dh_1 (grows back in time)", ratio)));
             QVERIFY(r.first.clipped);
             QVERIFY(!r.trainer->divergence().diverged);
         }},
    };
    return table;
}

}  // namespace

class TestPresetEffects : public QObject {
    Q_OBJECT
private slots:
    void effect_data() {
        QTest::addColumn<QString>("name");
        for (const Preset& p : presets())
            QTest::newRow(std::string(p.name).c_str()) << QString::fromUtf8(p.name.data(), qsizetype(p.name.size()));
    }
    void effect() {
        QFETCH(QString, name);
        const std::string preset = name.toStdString();
        QVERIFY(parseExperiment(findPreset(preset)->json).ok());
        const auto it = checks().find(preset);
        QVERIFY2(it != checks().end(), "this preset has no effect check: add one");
#ifdef GRADFLOW_SANITIZED
        // The effects take whole lessons (286 s of the sanitizer pass at -O1) and are
        // checked in the Release pass; here every lesson's code paths run a few steps, each
        // access checked, and what they compute must stay finite or be reported diverged.
        Run r = run(preset, 5);
        QVERIFY2(std::isfinite(r.last.loss) || r.trainer->divergence().diverged, qPrintable(describe("loss", r.last.loss)));
#else
        it->second(preset);
#endif
    }
};

QTEST_APPLESS_MAIN(TestPresetEffects)
#include "tst_preset_effects.moc"
