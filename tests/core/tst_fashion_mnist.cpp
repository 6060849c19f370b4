// Fashion-MNIST as the Debian package installs it: both splits read whole, subsets, the
// 2x2 and 4x4 averaging, standardisation with the training set's numbers, and the t10k
// file as the test split. Reports how long the first read takes (it is cached after).

#include <QtTest>

#include <cmath>

#include "core/data/fashion_mnist.h"
#include "core/training/trainer.h"

using namespace gradflow::core;

class TestFashionMnist : public QObject {
    Q_OBJECT
    std::shared_ptr<const FashionMnistImages> m_train, m_test;

private slots:
    void initTestCase() {
        if (const std::string missing = fashionMnistMissing(); !missing.empty()) QSKIP(missing.c_str());
        QElapsedTimer timer;
        timer.start();
        m_train = fashionMnistImages(false);
        m_test = fashionMnistImages(true);
        qInfo("read and inflated both splits in %lld ms", static_cast<long long>(timer.elapsed()));
        timer.restart();
        QVERIFY(fashionMnistImages(false) == m_train);  // cached: the same bytes, not a second read
        QVERIFY(timer.elapsed() < 50);
    }

    void splitsHaveTheirPublishedSizes() {
        QCOMPARE(m_train->count, 60000);
        QCOMPARE(m_test->count, 10000);
        QCOMPARE(m_train->pixels.size(), std::size_t(60000) * 784);
        std::vector<int> perClass(10, 0);
        for (std::uint8_t label : m_train->labels) ++perClass[label];
        for (int count : perClass) QCOMPARE(count, 6000);
    }

    void downsamplingAveragesBlocks() {
        DataSpec spec;
        spec.kind = DataKind::FashionMnist;
        spec.standardize = false;
        for (int side : {28, 14, 7}) {
            spec.imageSize = side;
            const Dataset d = fashionMnistDataset(spec, false, 50);
            QCOMPARE(d.inputDimension, side * side);
            QCOMPARE(d.imageSide, side);
            QCOMPARE(d.samples(), 50);
            const int block = 28 / side;
            for (int i : {0, 17, 49}) {
                QCOMPARE(d.labels[i], int(m_train->labels[i]));
                QCOMPARE(d.targets(d.labels[i], i), 1.0);
                for (int r = 0; r < side; r += 3) {
                    for (int c = 0; c < side; c += 2) {
                        double sum = 0;
                        for (int dr = 0; dr < block; ++dr)
                            for (int dc = 0; dc < block; ++dc)
                                sum += m_train->pixels[std::size_t(i) * 784 + (r * block + dr) * 28 + c * block + dc];
                        QVERIFY(std::abs(d.inputs[0](r * side + c, i) - sum / (255.0 * block * block)) < 1e-15);
                    }
                }
            }
        }
    }

    void standardisesWithTheTrainingSetsNumbers() {
        ExperimentConfig config;
        config.data.kind = DataKind::FashionMnist;
        config.data.samples = 2000;
        config.data.imageSize = 14;
        LayerSpec layer;
        layer.width = 8;
        config.layers.assign(1, layer);
        auto trainer = Trainer::create(config);
        const Dataset& train = trainer->dataset();
        const Dataset& test = trainer->testDataset();
        QVERIFY(std::abs(train.inputs[0].mean()) < 1e-12);
        QVERIFY(std::abs((train.inputs[0].array().square()).mean() - 1.0) < 1e-12);
        QCOMPARE(test.samples(), 500);  // 2000 training images at the 80/20 split
        QCOMPARE(test.inputShift, train.inputShift);
        QCOMPARE(test.inputScale, train.inputScale);
        // The test split is the t10k file: its first image, averaged and standardised alike.
        double sum = 0;
        for (int dr = 0; dr < 2; ++dr)
            for (int dc = 0; dc < 2; ++dc) sum += m_test->pixels[std::size_t(5 * 2 + dr) * 28 + 6 * 2 + dc];
        QVERIFY(std::abs(test.inputs[0](5 * 14 + 6, 0) - (sum / (255.0 * 4) - train.inputShift) * train.inputScale) < 1e-12);
        QCOMPARE(test.labels[0], int(m_test->labels[0]));
    }
};

QTEST_APPLESS_MAIN(TestFashionMnist)
#include "tst_fashion_mnist.moc"
