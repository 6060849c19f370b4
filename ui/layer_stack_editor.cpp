#include "ui/layer_stack_editor.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>

#include "core/config/experiment_validation.h"
#include "core/config/parameter_count.h"
#include "core/data/dataset.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"
#include "ui/cell_editor.h"
#include "ui/experiment_document.h"
#include "ui/layer_stack_model.h"
#include "ui/registry_combos.h"
#include "ui/theme.h"

namespace gradflow::ui {

namespace {

/// Editors for the table: combos from the registries (formula tooltips), bounded spins.
class LayerDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        switch (index.column()) {
        case LayerStackModel::WidthColumn: {
            auto* spin = new QSpinBox(parent);
            spin->setRange(1, core::ExperimentLimits::maxWidth);
            return spin;
        }
        case LayerStackModel::GainColumn: {
            auto* spin = new QDoubleSpinBox(parent);
            spin->setRange(0.0, core::ExperimentLimits::maxGain);
            spin->setDecimals(3);
            spin->setSingleStep(0.1);
            return spin;
        }
        case LayerStackModel::DropoutColumn: {
            // The validator's [0, 1): a rate of 1 would drop every unit.
            auto* spin = new QDoubleSpinBox(parent);
            spin->setRange(0.0, 0.95);
            spin->setDecimals(2);
            spin->setSingleStep(0.05);
            return spin;
        }
        case LayerStackModel::ActivationColumn:
        case LayerStackModel::InitColumn: {
            auto* combo = new QComboBox(parent);
            if (index.column() == LayerStackModel::ActivationColumn) fillActivationCombo(combo);
            else fillInitCombo(combo);
            // Commit on pick, so one click changes the layer (no extra Enter).
            connect(combo, &QComboBox::activated, this,
                    [this, combo] { emit const_cast<LayerDelegate*>(this)->commitData(combo); });
            return combo;
        }
        default: return QStyledItemDelegate::createEditor(parent, option, index);
        }
    }

    void setEditorData(QWidget* editor, const QModelIndex& index) const override {
        if (auto* combo = qobject_cast<QComboBox*>(editor)) {
            combo->setCurrentIndex(combo->findData(index.data(LayerStackModel::KindRole)));
            return;
        }
        QStyledItemDelegate::setEditorData(editor, index);
    }

    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override {
        if (auto* combo = qobject_cast<QComboBox*>(editor)) {
            model->setData(index, combo->currentData(), Qt::EditRole);
            return;
        }
        QStyledItemDelegate::setModelData(editor, model, index);
    }
};

QToolButton* toolButton(const QString& text, const QString& tip, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setText(text);
    button->setToolTip(tip);
    button->setAutoRaise(false);
    return button;
}

/// Undo or Redo with a short, fixed label: the stack's own actions are named after the
/// edit ("Undo Build 20 × 64 stack"), which as button text pushed the panel's controls
/// off-screen. The edit's name goes into the tooltip instead.
QToolButton* makeUndoButton(QUndoStack* stack, bool redo, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setObjectName(redo ? QStringLiteral("redoButton") : QStringLiteral("undoButton"));
    button->setText(redo ? LayerStackEditor::tr("Redo") : LayerStackEditor::tr("Undo"));
    const QIcon icon = QIcon::fromTheme(redo ? QStringLiteral("edit-redo") : QStringLiteral("edit-undo"));
    button->setIcon(icon);
    button->setToolButtonStyle(icon.isNull() ? Qt::ToolButtonTextOnly : Qt::ToolButtonIconOnly);
    const auto update = [button, stack, redo] {
        const QString edit = redo ? stack->redoText() : stack->undoText();
        button->setEnabled(redo ? stack->canRedo() : stack->canUndo());
        const QString keys = QKeySequence(redo ? QKeySequence::Redo : QKeySequence::Undo).toString(QKeySequence::NativeText);
        button->setToolTip(edit.isEmpty() ? button->text() : LayerStackEditor::tr("%1: %2 (%3)").arg(button->text(), edit, keys));
    };
    QObject::connect(stack, &QUndoStack::indexChanged, button, update);
    QObject::connect(stack, &QUndoStack::cleanChanged, button, update);
    QObject::connect(button, &QToolButton::clicked, stack, redo ? &QUndoStack::redo : &QUndoStack::undo);
    update();
    return button;
}

