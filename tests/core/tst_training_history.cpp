// Bounded history: thinning keeps the whole run's shape in fixed memory.

#include <QtTest>

#include "core/training/training_history.h"

using namespace gradflow::core;

class TestTrainingHistory : public QObject {
    Q_OBJECT
private slots:
    void thinsWhenFull() {
        TrainingHistory h(64);
        StepStats s;
        s.layers.resize(3);
        for (int i = 0; i < 100000; ++i) {
            s.step = i;
            h.append(s);
        }
        QVERIFY(h.entries().size() <= 64);
        QVERIFY(h.entries().size() >= 32);
        QCOMPARE(h.entries().front().step, 0);
        // Evenly spaced by the current stride, reaching close to the end.
        for (std::size_t i = 1; i < h.entries().size(); ++i) QCOMPARE(h.entries()[i].step - h.entries()[i - 1].step, h.stride());
        QVERIFY(h.entries().back().step > 100000 - 2 * h.stride());
    }

    void deepNetsGetFewerEntries() {
        TrainingHistory h(4096, 10000);
        QCOMPARE(h.capacity(1000), std::size_t(16));
        QCOMPARE(h.capacity(10), std::size_t(1000));
        QCOMPARE(h.capacity(1), std::size_t(4096));
    }

    void divergedStepAlwaysKept() {
        TrainingHistory h(16);
        StepStats s;
        for (int i = 0; i < 40; ++i) {
            s.step = i;
            h.append(s);
        }
        s.step = 41;  // off-stride
        s.diverged = true;
        QVERIFY(!h.wouldKeep(41));
        h.append(s);
        QCOMPARE(h.entries().back().step, 41);
        QVERIFY(h.entries().back().diverged);
    }

    void clearRestarts() {
        TrainingHistory h(16);
        StepStats s;
        for (int i = 0; i < 100; ++i) {
            s.step = i;
            h.append(s);
        }
        h.clear();
        QCOMPARE(h.stride(), 1);
        QVERIFY(h.entries().empty());
    }
};

QTEST_APPLESS_MAIN(TestTrainingHistory)
#include "tst_training_history.moc"
