#pragma once
// The hidden layers of the draft experiment as a table (one row per layer) for the layer
// stack editor. Reads from and writes through the ExperimentDocument, so every edit,
// including drag-and-drop reordering, is one undoable step. Rows inside a residual block
// get a colour band and a bracket in the first column; cells the validator rejects are
// marked and carry its message as a tooltip.

#include <QAbstractTableModel>
#include <QColor>

#include "core/config/experiment_config.h"

namespace gradflow::ui {

class ExperimentDocument;

/// The value most layers use: the stack's "default", which other layers override.
core::ActivationSpec defaultActivation(const core::ExperimentConfig& config);
core::InitSpec defaultInit(const core::ExperimentConfig& config);
/// 0-based index of the residual block layer `row` sits in, or -1 (layer 1, no skips).
int residualBlockOf(const core::ExperimentConfig& config, int row);

class LayerStackModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        BlockColumn,
        WidthColumn,
        ActivationColumn,
        InitColumn,
        GainColumn,
        BatchNormColumn,
        LayerNormColumn,
        DropoutColumn,
        ColumnCount
    };
    /// Role for the kind enums (as int) in the activation / init columns.
    static constexpr int KindRole = Qt::UserRole + 1;

    explicit LayerStackModel(ExperimentDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    Qt::DropActions supportedDropActions() const override { return Qt::MoveAction; }
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;
    bool dropMimeData(const QMimeData* data, Qt::DropAction action, int row, int column, const QModelIndex& parent) override;

    /// Band colours for residual blocks (from the theme); alternate per block.
    void setBandColors(const QColor& even, const QColor& odd);
    /// Moves layers `rows` so they start at `destination` (an undoable edit).
    void moveLayers(QList<int> rows, int destination);

private:
    void onConfigChanged();
    QString issueFor(int row, int column) const;

    ExperimentDocument* m_document;
    int m_rows = 0;
    QColor m_bandEven, m_bandOdd;
};

}  // namespace gradflow::ui
