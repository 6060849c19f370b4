#pragma once
// The training dock: data set (kind, samples, noise, classes), optimizer, learning rate
// on a log scale and its schedule, batch size, gradient clipping, seed, precision and the speed of the run.
// Learning rate and clipping apply live to a running training (the main window forwards
// them); the rest apply on Reset. Every change except speed is an undoable document edit.

#include <QWidget>

#include "core/config/experiment_config.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace gradflow::ui {

class ExperimentDocument;

class TrainingControls : public QWidget {
    Q_OBJECT
public:
    explicit TrainingControls(ExperimentDocument* document, QWidget* parent = nullptr);

    /// Target steps per second, 0 = flat out.
    double speed() const;
    void setSpeed(double stepsPerSecond);

    /// Slider position <-> learning rate: 100 positions per decade, 1e-5 .. 1e2.
    static double learningRateForPosition(int position);
    static int positionForLearningRate(double learningRate);

signals:
    void speedChanged(double stepsPerSecond);

private:
    void refresh();
    void showSchedule(const core::ScheduleSpec& schedule);
    void setLearningRate(double learningRate, int mergeId);
    void showSpeed();
    template <typename Change>
    void edit(const QString& what, int mergeId, Change change);

    ExperimentDocument* m_document;
    QComboBox* m_data = nullptr;
    QSpinBox* m_samples = nullptr;
    QDoubleSpinBox* m_noise = nullptr;
    QSpinBox* m_classes = nullptr;
    QComboBox* m_optimizer = nullptr;
    QSlider* m_lrSlider = nullptr;
    QLineEdit* m_lrText = nullptr;
    QComboBox* m_schedule = nullptr;
    QSpinBox* m_warmup = nullptr;
    QSpinBox* m_decaySteps = nullptr;         ///< step decay's interval, or cosine's period
    QDoubleSpinBox* m_decayFactor = nullptr;  ///< step decay's factor, or cosine's final fraction
    QLabel* m_decayLabel = nullptr;
    QSpinBox* m_batch = nullptr;
    QComboBox* m_clipMode = nullptr;
    QDoubleSpinBox* m_clipThreshold = nullptr;
    QSpinBox* m_seed = nullptr;
    QComboBox* m_precision = nullptr;
    QSlider* m_speed = nullptr;
    QLabel* m_speedLabel = nullptr;
};

}  // namespace gradflow::ui
