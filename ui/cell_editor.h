#pragma once
// The recurrent page of the network builder: cell type, hidden size, sequence
// length, recurrent initializer and gain, LSTM forget bias. Like the layer page, every
// edit is an undoable change of the ExperimentDocument.

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace gradflow::ui {

class ExperimentDocument;

class CellEditor : public QWidget {
    Q_OBJECT
public:
    explicit CellEditor(ExperimentDocument* document, QWidget* parent = nullptr);

private:
    void refresh();
    template <typename Change>
    void edit(const QString& what, int mergeId, Change change);

    ExperimentDocument* m_document;
    QComboBox* m_cell = nullptr;
    QComboBox* m_cellActivation = nullptr;
    QSpinBox* m_hidden = nullptr;
    QSpinBox* m_sequence = nullptr;
    QComboBox* m_recurrentInit = nullptr;
    QDoubleSpinBox* m_recurrentGain = nullptr;
    QDoubleSpinBox* m_forgetBias = nullptr;
};

}  // namespace gradflow::ui
