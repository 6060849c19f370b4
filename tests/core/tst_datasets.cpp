// Data sets: shapes, balance, determinism, and the long-range dependency of the
// sequence tasks.

#include <QtTest>

#include "core/data/dataset.h"

using namespace gradflow::core;
Q_DECLARE_METATYPE(DataKind)

class TestDatasets : public QObject {
    Q_OBJECT
private slots:
    void shapes_data() {
        QTest::addColumn<DataKind>("kind");
        for (const auto& info : dataKindRegistry()) QTest::newRow(info.name.data()) << info.kind;
    }
    void shapes() {
        QFETCH(DataKind, kind);
        DataSpec spec;
        spec.kind = kind;
        spec.samples = 300;
        spec.classes = 3;
        spec.sequenceLength = 20;
        const Dataset d = generateDataset(spec, 3);
        const auto& info = dataKindInfo(kind);
        QCOMPARE(d.samples(), 300);
        QCOMPARE(d.sequenceLength(), info.sequence ? 20 : 1);
        QCOMPARE(d.classification, info.classification);
        for (const auto& x : d.inputs) {
            QCOMPARE(int(x.rows()), d.inputDimension);
            QCOMPARE(int(x.cols()), 300);
            QVERIFY(x.allFinite());
        }
        QCOMPARE(int(d.targets.rows()), d.outputDimension);
        if (d.classification) {
            std::vector<int> counts(d.outputDimension, 0);
            for (int j = 0; j < d.samples(); ++j) {
                ++counts[d.labels[j]];
                QCOMPARE(d.targets(d.labels[j], j), 1.0);
                QCOMPARE(d.targets.col(j).sum(), 1.0);
            }
            for (int c : counts) QVERIFY(c > 300 / d.outputDimension / 3);
        }
        const Dataset again = generateDataset(spec, 3);
        QVERIFY(again.targets == d.targets && again.inputs.back() == d.inputs.back());
        // A Fashion-MNIST subset is the file's first images whatever the seed; the others are drawn.
        if (kind == DataKind::FashionMnist) QVERIFY(generateDataset(spec, 4).inputs.back() == d.inputs.back());
        else QVERIFY(generateDataset(spec, 4).inputs.back() != d.inputs.back());
    }

    void addingTargetsAreTheMarkedSum() {
        DataSpec spec;
        spec.kind = DataKind::Adding;
        spec.samples = 50;
        spec.sequenceLength = 40;
        const Dataset d = generateDataset(spec, 1);
        for (int j = 0; j < d.samples(); ++j) {
            double sum = 0;
            int marks = 0, firstMark = -1;
            for (int t = 0; t < 40; ++t)
                if (d.inputs[t](1, j) == 1.0) {
                    sum += d.inputs[t](0, j);
                    if (firstMark < 0) firstMark = t;
                    ++marks;
                }
            QCOMPARE(marks, 2);
            QVERIFY(firstMark < 20);  // the early mark is in the first half: a long-range dependency
            QVERIFY(std::abs(sum - d.targets(0, j)) < 1e-15);
        }
    }
};

QTEST_APPLESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
