#include "ui/lesson_panel.h"

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "ui/experiment_document.h"
#include "ui/lesson_catalog.h"

namespace gradflow::ui {

LessonPanel::LessonPanel(ExperimentDocument* document, QWidget* parent) : QWidget(parent), m_document(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_picker = new QComboBox(this);
    m_picker->setToolTip(tr("Lesson presets: each sets up one phenomenon or remedy, ready to train"));
    // As wide as the dock, not as its longest title: the panel must fit a narrow dock.
    m_picker->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_picker->setMinimumContentsLength(12);
    m_picker->addItem(tr("Choose a lesson\u2026"), QString());
    QString section;
    for (const LessonEntry& lesson : lessonsInTeachingOrder()) {
        if (lesson.section != section) {
            if (!section.isEmpty()) m_picker->insertSeparator(m_picker->count());
            section = lesson.section;
        }
        m_picker->addItem(lesson.title, lesson.name);
        m_picker->setItemData(m_picker->count() - 1, QStringLiteral("%1 \u00b7 %2").arg(section, lesson.name), Qt::ToolTipRole);
    }
    layout->addWidget(m_picker);

    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_explanation = new QLabel(this);
    m_explanation->setWordWrap(true);
    m_explanation->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // The text wraps to the panel's width; it scrolls only vertically.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* body = new QWidget(scroll);
    auto* bodyLayout = new QVBoxLayout(body);
    bodyLayout->setContentsMargins(0, 0, 0, 0);
    bodyLayout->addWidget(m_title);
    bodyLayout->addWidget(m_explanation);
    bodyLayout->addStretch(1);
    scroll->setWidget(body);
    layout->addWidget(scroll, 1);

    m_runSuggested = new QPushButton(this);
    m_runSuggested->setToolTip(tr("Train for the number of steps this lesson suggests, then pause"));
    layout->addWidget(m_runSuggested);

    connect(m_picker, &QComboBox::activated, this, [this](int index) {
        const QString name = m_picker->itemData(index).toString();
        if (!name.isEmpty()) emit presetRequested(name);
    });
    connect(m_runSuggested, &QPushButton::clicked, this,
            [this] { emit runSuggestedRequested(m_runSuggested->property("steps").toInt()); });
    connect(document, &ExperimentDocument::configChanged, this, &LessonPanel::refresh);
    setLargeText(false);
}

void LessonPanel::setCurrentPreset(const QString& name) {
    const int index = m_picker->findData(name);
    m_picker->setCurrentIndex(index >= 0 ? index : 0);
}

void LessonPanel::setLargeText(bool large) {
    m_large = large;
    QFont body = font();
    body.setPointSizeF(body.pointSizeF() * (large ? 1.6 : 1.0));
    m_explanation->setFont(body);
    QFont title = body;
    title.setBold(true);
    title.setPointSizeF(body.pointSizeF() * 1.25);
    m_title->setFont(title);
    QFont control = font();
    control.setPointSizeF(control.pointSizeF() * (large ? 1.4 : 1.0));
    m_picker->setFont(control);
    m_runSuggested->setFont(control);
    refresh();
}

void LessonPanel::refresh() {
    const core::LessonSpec& lesson = m_document->config().lesson;
    m_title->setText(lesson.title.empty() ? tr("Your own experiment") : QString::fromStdString(lesson.title));
    m_explanation->setText(lesson.explanation.empty()
                               ? tr("Build a network in the Network panel, press Train (Space) and watch the "
                                    "per-layer gradients. Pick a lesson above for a guided example.")
                               : QString::fromStdString(lesson.explanation));
    const int steps = lesson.suggestedSteps;
    m_runSuggested->setText(steps > 0 ? tr("Run %1 suggested steps").arg(steps) : tr("Run 200 steps"));
    m_runSuggested->setProperty("steps", steps > 0 ? steps : 200);
}

}  // namespace gradflow::ui
