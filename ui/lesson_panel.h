#pragma once
// The lesson dock: a picker of the shipped presets and, for the experiment in the window,
// its title, explanation (what to watch for, why it happens) and suggested steps. In
// presenter mode the text is set large enough to read from the back of a room.

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;

namespace gradflow::ui {

class ExperimentDocument;

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    explicit LessonPanel(ExperimentDocument* document, QWidget* parent = nullptr);

    /// Marks `name` as the current preset in the picker (no signal).
    void setCurrentPreset(const QString& name);
    void setLargeText(bool large);
    QComboBox* picker() const { return m_picker; }
    QLabel* explanationLabel() const { return m_explanation; }

signals:
    /// The user picked a preset (the window asks about unsaved changes, then loads it).
    void presetRequested(const QString& name);
    /// "Run suggested steps" was pressed.
    void runSuggestedRequested(int steps);

private:
    void refresh();

    ExperimentDocument* m_document;
    QComboBox* m_picker = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_explanation = nullptr;
    QPushButton* m_runSuggested = nullptr;
    bool m_large = false;
};

}  // namespace gradflow::ui
