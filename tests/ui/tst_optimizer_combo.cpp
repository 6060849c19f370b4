// The optimizer picker shows core's optimizer table: the same kinds in the same order,
// each with its label and update rule, so a new optimizer needs no edit in the UI.

#include <QComboBox>
#include <QTest>

#include "core/config/optimizer_names.h"
#include "ui/experiment_document.h"
#include "ui/training_controls.h"

using namespace gradflow;

class TestOptimizerCombo : public QObject {
    Q_OBJECT

private slots:
    void listsTheCoreTable();
};

void TestOptimizerCombo::listsTheCoreTable() {
    ui::ExperimentDocument document;
    ui::TrainingControls controls(&document);
    auto* combo = controls.findChild<QComboBox*>(QStringLiteral("optimizerCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->count(), int(std::size(core::kOptimizerRegistry)));
    for (int i = 0; i < combo->count(); ++i) {
        const core::OptimizerInfo& info = core::kOptimizerRegistry[i];
        QCOMPARE(combo->itemText(i), QString::fromUtf8(info.label.data(), qsizetype(info.label.size())));
        QCOMPARE(combo->itemData(i).toInt(), int(info.kind));
        QCOMPARE(combo->itemData(i, Qt::ToolTipRole).toString(),
                 QString::fromUtf8(info.formula.data(), qsizetype(info.formula.size())));
    }
    // The rules keep their symbols on their way through core (UTF-8 there, UTF-16 here).
    QCOMPARE(combo->itemData(0, Qt::ToolTipRole).toString(), QStringLiteral("w \u2190 w \u2212 \u03b7 g"));
    QCOMPARE(combo->itemText(2), QStringLiteral("RMSProp"));
}

QTEST_MAIN(TestOptimizerCombo)
#include "tst_optimizer_combo.moc"
