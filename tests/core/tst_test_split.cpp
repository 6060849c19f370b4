// The held-out test split: its size, that the seed fixes it, that it shares no sample with
// the training set, that adding it leaves training bit for bit unchanged, and that the
// trainer evaluates it every data.test_every steps on the weights the step starts from.

#include <QtTest>

#include <cmath>
#include <cstring>

#include "core/config/experiment_validation.h"
#include "core/data/test_split.h"
#include "core/training/trainer.h"
#include "core/training/trainer_streams.h"

using namespace gradflow::core;
Q_DECLARE_METATYPE(DataKind)

namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

bool sameInput(const Dataset& a, int i, const Dataset& b, int j) {
    for (std::size_t t = 0; t < a.inputs.size(); ++t)
        if (a.inputs[t].col(i) != b.inputs[t].col(j)) return false;
    return true;
}

ExperimentConfig smallConfig() {
    ExperimentConfig c;
    c.data.samples = 200;
    LayerSpec layer;
    layer.width = 12;
    c.layers.assign(3, layer);
    c.training.batchSize = 20;
    return c;
}

}  // namespace

class TestTestSplit : public QObject {
    Q_OBJECT
private slots:
    void sizeFollowsTheFraction() {
        DataSpec spec;
        QCOMPARE(requestedTestSamples(spec), 128);  // 512 training samples, 80/20
        spec.testFraction = 0.5;
        QCOMPARE(requestedTestSamples(spec), 512);
        spec.testFraction = 0.0;
        QCOMPARE(requestedTestSamples(spec), 0);
        spec.testFraction = 0.2;
        spec.kind = DataKind::Sine;  // regression: no split
        QCOMPARE(requestedTestSamples(spec), 0);
        spec.kind = DataKind::FashionMnist;
        spec.samples = 60000;  // 15,000 wanted; the t10k file holds 10,000
        QCOMPARE(requestedTestSamples(spec), 10000);
    }

    void theSeedFixesItAndNothingLeaks_data() {
        QTest::addColumn<DataKind>("kind");
        for (const auto& info : dataKindRegistry())
            if (info.classification && info.kind != DataKind::FashionMnist) QTest::newRow(info.name.data()) << info.kind;
    }
    void theSeedFixesItAndNothingLeaks() {
        QFETCH(DataKind, kind);
        DataSpec spec;
        spec.kind = kind;
        spec.samples = 400;
        spec.classes = 3;
        spec.sequenceLength = 12;
        const Dataset train = generateDataset(spec, dataSeed(5));
        const Dataset test = generateTestSet(spec, testDataSeed(5), train);
        // A discrete sequence task may repeat a training sample now and then (dropped below).
        if (dataKindInfo(kind).sequence) QVERIFY(test.samples() > 90 && test.samples() <= 100);
        else QCOMPARE(test.samples(), 100);
        QCOMPARE(test.inputDimension, train.inputDimension);
        QCOMPARE(test.sequenceLength(), train.sequenceLength());
        const Dataset again = generateTestSet(spec, testDataSeed(5), train);
        QVERIFY(again.inputs.back() == test.inputs.back() && again.targets == test.targets && again.labels == test.labels);
        const Dataset otherSeed = generateTestSet(spec, testDataSeed(6), generateDataset(spec, dataSeed(6)));
        QVERIFY(otherSeed.inputs.back() != test.inputs.back());
        for (int j = 0; j < test.samples(); ++j)
            for (int i = 0; i < train.samples(); ++i) QVERIFY2(!sameInput(test, j, train, i), "a test sample was trained on");
    }

    // Parity over two steps has only 8 distinct inputs (two +-1 bits, where the marks sit):
    // most test draws repeat a training sample, and those must go.
    void repeatsOfTrainingSamplesAreDropped() {
        DataSpec spec;
        spec.kind = DataKind::Parity;
        spec.samples = 6;
        spec.sequenceLength = 2;
        spec.testFraction = 0.5;
        const Dataset train = generateDataset(spec, dataSeed(1));
        const Dataset test = generateTestSet(spec, testDataSeed(1), train);
        QVERIFY(test.samples() < 6);
        QCOMPARE(int(test.labels.size()), test.samples());
        QCOMPARE(int(test.targets.cols()), test.samples());
        for (int j = 0; j < test.samples(); ++j) {
            QCOMPARE(test.targets(test.labels[j], j), 1.0);
            for (int i = 0; i < train.samples(); ++i) QVERIFY(!sameInput(test, j, train, i));
        }
    }

    // The split is drawn beside the training set, never out of it.
    void trainingIsBitForBitUnchanged() {
        ExperimentConfig with = smallConfig();
        ExperimentConfig without = with;
        without.data.testFraction = 0.0;
        auto a = Trainer::create(with);
        auto b = Trainer::create(without);
        QVERIFY(a->dataset().inputs[0] == b->dataset().inputs[0]);
        QCOMPARE(a->testDataset().samples(), 50);
        QCOMPARE(b->testDataset().samples(), 0);
        for (int k = 0; k < 30; ++k) {
            const StepStats sa = a->step();
            const StepStats sb = b->step();
            QVERIFY(sameBits(sa.loss, sb.loss) && sameBits(sa.gradNorm, sb.gradNorm) && sameBits(sa.accuracy, sb.accuracy));
            for (std::size_t l = 0; l < sa.layers.size(); ++l)
                QVERIFY(sameBits(sa.layers[l].weightGradNorm, sb.layers[l].weightGradNorm));
            QVERIFY(!sb.tested);
        }
    }

    void evaluatedEveryKStepsOnTheStepsWeights() {
        ExperimentConfig config = smallConfig();
        config.data.testEvery = 7;
        auto trainer = Trainer::create(config);
        const Dataset& test = trainer->testDataset();
        for (int k = 0; k < 22; ++k) {
            // What the step about to run must report: the current weights on the test set.
            const Eigen::MatrixXd probabilities = trainer->predict(test.inputs);
            double loss = 0.0;
            int correct = 0;
            for (int j = 0; j < test.samples(); ++j) {
                Eigen::Index predicted = 0;
                probabilities.col(j).maxCoeff(&predicted);
                correct += predicted == test.labels[j] ? 1 : 0;
                loss -= std::log(probabilities(test.labels[j], j));
            }
            const StepStats stats = trainer->step();
            QCOMPARE(stats.tested, k % 7 == 0);
            if (!stats.tested) {
                QVERIFY(std::isnan(stats.testLoss) && std::isnan(stats.testAccuracy));
                continue;
            }
            QCOMPARE(stats.testAccuracy, double(correct) / test.samples());
            QVERIFY(std::abs(stats.testLoss - loss / test.samples()) < 1e-12 * std::max(1.0, loss));
        }
    }

    void fieldsAreValidated() {
        ExperimentConfig config;
        config.data.testFraction = 0.75;
        config.data.testEvery = 0;
        const std::vector<ConfigIssue> issues = validateExperiment(config);
        QCOMPARE(issues.size(), std::size_t(2));
        QCOMPARE(issues[0].text(), std::string("data.test_fraction: must be a finite number in [0, 0.5]; got 0.75"));
        QCOMPARE(issues[1].text(), std::string("data.test_every: must be an integer in [1, 1000000]; got 0"));
        config = ExperimentConfig{};
        config.data.testFraction = std::nan("");
        QCOMPARE(validateExperiment(config).front().field, std::string("data.test_fraction"));
    }
};

QTEST_APPLESS_MAIN(TestTestSplit)
#include "tst_test_split.moc"