template <typename Widget>
Widget* withTip(Widget* widget, const QString& tip) {
    widget->setToolTip(tip);
    widget->setProperty("baseToolTip", tip);
    return widget;
}

}  // namespace

LayerStackEditor::LayerStackEditor(ExperimentDocument* document, QWidget* parent)
    : QWidget(parent), m_document(document), m_model(new LayerStackModel(document, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto* top = new QHBoxLayout;
    m_modelKind = withTip(new QComboBox(this), tr("Feed-forward stack of dense layers, or a recurrent cell "
                                                  "unrolled over a sequence (depth = time steps)"));
    m_modelKind->addItems({tr("Feed-forward"), tr("Recurrent")});
    top->addWidget(new QLabel(tr("Model"), this));
    top->addWidget(m_modelKind, 1);
    m_undo = makeUndoButton(document->undoStack(), false, this);
    m_redo = makeUndoButton(document->undoStack(), true, this);
    top->addWidget(m_undo);
    top->addWidget(m_redo);
    layout->addLayout(top);

    m_pages = new QStackedWidget(this);
    m_pages->addWidget(createFeedForwardPage());
    m_pages->addWidget(new CellEditor(document, this));
    layout->addWidget(m_pages, 1);

    m_issues = new QLabel(this);
    m_issues->setWordWrap(true);
    m_issues->setTextFormat(Qt::PlainText);
    m_issues->setStyleSheet(QStringLiteral("color: #cc3311;"));
    layout->addWidget(m_issues);

    connect(m_modelKind, &QComboBox::activated, this, &LayerStackEditor::setModelKind);
    connect(document, &ExperimentDocument::configChanged, this, &LayerStackEditor::refresh);
    setTheme(Theme::make(ThemeKind::Light, false));
    refresh();
}

QWidget* LayerStackEditor::createFeedForwardPage() {
    auto* page = new QWidget(this);
    auto* layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);

    auto* quick = new QHBoxLayout;
    m_depth = withTip(new QSpinBox(page), tr("Number of hidden layers for the quick builder"));
    m_depth->setRange(1, core::ExperimentLimits::maxDepth);
    m_width = withTip(new QSpinBox(page), tr("Units per hidden layer for the quick builder"));
    m_width->setRange(1, core::ExperimentLimits::maxWidth);
    auto* build = new QPushButton(tr("Build"), page);
    build->setToolTip(tr("Replace the stack with depth x width identical layers using the defaults below"));
    quick->addWidget(m_depth);
    quick->addWidget(new QLabel(QStringLiteral("\u00d7"), page));
    quick->addWidget(m_width);
    quick->addWidget(build);
    connect(build, &QPushButton::clicked, this, [this] { buildUniform(m_depth->value(), m_width->value()); });
    // Enter in either box builds, as the button would: typing "30", Enter is the quick way.
    // The spin box interprets the typed text before its line edit reports Return.
    for (QSpinBox* box : {m_depth, m_width}) {
        if (auto* line = box->findChild<QLineEdit*>())
            connect(line, &QLineEdit::returnPressed, this, [this] { buildUniform(m_depth->value(), m_width->value()); });
    }

    auto* defaults = new QFormLayout;
    defaults->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    defaults->addRow(tr("Depth \u00d7 width"), quick);
    m_activation = withTip(new QComboBox(page), tr("Default activation: changes every layer that uses the "
                                                   "current default; bold layers keep their override"));
    fillActivationCombo(m_activation);
    m_activation->setObjectName(QStringLiteral("defaultActivation"));
    m_init = withTip(new QComboBox(page), tr("Default weight initializer (applied at Reset); bold layers keep "
                                             "their override"));
    fillInitCombo(m_init);
    m_gain = withTip(new QDoubleSpinBox(page), tr("Default initialisation gain: multiplies the initial weights. "
                                                  "Below 1 gradients vanish faster, above 1 they explode"));
    m_gain->setRange(0.0, core::ExperimentLimits::maxGain);
    m_gain->setDecimals(3);
    m_gain->setSingleStep(0.1);
    auto* mitigations = new QHBoxLayout;
    m_batchNorm = withTip(new QCheckBox(tr("Batch norm"), page),
                          tr("Batch normalisation in every layer (Ioffe & Szegedy 2015): each unit's pre-activations "
                             "re-centred and re-scaled over the batch, y = gamma (x - mean) / sqrt(var + eps) + beta"));
    m_batchNorm->setTristate(false);
    m_layerNorm = withTip(new QCheckBox(tr("Layer norm"), page),
                          tr("Layer normalisation in every layer (Ba et al. 2016): each sample's pre-activations "
                             "re-centred and re-scaled over the layer's units, y = gamma (x - mean) / sqrt(var + eps) + "
                             "beta; no batch statistics, so training and evaluation agree. Replaces batch norm"));
    m_layerNorm->setTristate(false);
    m_skipEvery = withTip(new QSpinBox(page), tr("Residual connections: an identity skip around every k hidden "
                                                 "layers (from layer 2); 0 = none"));
    m_skipEvery->setRange(0, 64);
    m_skipEvery->setSpecialValueText(tr("off"));
    m_skipEvery->setPrefix(tr("skip every "));
    mitigations->addWidget(m_batchNorm);
    mitigations->addWidget(m_layerNorm);
    auto* residual = new QHBoxLayout;
    residual->addWidget(m_skipEvery, 1);
    m_branchScale = withTip(new QComboBox(page), tr("What multiplies each residual block's branch F(h) before the skip adds "
                                                    "h back (needs skips)"));
    m_branchScale->setObjectName(QStringLiteral("branchScale"));
    fillBranchScaleCombo(m_branchScale);
    residual->addWidget(m_branchScale, 1);
    m_fixup = withTip(new QCheckBox(tr("Fixup"), page),
                      tr("Fixup initialisation (Zhang, Dauphin & Ma 2019) for residual stacks without normalisation: "
                         "each branch's last layer starts at W = 0 and its other layers' weights are multiplied by "
                         "B^(-1/(2m-2)) (B blocks, m layers per branch), so every block starts as the identity. "
                         "Needs skips, no batch or layer norm, unscaled branches"));
    m_fixup->setObjectName(QStringLiteral("fixup"));
    m_lsuv = withTip(new QCheckBox(tr("LSUV"), page),
                     tr("LSUV initialisation (Mishkin & Matas 2016): after drawing, each layer's weights, input side "
                        "first, are rescaled on a batch of the data until W h + b has variance 1. Sets the scale from "
                        "the data whatever the initialiser and activation. Not with Fixup"));
    m_lsuv->setObjectName(QStringLiteral("lsuv"));
    auto* initialisation = new QHBoxLayout;
    initialisation->addWidget(m_fixup);
    initialisation->addWidget(m_lsuv);
    initialisation->addStretch(1);
    defaults->addRow(tr("Activation"), m_activation);
    defaults->addRow(tr("Initializer"), m_init);
    defaults->addRow(tr("Gain"), m_gain);
    defaults->addRow(tr("Mitigations"), mitigations);
    defaults->addRow(tr("Residual"), residual);
    // A row of its own: beside the skip controls it widened the dock past a comparison at 1366x768.
    defaults->addRow(QString(), initialisation);
    layout->addLayout(defaults);

    m_table = new QTableView(page);
    m_table->setModel(m_model);
    m_table->setItemDelegate(new LayerDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setDragDropMode(QAbstractItemView::InternalMove);
    m_table->setDragEnabled(true);
    m_table->setAcceptDrops(true);
    m_table->setDropIndicatorShown(true);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::SelectedClicked |
                             QAbstractItemView::EditKeyPressed | QAbstractItemView::AnyKeyPressed);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LayerStackModel::ActivationColumn, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(LayerStackModel::InitColumn, QHeaderView::Stretch);
    m_table->setToolTip(tr("Hidden layers, input side first. Double-click a cell to edit; drag rows to reorder"));
    layout->addWidget(m_table, 1);

    auto* buttons = new QHBoxLayout;
    auto* add = toolButton(tr("Add"), tr("Add a layer after the selection (a copy of it)"), page);
    auto* duplicate = toolButton(tr("Duplicate"), tr("Duplicate the selected layers"), page);
    auto* remove = toolButton(tr("Remove"), tr("Remove the selected layers"), page);
    auto* up = toolButton(QStringLiteral("\u2191"), tr("Move the selected layers towards the input"), page);
    auto* down = toolButton(QStringLiteral("\u2193"), tr("Move the selected layers towards the output"), page);
    for (auto* b : {add, duplicate, remove, up, down}) buttons->addWidget(b);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    // Its own line: beside the buttons it would make the dock too wide for 1366x768.
    m_summary = new QLabel(page);
    m_summary->setObjectName(QStringLiteral("layerStackSummary"));
    m_summary->setToolTip(tr("Trainable parameters of the stack (weights and biases, or batch or layer norm's scale and shift)"));
    m_summary->setEnabled(false);  // muted text from the style
    layout->addWidget(m_summary);

    connect(add, &QToolButton::clicked, this, &LayerStackEditor::addLayer);
    connect(duplicate, &QToolButton::clicked, this, &LayerStackEditor::duplicateLayers);
    connect(remove, &QToolButton::clicked, this, &LayerStackEditor::removeLayers);
    connect(up, &QToolButton::clicked, this, [this] { moveSelection(-1); });
    connect(down, &QToolButton::clicked, this, [this] { moveSelection(+1); });
    connect(m_activation, &QComboBox::activated, this,
            [this](int index) { setDefaultActivation(m_activation->itemData(index).toInt()); });
    connect(m_init, &QComboBox::activated, this, [this](int index) { setDefaultInit(m_init->itemData(index).toInt()); });
    connect(m_gain, &QDoubleSpinBox::valueChanged, this, &LayerStackEditor::setDefaultGain);
    connect(m_batchNorm, &QCheckBox::clicked, this, &LayerStackEditor::setAllBatchNorm);
    connect(m_layerNorm, &QCheckBox::clicked, this, &LayerStackEditor::setAllLayerNorm);
    connect(m_skipEvery, &QSpinBox::valueChanged, this, &LayerStackEditor::setResidual);
    connect(m_branchScale, &QComboBox::activated, this,
            [this](int index) { setBranchScale(m_branchScale->itemData(index).toInt()); });
    connect(m_fixup, &QCheckBox::clicked, this, &LayerStackEditor::setFixup);
    connect(m_lsuv, &QCheckBox::clicked, this, &LayerStackEditor::setLsuv);
    return page;
}

