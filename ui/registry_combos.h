#pragma once
// Combo boxes filled from core's registries (activations, initializers, optimizers, learning-rate
// schedules, data sets), so a
// new entry in core appears in every editor with its label and formula, untouched here.
// Item data is the enum value as int; each item's tooltip gives the formula.

#include <QString>
#include <string_view>

#include "core/config/experiment_config.h"

class QComboBox;

namespace gradflow::ui {

QString fromView(std::string_view text);

void fillActivationCombo(QComboBox* combo);
void fillInitCombo(QComboBox* combo);
void fillOptimizerCombo(QComboBox* combo);
void fillScheduleCombo(QComboBox* combo);
void fillBranchScaleCombo(QComboBox* combo);
/// Recurrent cells, labelled as core describes them (capitalised: "Vanilla RNN", "LSTM").
void fillCellCombo(QComboBox* combo);
/// Data sets for feed-forward (`sequence` false) or recurrent models.
void fillDataCombo(QComboBox* combo, bool sequence);
/// Selects the item whose data is `value`; keeps the tooltip in step with the choice.
void selectByData(QComboBox* combo, int value);

/// Keeps the loss consistent with the data set (cross-entropy for classification, mean
/// squared error for regression): the validator rejects the other pairings.
void fitLossToData(core::ExperimentConfig& config);

}  // namespace gradflow::ui
