#include "ui/registry_combos.h"

#include <QComboBox>

#include "core/config/experiment_names.h"
#include "core/config/optimizer_names.h"
#include "core/config/schedule_names.h"
#include "core/data/dataset.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"

namespace gradflow::ui {

QString fromView(std::string_view text) { return QString::fromUtf8(text.data(), qsizetype(text.size())); }

namespace {

/// One item per registry entry: its label, its kind as data, its formula as tooltip.
template <typename Registry>
void fillFromRegistry(QComboBox* combo, const Registry& registry) {
    combo->clear();
    for (const auto& info : registry) {
        combo->addItem(fromView(info.label), int(info.kind));
        combo->setItemData(combo->count() - 1, fromView(info.formula), Qt::ToolTipRole);
    }
}

}  // namespace

void fillActivationCombo(QComboBox* combo) { fillFromRegistry(combo, core::activationRegistry()); }

void fillInitCombo(QComboBox* combo) { fillFromRegistry(combo, core::initializerRegistry()); }

void fillOptimizerCombo(QComboBox* combo) { fillFromRegistry(combo, core::kOptimizerRegistry); }

void fillScheduleCombo(QComboBox* combo) { fillFromRegistry(combo, core::kScheduleRegistry); }

void fillBranchScaleCombo(QComboBox* combo) { fillFromRegistry(combo, core::kBranchScaleRegistry); }

void fillCellCombo(QComboBox* combo) {
    combo->clear();
    for (const core::CellInfo& info : core::kCellNames) {
        QString label = fromView(info.label);
        label[0] = label[0].toUpper();
        combo->addItem(label, int(info.kind));
    }
}

void fillDataCombo(QComboBox* combo, bool sequence) {
    combo->clear();
    for (const auto& info : core::dataKindRegistry()) {
        if (info.sequence != sequence) continue;
        combo->addItem(fromView(info.label), int(info.kind));
        combo->setItemData(combo->count() - 1, info.classification ? QObject::tr("Classification") : QObject::tr("Regression"),
                           Qt::ToolTipRole);
    }
}

void selectByData(QComboBox* combo, int value) {
    const int index = combo->findData(value);
    combo->setCurrentIndex(index);
    // The combo's own tooltip says what it does; append the current item's formula.
    const QString base = combo->property("baseToolTip").toString();
    const QString item = index >= 0 ? combo->itemData(index, Qt::ToolTipRole).toString() : QString();
    combo->setToolTip(item.isEmpty() ? base : base + QStringLiteral("\n") + item);
}

void fitLossToData(core::ExperimentConfig& config) {
    config.training.loss =
        core::dataKindInfo(config.data.kind).classification ? core::LossKind::CrossEntropy : core::LossKind::MeanSquaredError;
}

}  // namespace gradflow::ui
