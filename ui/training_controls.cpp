#include "ui/training_controls.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <cmath>
#include <iterator>

#include "core/config/experiment_validation.h"
#include "core/data/dataset.h"
#include "ui/experiment_document.h"
#include "ui/registry_combos.h"

namespace gradflow::ui {

namespace {

constexpr int kLrMinDecade = -5;
constexpr int kLrMaxDecade = 2;  // ExperimentLimits::maxLearningRate = 100
constexpr int kLrStepsPerDecade = 100;
// Speed slider stops; the last one (0) is "flat out".
constexpr double kSpeeds[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 0};
constexpr int kSpeedCount = int(std::size(kSpeeds));

template <typename Widget>
Widget* withTip(Widget* widget, const QString& tip) {
    widget->setToolTip(tip);
    widget->setProperty("baseToolTip", tip);
    return widget;
}

QLabel* sectionLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    label->setContentsMargins(0, 6, 0, 0);
    return label;
}

}  // namespace

double TrainingControls::learningRateForPosition(int position) {
    return std::pow(10.0, kLrMinDecade + double(position) / kLrStepsPerDecade);
}

int TrainingControls::positionForLearningRate(double learningRate) {
    if (!(learningRate > 0.0)) return 0;
    const double position = (std::log10(learningRate) - kLrMinDecade) * kLrStepsPerDecade;
    return int(std::lround(std::clamp(position, 0.0, double((kLrMaxDecade - kLrMinDecade) * kLrStepsPerDecade))));
}

template <typename Change>
void TrainingControls::edit(const QString& what, int mergeId, Change change) {
    core::ExperimentConfig config = m_document->config();
    change(config);
    m_document->setConfig(config, what, mergeId);
}

