#include "ui/cell_editor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

#include "core/config/experiment_validation.h"
#include "core/model/activation.h"
#include "ui/experiment_document.h"
#include "ui/registry_combos.h"

namespace gradflow::ui {

namespace {
template <typename Widget>
Widget* withTip(Widget* widget, const QString& tip) {
    widget->setToolTip(tip);
    widget->setProperty("baseToolTip", tip);
    return widget;
}
}  // namespace

template <typename Change>
void CellEditor::edit(const QString& what, int mergeId, Change change) {
    core::ExperimentConfig config = m_document->config();
    change(config);
    m_document->setConfig(config, what, mergeId);
}

CellEditor::CellEditor(ExperimentDocument* document, QWidget* parent) : QWidget(parent), m_document(document) {
    QWidget* page = this;
    auto* form = new QFormLayout(page);
    form->setContentsMargins(0, 0, 0, 0);
    m_cell = withTip(new QComboBox(page), tr("Recurrent cell: vanilla h' = phi(W h + U x + b); LSTM and GRU add "
                                             "gates that let gradients pass through time"));
    fillCellCombo(m_cell);
    m_cellActivation = withTip(new QComboBox(page), tr("Activation of the vanilla cell (tanh or ReLU)"));
    for (auto kind : {core::ActivationKind::Tanh, core::ActivationKind::Relu}) {
        m_cellActivation->addItem(fromView(core::activationInfo(kind).label), int(kind));
        m_cellActivation->setItemData(m_cellActivation->count() - 1, fromView(core::activationInfo(kind).formula),
                                      Qt::ToolTipRole);
    }
    m_hidden = withTip(new QSpinBox(page), tr("Units in the hidden state"));
    m_hidden->setRange(1, core::ExperimentLimits::maxHiddenSize);
    m_sequence = withTip(new QSpinBox(page), tr("Time steps per sequence: the depth the gradient must travel"));
    m_sequence->setRange(1, core::ExperimentLimits::maxSequenceLength);
    m_recurrentInit = withTip(new QComboBox(page), tr("Initializer of the recurrent matrix W"));
    fillInitCombo(m_recurrentInit);
    m_recurrentGain = withTip(new QDoubleSpinBox(page), tr("Gain of the recurrent matrix: its spectral radius "
                                                           "decides vanishing (< 1) or exploding (> 1)"));
    m_recurrentGain->setRange(0.0, core::ExperimentLimits::maxGain);
    m_recurrentGain->setDecimals(3);
    m_recurrentGain->setSingleStep(0.05);
    m_forgetBias = withTip(new QDoubleSpinBox(page), tr("LSTM forget-gate bias at initialisation (1 keeps "
                                                        "memory open early in training)"));
    m_forgetBias->setRange(-100.0, 100.0);
    form->addRow(tr("Cell"), m_cell);
    form->addRow(tr("Activation"), m_cellActivation);
    form->addRow(tr("Hidden size"), m_hidden);
    form->addRow(tr("Sequence length"), m_sequence);
    form->addRow(tr("Recurrent init"), m_recurrentInit);
    form->addRow(tr("Recurrent gain"), m_recurrentGain);
    form->addRow(tr("Forget bias"), m_forgetBias);

    connect(m_cell, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change cell"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.recurrent.cell = core::CellKind(m_cell->itemData(i).toInt()); });
    });
    connect(m_cellActivation, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change cell activation"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.recurrent.activation.kind = core::ActivationKind(m_cellActivation->itemData(i).toInt()); });
    });
    connect(m_hidden, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change hidden size"), ExperimentDocument::MergeHidden, [&](auto& c) { c.recurrent.hiddenSize = v; });
    });
    connect(m_sequence, &QSpinBox::valueChanged, this, [this](int v) {
        edit(tr("Change sequence length"), ExperimentDocument::MergeSequence, [&](auto& c) { c.data.sequenceLength = v; });
    });
    connect(m_recurrentInit, &QComboBox::activated, this, [this](int i) {
        edit(tr("Change recurrent init"), ExperimentDocument::NoMerge,
             [&](auto& c) { c.recurrent.recurrentInit.kind = core::InitKind(m_recurrentInit->itemData(i).toInt()); });
    });
    connect(m_recurrentGain, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        edit(tr("Change recurrent gain"), ExperimentDocument::MergeGain, [&](auto& c) { c.recurrent.recurrentInit.gain = v; });
    });
    connect(m_forgetBias, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        edit(tr("Change forget bias"), ExperimentDocument::MergeMisc, [&](auto& c) { c.recurrent.forgetBias = v; });
    });
    connect(document, &ExperimentDocument::configChanged, this, &CellEditor::refresh);
    refresh();
}

void CellEditor::refresh() {
    const core::ExperimentConfig& config = m_document->config();
    const QList<QWidget*> widgets{m_cell, m_cellActivation, m_hidden, m_sequence, m_recurrentInit, m_recurrentGain, m_forgetBias};
    for (QWidget* w : widgets) w->blockSignals(true);
    selectByData(m_cell, int(config.recurrent.cell));
    selectByData(m_cellActivation, int(config.recurrent.activation.kind));
    m_cellActivation->setEnabled(config.recurrent.cell == core::CellKind::Vanilla);
    m_hidden->setValue(config.recurrent.hiddenSize);
    m_sequence->setValue(config.data.sequenceLength);
    selectByData(m_recurrentInit, int(config.recurrent.recurrentInit.kind));
    m_recurrentGain->setValue(config.recurrent.recurrentInit.gain);
    m_forgetBias->setValue(config.recurrent.forgetBias);
    m_forgetBias->setEnabled(config.recurrent.cell == core::CellKind::Lstm);
    for (QWidget* w : widgets) w->blockSignals(false);
}

}  // namespace gradflow::ui
