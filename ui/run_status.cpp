#include "ui/run_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <cmath>

#include "core/training/divergence.h"

namespace gradflow::ui {

namespace {

QLabel* field(const QString& sample, const QString& tip, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setMinimumWidth(label->fontMetrics().horizontalAdvance(sample));
    label->setToolTip(tip);
    return label;
}

QString number(double value) {
    if (std::isnan(value)) return QStringLiteral("\u2013");
    if (!std::isfinite(value)) return value > 0 ? QStringLiteral("+\u221e") : QStringLiteral("\u2212\u221e");
    return QString::number(value, 'g', 4);
}

// Badge colours: Tol "bright" blue / green / grey / red with white text.
QString badgeStyle(const char* background) {
    return QStringLiteral(
               "QLabel { background: %1; color: white; border-radius: 3px; padding: 1px 8px; "
               "font-weight: bold; }")
        .arg(QLatin1String(background));
}

}  // namespace

RunStatus::RunStatus(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->setSpacing(14);
    m_badge = field(QStringLiteral("  Diverged  "), tr("State of the training run"), this);
    m_badge->setAlignment(Qt::AlignCenter);
    m_step = field(QStringLiteral("Step 1,000,000"), tr("Updates done since the last Reset"), this);
    m_rate = field(QStringLiteral("99,999 steps/s"), tr("Training speed"), this);
    m_loss = field(QStringLiteral("Loss 0.0000e-00"), tr("Training loss of the last batch"), this);
    m_accuracy = field(QStringLiteral("Accuracy 100.0%"), tr("Accuracy on the last batch"), this);
    m_learningRate = field(QStringLiteral("\u03b7 0.0000e-00"),
                           tr("Learning rate of the last update: the base rate as the schedule shapes it"), this);
    m_message = new QLabel(this);
    m_message->setStyleSheet(QStringLiteral("QLabel { color: #cc3311; font-weight: bold; }"));
    m_message->setToolTip(
        tr("Where the run diverged: the first step whose loss or gradients stopped being finite "
           "numbers, and the layer where that began. Training stops there; lower the learning "
           "rate, clip the gradient or change the initialisation, then Reset."));
    for (QLabel* l : {m_badge, m_step, m_rate, m_loss, m_accuracy, m_learningRate}) layout->addWidget(l);
    layout->addWidget(m_message, 1);
    clear();
}

void RunStatus::clear() {
    m_step->setText(tr("Step 0"));
    m_rate->clear();
    m_loss->setText(tr("Loss \u2013"));
    m_accuracy->clear();
    m_learningRate->clear();
    m_message->clear();
}

void RunStatus::showState(TrainingWorker::State state, const QString& error) {
    m_state = state;
    using S = TrainingWorker::State;
    switch (state) {
    case S::Running:
        m_badge->setText(tr("Training"));
        m_badge->setStyleSheet(badgeStyle("#228833"));
        break;
    case S::Paused:
        m_badge->setText(tr("Paused"));
        m_badge->setStyleSheet(badgeStyle("#4477aa"));
        break;
    case S::Building:
        m_badge->setText(tr("Building"));
        m_badge->setStyleSheet(badgeStyle("#777777"));
        break;
    case S::Diverged:
        m_badge->setText(tr("Diverged"));
        m_badge->setStyleSheet(badgeStyle("#cc3311"));
        break;
    case S::Failed:
        m_badge->setText(tr("Error"));
        m_badge->setStyleSheet(badgeStyle("#cc3311"));
        break;
    default:
        m_badge->setText(tr("Ready"));
        m_badge->setStyleSheet(badgeStyle("#777777"));
        break;
    }
    if (state == S::Failed) m_message->setText(error.section(QLatin1Char('\n'), 0, 0));
    else if (state != S::Diverged) m_message->clear();
    if (state != S::Running) m_rate->clear();
}

void RunStatus::showSnapshot(const Snapshot& snapshot) {
    m_step->setText(tr("Step %L1").arg(snapshot.stepsDone));
    m_rate->setText(snapshot.running && snapshot.stepsPerSecond > 0 ? tr("%L1 steps/s").arg(qRound64(snapshot.stepsPerSecond))
                                                                    : QString());
    if (snapshot.latest) {
        m_loss->setText(tr("Loss %1").arg(number(snapshot.latest->loss)));
        const double accuracy = snapshot.latest->accuracy;
        m_accuracy->setText(std::isfinite(accuracy) ? tr("Accuracy %1%").arg(100.0 * accuracy, 0, 'f', 1) : QString());
        const double rate = snapshot.latest->learningRate;
        m_learningRate->setText(std::isfinite(rate) ? QStringLiteral("\u03b7 %1").arg(number(rate)) : QString());
    } else {
        m_loss->setText(tr("Loss \u2013"));
        m_accuracy->clear();
        m_learningRate->clear();
    }
    if (snapshot.divergence.diverged) {
        // Core's wording, as in the caption and the command line, with a capital and the way out.
        QString what = QString::fromStdString(
            core::divergenceMessage(snapshot.divergence.step, snapshot.depthUnitName, snapshot.divergence.layer, {}));
        what[0] = what[0].toUpper();
        m_message->setText(tr("%1 \u2014 press Reset (R) to start again").arg(what));
        m_message->setToolTip(QString::fromStdString(snapshot.divergence.message));
    }
}

}  // namespace gradflow::ui