TrainingControls::TrainingControls(ExperimentDocument* document, QWidget* parent) : QWidget(parent), m_document(document) {
    auto* form = new QFormLayout(this);
    form->setContentsMargins(6, 6, 6, 6);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    form->addRow(sectionLabel(tr("Data"), this));
    m_data = withTip(new QComboBox(this), tr("The synthetic data set, generated from the seed (applies on Reset)"));
    m_samples = withTip(new QSpinBox(this), tr("Training samples in the data set"));
    m_samples->setRange(16, core::ExperimentLimits::maxSamples);
    m_samples->setSingleStep(64);
    m_noise = withTip(new QDoubleSpinBox(this), tr("Noise added to the data (standard deviation)"));
    m_noise->setRange(0.0, 10.0);
    m_noise->setSingleStep(0.05);
    m_classes = withTip(new QSpinBox(this), tr("Classes: spiral arms or blobs"));
    m_classes->setRange(2, core::ExperimentLimits::maxClasses);
    form->addRow(tr("Data set"), m_data);
    form->addRow(tr("Samples"), m_samples);
    form->addRow(tr("Noise"), m_noise);
    form->addRow(tr("Classes"), m_classes);

    form->addRow(sectionLabel(tr("Optimizer"), this));
    m_optimizer = withTip(new QComboBox(this), tr("Update rule (applies on Reset)"));
    m_optimizer->setObjectName(QStringLiteral("optimizerCombo"));
    fillOptimizerCombo(m_optimizer);
    form->addRow(tr("Optimizer"), m_optimizer);

    auto* lrRow = new QHBoxLayout;
    m_lrSlider = withTip(new QSlider(Qt::Horizontal, this), tr("Learning rate \u03b7 on a log scale, 1e-5 to 100. "
                                                               "Applies live, while training runs"));
    m_lrSlider->setRange(0, (kLrMaxDecade - kLrMinDecade) * kLrStepsPerDecade);
    m_lrSlider->setPageStep(kLrStepsPerDecade / 2);
    m_lrText = withTip(new QLineEdit(this), tr("Learning rate; type a value such as 0.05 or 3e-4. Applies live"));
    m_lrText->setValidator(new QDoubleValidator(1e-9, 100.0, 9, m_lrText));
    m_lrText->setMaximumWidth(m_lrText->fontMetrics().horizontalAdvance(QStringLiteral("0.000000")) + 12);
    lrRow->addWidget(m_lrSlider, 1);
    lrRow->addWidget(m_lrText);
    form->addRow(tr("Learning rate \u25cf"), lrRow);

    auto* scheduleRow = new QHBoxLayout;
    m_schedule = withTip(new QComboBox(this), tr("How the learning rate changes over the run, after the warmup "
                                                 "(applies on Reset)"));
    m_schedule->setObjectName(QStringLiteral("scheduleCombo"));
    fillScheduleCombo(m_schedule);
    m_warmup = withTip(new QSpinBox(this), tr("Warmup: the rate climbs linearly from \u03b7/N to \u03b7 over the first "
                                              "N updates (Goyal et al. 2017); 0 = none. Applies on Reset"));
    m_warmup->setRange(0, core::ExperimentLimits::maxScheduleSteps);
    m_warmup->setSingleStep(50);
    m_warmup->setPrefix(tr("warmup "));
    scheduleRow->addWidget(m_schedule, 1);
    scheduleRow->addWidget(m_warmup);
    form->addRow(tr("Schedule"), scheduleRow);
    auto* decayRow = new QHBoxLayout;
    m_decaySteps = new QSpinBox(this);
    m_decaySteps->setRange(1, core::ExperimentLimits::maxScheduleSteps);
    m_decaySteps->setSingleStep(100);
    m_decayFactor = new QDoubleSpinBox(this);
    m_decayFactor->setRange(0.0, 1.0);
    m_decayFactor->setDecimals(3);
    m_decayFactor->setSingleStep(0.05);
    decayRow->addWidget(m_decaySteps, 1);
    decayRow->addWidget(m_decayFactor, 1);
    // Their ranges reach 10^8 steps, and a spin box asks for room to show its largest value
    // with prefix and suffix: the dock would then not fit beside a comparison at 1366x768.
    // Typical values fit in this; larger ones scroll within the field.
    for (QAbstractSpinBox* box : std::initializer_list<QAbstractSpinBox*>{m_warmup, m_decaySteps, m_decayFactor})
        box->setMinimumWidth(box->fontMetrics().horizontalAdvance(QStringLiteral("every 10000 steps")) / 2 + 24);
    m_decayLabel = new QLabel(tr("Decay"), this);
    form->addRow(m_decayLabel, decayRow);
    m_batch = withTip(new QSpinBox(this), tr("Samples per update (applies on Reset)"));
    m_batch->setRange(1, core::ExperimentLimits::maxSamples);
    form->addRow(tr("Batch size"), m_batch);

    auto* clipRow = new QHBoxLayout;
    m_clipMode = withTip(new QComboBox(this), tr("Gradient clipping (Pascanu et al. 2013). Applies live"));
    m_clipMode->addItem(tr("Off"), int(core::ClipMode::Off));
    m_clipMode->addItem(tr("By norm"), int(core::ClipMode::Norm));
    m_clipMode->setItemData(1, QStringLiteral("g \u2190 g \u00b7 min(1, \u03c4 / \u2016g\u2016)"), Qt::ToolTipRole);
    m_clipMode->addItem(tr("By value"), int(core::ClipMode::Value));
    m_clipMode->setItemData(2, QStringLiteral("g\u1d62 \u2190 clamp(g\u1d62, \u2212\u03c4, \u03c4)"), Qt::ToolTipRole);
    m_clipThreshold = withTip(new QDoubleSpinBox(this), tr("Clipping threshold \u03c4: the largest global norm "
                                                           "(by norm) or element (by value). Applies live"));
    m_clipThreshold->setRange(0.001, 1e6);
    m_clipThreshold->setDecimals(3);
    clipRow->addWidget(m_clipMode, 1);
    clipRow->addWidget(m_clipThreshold);
    form->addRow(tr("Clipping \u25cf"), clipRow);

    auto* seedRow = new QHBoxLayout;
    m_seed = withTip(new QSpinBox(this), tr("Random seed for data, weights and batches: the same seed gives the "
                                            "same run (applies on Reset)"));
    m_seed->setRange(0, std::numeric_limits<int>::max());
    auto* dice = new QToolButton(this);
    dice->setText(tr("New"));
    dice->setToolTip(tr("Pick a new random seed"));
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(dice);
    form->addRow(tr("Seed"), seedRow);
    m_precision = withTip(new QComboBox(this), tr("Arithmetic of the training engine: float64 shows gradients "
                                                  "down to 1e-300; float32 is about twice as fast"));
    m_precision->addItem(QStringLiteral("float64"), int(core::Precision::Float64));
    m_precision->addItem(QStringLiteral("float32"), int(core::Precision::Float32));
    form->addRow(tr("Precision"), m_precision);

    form->addRow(sectionLabel(tr("Run"), this));
    auto* speedRow = new QHBoxLayout;
    m_speed = withTip(new QSlider(Qt::Horizontal, this), tr("Training speed in steps per second; far right runs "
                                                            "flat out. Slow it down to watch early steps"));
    m_speed->setRange(0, kSpeedCount - 1);
    m_speed->setValue(kSpeedCount - 1);
    m_speed->setPageStep(1);
    m_speedLabel = new QLabel(this);
    m_speedLabel->setMinimumWidth(m_speedLabel->fontMetrics().horizontalAdvance(QStringLiteral("5000 steps/s")));
    speedRow->addWidget(m_speed, 1);
    speedRow->addWidget(m_speedLabel);
    form->addRow(tr("Speed"), speedRow);
    auto* legend = new QLabel(tr("\u25cf applies live; other changes apply on Reset"), this);
    legend->setWordWrap(true);
    legend->setEnabled(false);  // muted text, from the style
    form->addRow(legend);
    showSpeed();

    connect(m_data, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change data set"), ExperimentDocument::NoMerge, [&](core::ExperimentConfig& c) {
            c.data.kind = core::DataKind(m_data->itemData(i).toInt());
            fitLossToData(c);
        });
    });
    connect(m_samples, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change samples"), ExperimentDocument::MergeSamples, [&](auto& c) {
            c.data.samples = v;
            c.training.batchSize = std::min(c.training.batchSize, v);  // keep the pair valid
        });
    });
    connect(m_noise, &QDoubleSpinBox::valueChanged, this,
            [this](double v) { edit(tr("Change noise"), ExperimentDocument::MergeNoise, [&](auto& c) { c.data.noise = v; }); });
    connect(m_classes, &QSpinBox::valueChanged, this,
            [this](int v) { edit(tr("Change classes"), ExperimentDocument::MergeMisc, [&](auto& c) { c.data.classes = v; }); });
    connect(m_optimizer, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change optimizer"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.training.optimizer.kind = core::OptimizerKind(m_optimizer->itemData(i).toInt()); });
    });
    connect(m_lrSlider, &QSlider::valueChanged, this, [this](int position) {
        // Round to 3 significant digits so the saved file reads 0.0501, not 0.050118723.
        const double lr = learningRateForPosition(position);
        setLearningRate(QString::number(lr, 'g', 3).toDouble(), ExperimentDocument::MergeLearningRate);
    });
    connect(m_lrText, &QLineEdit::editingFinished, this, [this] {
        bool ok = false;
        const double lr = QLocale().toDouble(m_lrText->text(), &ok);
        if (ok && lr > 0.0) setLearningRate(lr, ExperimentDocument::NoMerge);
        else refresh();
    });
    connect(m_schedule, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change schedule"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.training.schedule.kind = core::ScheduleKind(m_schedule->itemData(i).toInt()); });
    });
    connect(m_warmup, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change warmup"), ExperimentDocument::MergeSchedule, [&](auto& c) { c.training.schedule.warmupSteps = v; });
    });
    connect(m_decaySteps, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change decay steps"), ExperimentDocument::MergeSchedule, [&](auto& c) {
            if (c.training.schedule.kind == core::ScheduleKind::Cosine) c.training.schedule.cosineSteps = v;
            else c.training.schedule.decayEvery = v;
        });
    });
    connect(m_decayFactor, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        edit(tr("Change decay factor"), ExperimentDocument::MergeSchedule, [&](auto& c) {
            if (c.training.schedule.kind == core::ScheduleKind::Cosine) c.training.schedule.finalFraction = v;
            else c.training.schedule.decayFactor = v;  // showSchedule keeps it in (0, 1]
        });
    });
    connect(m_batch, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change batch size"), ExperimentDocument::MergeBatch, [&](auto& c) { c.training.batchSize = v; });
    });
    connect(m_clipMode, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change clipping"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.training.clip.mode = core::ClipMode(m_clipMode->itemData(i).toInt()); });
    });
    connect(m_clipThreshold, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        edit(tr("Change clip threshold"), ExperimentDocument::MergeClipThreshold,
             [&](auto& c) { c.training.clip.threshold = v; });
    });
    connect(m_seed, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change seed"), ExperimentDocument::MergeSeed, [&](auto& c) { c.seed = std::uint64_t(v); });
    });
    connect(dice, &QToolButton::clicked, this,
            [this] { m_seed->setValue(int(QRandomGenerator::global()->bounded(1, 1 << 30))); });
    connect(m_precision, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change precision"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.precision = core::Precision(m_precision->itemData(i).toInt()); });
    });
    connect(m_speed, &QSlider::valueChanged, this, [this] {
        showSpeed();
        emit speedChanged(speed());
    });
    connect(document, &ExperimentDocument::configChanged, this, &TrainingControls::refresh);
    refresh();
}

