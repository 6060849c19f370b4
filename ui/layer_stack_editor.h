#pragma once
// The network builder dock: a page per model kind in a QStackedWidget. The feed-forward
// page edits the hidden-layer stack (table with drag reordering, add / duplicate /
// remove, a "depth x width" quick builder, stack-wide defaults with per-layer overrides,
// residual skips); the recurrent page edits the cell. Every edit is an
// undoable change of the ExperimentDocument; validation messages appear inline.
// The recurrent page is a CellEditor (cell_editor.h).

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace gradflow::ui {

class ExperimentDocument;
class LayerStackModel;
struct Theme;

class LayerStackEditor : public QWidget {
    Q_OBJECT
public:
    explicit LayerStackEditor(ExperimentDocument* document, QWidget* parent = nullptr);

    void setTheme(const Theme& theme);
    QTableView* table() const { return m_table; }
    QSpinBox* depthBox() const { return m_depth; }
    QDoubleSpinBox* gainBox() const { return m_gain; }
    QToolButton* undoButton() const { return m_undo; }
    QToolButton* redoButton() const { return m_redo; }
    LayerStackModel* model() const { return m_model; }

    // Actions, public so the window's menus and the tests can drive them.
    void addLayer();
    void duplicateLayers();
    void removeLayers();
    void moveSelection(int delta);
    /// Replaces the stack with `depth` copies of one layer of `width` and the defaults.
    void buildUniform(int depth, int width);

private:
    QWidget* createFeedForwardPage();
    void refresh();  ///< widgets from the document (signals blocked)
    QList<int> selectedRows() const;
    void selectRows(int first, int count);
    void setModelKind(int index);
    void setDefaultActivation(int kind);
    void setDefaultInit(int kind);
    void setDefaultGain(double gain);
    void setAllBatchNorm(bool on);
    void setAllLayerNorm(bool on);
    void setResidual(int every);
    void setBranchScale(int kind);
    void setFixup(bool on);
    void setLsuv(bool on);

    ExperimentDocument* m_document;
    LayerStackModel* m_model = nullptr;
    QComboBox* m_modelKind = nullptr;
    QStackedWidget* m_pages = nullptr;
    QTableView* m_table = nullptr;
    QSpinBox* m_depth = nullptr;
    QSpinBox* m_width = nullptr;
    QComboBox* m_activation = nullptr;
    QComboBox* m_init = nullptr;
    QDoubleSpinBox* m_gain = nullptr;
    QCheckBox* m_batchNorm = nullptr;
    QCheckBox* m_layerNorm = nullptr;
    QSpinBox* m_skipEvery = nullptr;
    QComboBox* m_branchScale = nullptr;
    QCheckBox* m_fixup = nullptr;
    QCheckBox* m_lsuv = nullptr;
    QLabel* m_summary = nullptr;
    QToolButton* m_undo = nullptr;
    QToolButton* m_redo = nullptr;
    QLabel* m_issues = nullptr;
};

}  // namespace gradflow::ui