void LayerStackEditor::setTheme(const Theme& theme) {
    // Residual bands: the accent and secondary hues, faint enough to read text over.
    QColor even = theme.accent, odd = theme.secondary;
    even.setAlpha(45);
    odd.setAlpha(45);
    m_model->setBandColors(even, odd);
}

void LayerStackEditor::refresh() {
    const core::ExperimentConfig& config = m_document->config();
    const QList<QWidget*> widgets{m_modelKind, m_depth,     m_width,     m_activation,  m_init, m_gain,
                                  m_batchNorm, m_layerNorm, m_skipEvery, m_branchScale, m_fixup, m_lsuv};
    for (QWidget* w : widgets) w->blockSignals(true);
    const bool recurrent = config.model == core::ModelKind::Recurrent;
    m_modelKind->setCurrentIndex(recurrent ? 1 : 0);
    m_pages->setCurrentIndex(recurrent ? 1 : 0);

    const auto& layers = config.layers;
    m_depth->setValue(int(layers.size()));
    if (!layers.empty()) {
        // The quick builder starts from the widest-used width, i.e. the hidden width.
        std::vector<int> widths;
        for (const auto& l : layers) widths.push_back(l.width);
        std::sort(widths.begin(), widths.end());
        m_width->setValue(widths[widths.size() / 2]);
    }
    selectByData(m_activation, int(defaultActivation(config).kind));
    selectByData(m_init, int(defaultInit(config).kind));
    m_gain->setValue(defaultInit(config).gain);
    const auto withBn = std::count_if(layers.begin(), layers.end(), [](const auto& l) { return l.batchNorm; });
    m_batchNorm->setCheckState(withBn == 0                          ? Qt::Unchecked
                               : withBn == qsizetype(layers.size()) ? Qt::Checked
                                                                    : Qt::PartiallyChecked);
    const auto withLn = std::count_if(layers.begin(), layers.end(), [](const auto& l) { return l.layerNorm; });
    m_layerNorm->setCheckState(withLn == 0                          ? Qt::Unchecked
                               : withLn == qsizetype(layers.size()) ? Qt::Checked
                                                                    : Qt::PartiallyChecked);
    m_skipEvery->setValue(config.residual.every);
    selectByData(m_branchScale, int(config.residual.branchScale));
    m_branchScale->setEnabled(config.residual.every > 0);
    m_fixup->setChecked(config.residual.fixup);
    // Checked but refused (say, batch norm added later) stays clickable, so it can be turned off.
    m_fixup->setEnabled(config.residual.every > 0 || config.residual.fixup);
    m_lsuv->setChecked(config.lsuv);
    m_summary->setText(tr("%1 layers, %L2 parameters").arg(layers.size()).arg(qint64(core::parameterCount(config))));

    for (QWidget* w : widgets) w->blockSignals(false);

    // Model-level problems; per-layer ones are marked in their table cells too.
    QStringList lines;
    for (const auto& issue : m_document->issues())
        if (issue.field.rfind("model", 0) == 0 || issue.field.rfind("data.sequence", 0) == 0)
            lines << QString::fromStdString(issue.text());
    if (lines.size() > 4) lines = lines.mid(0, 4) << tr("(%1 more)").arg(lines.size() - 4);
    m_issues->setText(lines.join(QLatin1Char('\n')));
    m_issues->setVisible(!lines.isEmpty());
}