// One pair of fields serves both decays: step decay's interval and factor, cosine's period
// and final fraction; constant hides them.
void TrainingControls::showSchedule(const core::ScheduleSpec& s) {
    selectByData(m_schedule, int(s.kind));
    m_warmup->setValue(s.warmupSteps);
    const bool cosine = s.kind == core::ScheduleKind::Cosine;
    const bool decays = s.kind != core::ScheduleKind::Constant;
    m_decayLabel->setVisible(decays);
    m_decaySteps->setVisible(decays);
    m_decayFactor->setVisible(decays);
    m_decaySteps->setValue(cosine ? s.cosineSteps : s.decayEvery);
    m_decaySteps->setPrefix(cosine ? tr("over ") : tr("every "));
    m_decaySteps->setSuffix(tr(" steps"));
    m_decayFactor->setMinimum(cosine ? 0.0 : 0.001);
    m_decayFactor->setValue(cosine ? s.finalFraction : s.decayFactor);
    m_decayFactor->setPrefix(cosine ? tr("to ") : tr("\u00d7 "));
    m_decayFactor->setSuffix(cosine ? tr(" \u00b7 \u03b7") : QString());
    m_decaySteps->setToolTip(cosine ? tr("T: the updates over which the rate falls from \u03b7 to its final value")
                                    : tr("N: updates between two drops of the rate"));
    m_decayFactor->setToolTip(cosine ? tr("f: the final rate as a fraction of \u03b7; it stays there after T updates")
                                     : tr("\u03b3: the factor applied to the rate at each drop"));
    m_decayLabel->setText(cosine ? tr("Cosine") : tr("Step decay"));
}

