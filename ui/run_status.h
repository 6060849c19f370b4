#pragma once
// The status bar's run readout: a state badge (Ready / Training / Paused / Diverged),
// step, steps per second, loss, accuracy and the learning rate in use, and a clear red
// "Diverged at step N in layer k" when a run explodes. Fixed-width fields, so numbers
// do not make it jitter.

#include <QWidget>

#include "ui/snapshot.h"
#include "ui/training_worker.h"

class QLabel;

namespace gradflow::ui {

class RunStatus : public QWidget {
    Q_OBJECT
public:
    explicit RunStatus(QWidget* parent = nullptr);

    void showState(TrainingWorker::State state, const QString& error = {});
    void showSnapshot(const Snapshot& snapshot);
    void clear();

private:
    QLabel* m_badge = nullptr;
    QLabel* m_step = nullptr;
    QLabel* m_rate = nullptr;
    QLabel* m_loss = nullptr;
    QLabel* m_accuracy = nullptr;
    QLabel* m_learningRate = nullptr;
    QLabel* m_message = nullptr;
    TrainingWorker::State m_state = TrainingWorker::State::Empty;
};

}  // namespace gradflow::ui