QList<int> LayerStackEditor::selectedRows() const {
    QList<int> rows;
    for (const QModelIndex& index : m_table->selectionModel()->selectedRows()) rows << index.row();
    std::sort(rows.begin(), rows.end());
    if (rows.isEmpty() && m_table->currentIndex().isValid()) rows << m_table->currentIndex().row();
    return rows;
}

void LayerStackEditor::selectRows(int first, int count) {
    const int rows = m_model->rowCount();
    if (rows == 0) return;
    first = std::clamp(first, 0, rows - 1);
    const int last = std::clamp(first + count - 1, first, rows - 1);
    m_table->clearSelection();
    m_table->setCurrentIndex(m_model->index(first, LayerStackModel::WidthColumn));
    m_table->selectionModel()->select(
        QItemSelection(m_model->index(first, 0), m_model->index(last, LayerStackModel::ColumnCount - 1)),
        QItemSelectionModel::Select);
}

void LayerStackEditor::addLayer() {
    core::ExperimentConfig config = m_document->config();
    const QList<int> rows = selectedRows();
    const int after = rows.isEmpty() ? int(config.layers.size()) - 1 : rows.back();
    core::LayerSpec layer = after >= 0 ? config.layers[after] : core::LayerSpec{};
    config.layers.insert(config.layers.begin() + (after + 1), layer);
    m_document->setConfig(config, tr("Add layer"));
    selectRows(after + 1, 1);
}