void TrainingControls::setLearningRate(double learningRate, int mergeId) {
    edit(tr("Change learning rate"), mergeId, [&](auto& c) { c.training.optimizer.learningRate = learningRate; });
}

double TrainingControls::speed() const { return kSpeeds[m_speed->value()]; }

void TrainingControls::setSpeed(double stepsPerSecond) {
    int best = kSpeedCount - 1;  // flat out
    if (stepsPerSecond > 0.0) {
        best = 0;
        for (int i = 1; i < kSpeedCount - 1; ++i)
            if (std::abs(std::log(kSpeeds[i] / stepsPerSecond)) < std::abs(std::log(kSpeeds[best] / stepsPerSecond))) best = i;
    }
    m_speed->setValue(best);
}

void TrainingControls::showSpeed() {
    const double s = speed();
    m_speedLabel->setText(s > 0.0 ? tr("%1 steps/s").arg(s) : tr("Flat out"));
}

void TrainingControls::refresh() {
    const core::ExperimentConfig& c = m_document->config();
    const QList<QWidget*> widgets{m_data,     m_samples,       m_noise,  m_classes,    m_optimizer,   m_lrSlider,
                                  m_lrText,   m_schedule,      m_warmup, m_decaySteps, m_decayFactor, m_batch,
                                  m_clipMode, m_clipThreshold, m_seed,   m_precision};
    for (QWidget* w : widgets) w->blockSignals(true);
    const bool sequence = c.model == core::ModelKind::Recurrent;
    if (m_data->property("sequence").toBool() != sequence || m_data->count() == 0) {
        fillDataCombo(m_data, sequence);
        m_data->setProperty("sequence", sequence);
    }
    selectByData(m_data, int(c.data.kind));
    m_samples->setValue(c.data.samples);
    m_noise->setValue(c.data.noise);
    m_classes->setValue(c.data.classes);
    m_classes->setEnabled(core::dataKindInfo(c.data.kind).takesClasses);
    selectByData(m_optimizer, int(c.training.optimizer.kind));
    m_lrSlider->setValue(positionForLearningRate(c.training.optimizer.learningRate));
    m_lrText->setText(QString::number(c.training.optimizer.learningRate, 'g', 4));
    showSchedule(c.training.schedule);
    m_batch->setValue(c.training.batchSize);
    selectByData(m_clipMode, int(c.training.clip.mode));
    m_clipThreshold->setValue(c.training.clip.threshold);
    m_clipThreshold->setEnabled(c.training.clip.mode != core::ClipMode::Off);
    m_seed->setValue(int(std::min<std::uint64_t>(c.seed, std::numeric_limits<int>::max())));
    selectByData(m_precision, int(c.precision));
    for (QWidget* w : widgets) w->blockSignals(false);
}

}  // namespace gradflow::ui