void LayerStackEditor::duplicateLayers() {
    const QList<int> rows = selectedRows();
    if (rows.isEmpty()) return;
    core::ExperimentConfig config = m_document->config();
    std::vector<core::LayerSpec> copies;
    for (int r : rows) copies.push_back(config.layers[r]);
    config.layers.insert(config.layers.begin() + (rows.back() + 1), copies.begin(), copies.end());
    m_document->setConfig(config, tr("Duplicate layers"));
    selectRows(rows.back() + 1, int(copies.size()));
}

void LayerStackEditor::removeLayers() {
    const QList<int> rows = selectedRows();
    core::ExperimentConfig config = m_document->config();
    // Keep at least one layer: an empty stack cannot be trained.
    if (rows.isEmpty() || rows.size() >= qsizetype(config.layers.size())) return;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) config.layers.erase(config.layers.begin() + *it);
    m_document->setConfig(config, rows.size() == 1 ? tr("Remove layer %1").arg(rows.front() + 1) : tr("Remove layers"));
    selectRows(rows.front(), 1);
}

void LayerStackEditor::moveSelection(int delta) {
    const QList<int> rows = selectedRows();
    if (rows.isEmpty()) return;
    const int first = rows.front() + delta;
    if (first < 0 || rows.back() + delta >= m_model->rowCount()) return;
    // moveLayers takes the insertion point in the original numbering.
    m_model->moveLayers(rows, delta < 0 ? first : rows.back() + 2);
    selectRows(first, int(rows.size()));
}

void LayerStackEditor::buildUniform(int depth, int width) {
    core::ExperimentConfig config = m_document->config();
    core::LayerSpec layer;
    layer.width = width;
    layer.activation = defaultActivation(config);
    layer.init = defaultInit(config);
    layer.batchNorm = m_batchNorm->checkState() == Qt::Checked;
    layer.layerNorm = m_layerNorm->checkState() == Qt::Checked;
    config.layers.assign(depth, layer);
    m_document->setConfig(config, tr("Build %1 \u00d7 %2 stack").arg(depth).arg(width));
}

void LayerStackEditor::setModelKind(int index) {
    core::ExperimentConfig config = m_document->config();
    config.model = index == 1 ? core::ModelKind::Recurrent : core::ModelKind::FeedForward;
    // Each model kind needs a data set of its kind; pick the first that fits.
    const bool sequence = config.model == core::ModelKind::Recurrent;
    if (core::dataKindInfo(config.data.kind).sequence != sequence) {
        for (const auto& info : core::dataKindRegistry()) {
            if (info.sequence == sequence) {
                config.data.kind = info.kind;
                break;
            }
        }
        fitLossToData(config);
    }
    m_document->setConfig(config, tr("Change model kind"));
}

void LayerStackEditor::setDefaultActivation(int kind) {
    core::ExperimentConfig config = m_document->config();
    const core::ActivationSpec old = defaultActivation(config);
    for (auto& layer : config.layers)
        if (layer.activation == old) layer.activation.kind = core::ActivationKind(kind);
    m_document->setConfig(config, tr("Change default activation"));
}

void LayerStackEditor::setDefaultInit(int kind) {
    core::ExperimentConfig config = m_document->config();
    const core::InitSpec old = defaultInit(config);
    for (auto& layer : config.layers)
        if (layer.init == old) layer.init.kind = core::InitKind(kind);
    m_document->setConfig(config, tr("Change default initializer"));
}

void LayerStackEditor::setDefaultGain(double gain) {
    core::ExperimentConfig config = m_document->config();
    const core::InitSpec old = defaultInit(config);
    for (auto& layer : config.layers)
        if (layer.init == old) layer.init.gain = gain;
    m_document->setConfig(config, tr("Change default gain"), ExperimentDocument::MergeGain);
}

void LayerStackEditor::setAllBatchNorm(bool on) {
    core::ExperimentConfig config = m_document->config();
    for (auto& layer : config.layers) {
        layer.batchNorm = on;
        if (on) layer.layerNorm = false;  // one normalisation per layer
    }
    m_document->setConfig(config, on ? tr("Batch norm on") : tr("Batch norm off"));
}

void LayerStackEditor::setAllLayerNorm(bool on) {
    core::ExperimentConfig config = m_document->config();
    for (auto& layer : config.layers) {
        layer.layerNorm = on;
        if (on) layer.batchNorm = false;
    }
    m_document->setConfig(config, on ? tr("Layer norm on") : tr("Layer norm off"));
}

void LayerStackEditor::setResidual(int every) {
    core::ExperimentConfig config = m_document->config();
    config.residual.every = every;
    // Without skips there is no branch to scale (the validator would refuse the config).
    if (every == 0) {
        config.residual.branchScale = core::BranchScaleKind::None;
        config.residual.fixup = false;
    }
    m_document->setConfig(config, tr("Change residual skips"), ExperimentDocument::MergeMisc);
}

void LayerStackEditor::setBranchScale(int kind) {
    core::ExperimentConfig config = m_document->config();
    config.residual.branchScale = core::BranchScaleKind(kind);
    m_document->setConfig(config, tr("Change residual branch scaling"));
}

void LayerStackEditor::setFixup(bool on) {
    core::ExperimentConfig config = m_document->config();
    config.residual.fixup = on;
    m_document->setConfig(config, on ? tr("Fixup on") : tr("Fixup off"));
}

void LayerStackEditor::setLsuv(bool on) {
    core::ExperimentConfig config = m_document->config();
    config.lsuv = on;
    m_document->setConfig(config, on ? tr("LSUV on") : tr("LSUV off"));
}

}  // namespace gradflow::ui
