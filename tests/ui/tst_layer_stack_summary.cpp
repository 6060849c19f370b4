// The layer editor's summary line shows the core's parameter count, so a batch-norm layer
// counts its scale and shift, not a bias it does not have. The remedies' controls: a layer
// takes one normalisation, the residual branch scaling and Fixup need skips, and a
// layer's dropout rate is edited in its own column within the validator's range.

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLocale>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

#include "core/config/parameter_count.h"
#include "ui/experiment_document.h"
#include "ui/layer_stack_editor.h"
#include "ui/layer_stack_model.h"

using namespace gradflow;

class TestLayerStackSummary : public QObject {
    Q_OBJECT

private slots:
    void showsTheCoreCount();
    void oneNormalisationPerLayer();
    void branchScalingNeedsSkips();
    void fixupNeedsSkips();
    void lsuvTogglesAndIsRefusedWithFixup();
    void dropoutColumnEditsOneLayer();
    void initColumnNamesTheSchemeBriefly();
};

void TestLayerStackSummary::showsTheCoreCount() {
    core::ExperimentConfig config;
    config.data.classes = 3;
    core::LayerSpec plain;
    plain.width = 4;
    core::LayerSpec normalised;
    normalised.width = 5;
    normalised.batchNorm = true;
    core::LayerSpec last;
    last.width = 3;
    config.layers = {plain, normalised, last};

    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    document.replace(config, {});
    auto* summary = editor.findChild<QLabel*>(QStringLiteral("layerStackSummary"));
    QVERIFY(summary);
    // 2*4+4, 4*5 + 5 gamma + 5 beta, 5*3+3, output 3*3+3: 72, not the 67 of "a bias per unit".
    QCOMPARE(core::parameterCount(config), std::int64_t(72));
    QCOMPARE(summary->text(), QStringLiteral("3 layers, 72 parameters"));

    for (core::LayerSpec& layer : config.layers) {
        layer.width = 300;
        layer.batchNorm = true;
    }
    document.replace(config, {});
    QCOMPARE(summary->text(),
             QStringLiteral("3 layers, %1 parameters").arg(QLocale().toString(qint64(core::parameterCount(config)))));
}

void TestLayerStackSummary::oneNormalisationPerLayer() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    document.replace(core::ExperimentConfig{}, {});
    auto* table = editor.findChild<QTableView*>();
    QVERIFY(table);
    QAbstractItemModel* model = table->model();
    const QModelIndex layerNorm = model->index(2, ui::LayerStackModel::LayerNormColumn);
    const QModelIndex batchNorm = model->index(2, ui::LayerStackModel::BatchNormColumn);
    QVERIFY(model->flags(layerNorm) & Qt::ItemIsUserCheckable);
    QVERIFY(!model->data(layerNorm, Qt::ToolTipRole).toString().isEmpty());
    QVERIFY(model->data(layerNorm, Qt::ToolTipRole).toString().contains(QStringLiteral("Ba et al. 2016")));
    QVERIFY(model->setData(layerNorm, Qt::Checked, Qt::CheckStateRole));
    QVERIFY(document.config().layers[2].layerNorm);
    // Checking batch norm on the same layer replaces layer norm: the config stays valid.
    QVERIFY(model->setData(batchNorm, Qt::Checked, Qt::CheckStateRole));
    QVERIFY(document.config().layers[2].batchNorm);
    QVERIFY(!document.config().layers[2].layerNorm);
    QVERIFY(document.issues().empty());
}

void TestLayerStackSummary::branchScalingNeedsSkips() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    core::ExperimentConfig config;
    document.replace(config, {});
    auto* scale = editor.findChild<QComboBox*>(QStringLiteral("branchScale"));
    QVERIFY(scale);
    QVERIFY(!scale->isEnabled());  // no skips, nothing to scale
    config.residual.every = 2;
    document.replace(config, {});
    QVERIFY(scale->isEnabled());
    const int rezero = scale->findData(int(core::BranchScaleKind::ReZero));
    QVERIFY(rezero >= 0);
    QVERIFY(scale->itemData(rezero, Qt::ToolTipRole).toString().contains(QStringLiteral("Bachlechner")));
    emit scale->activated(rezero);
    QCOMPARE(document.config().residual.branchScale, core::BranchScaleKind::ReZero);
    // Eight layers, skips every 2 from layer 2: blocks 2-3, 4-5, 6-7, 8, one alpha each.
    auto* summary = editor.findChild<QLabel*>(QStringLiteral("layerStackSummary"));
    QCOMPARE(core::parameterCount(document.config()), core::parameterCount(config) + 4);
    QCOMPARE(summary->text(),
             QStringLiteral("8 layers, %1 parameters").arg(QLocale().toString(qint64(core::parameterCount(document.config())))));
}

void TestLayerStackSummary::initColumnNamesTheSchemeBriefly() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    core::ExperimentConfig config;
    config.layers[0].init.kind = core::InitKind::HeNormal;
    config.layers[1].init.kind = core::InitKind::XavierUniform;
    config.layers[2].init.kind = core::InitKind::Orthogonal;
    document.replace(config, {});
    QAbstractItemModel* model = editor.findChild<QTableView*>()->model();
    const auto cell = [&](int row, int role) { return model->data(model->index(row, ui::LayerStackModel::InitColumn), role).toString(); };
    QCOMPARE(cell(0, Qt::DisplayRole), QStringLiteral("He normal"));
    QCOMPARE(cell(1, Qt::DisplayRole), QStringLiteral("Xavier uniform"));
    QCOMPARE(cell(2, Qt::DisplayRole), QStringLiteral("Orthogonal"));
    QVERIFY(cell(0, Qt::ToolTipRole).startsWith(QStringLiteral("He / Kaiming normal: ")));
}

void TestLayerStackSummary::fixupNeedsSkips() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    core::ExperimentConfig config;
    document.replace(config, {});
    auto* fixup = editor.findChild<QCheckBox*>(QStringLiteral("fixup"));
    QVERIFY(fixup);
    QVERIFY(!fixup->isEnabled());
    QVERIFY(fixup->toolTip().contains(QStringLiteral("Zhang, Dauphin & Ma 2019")));
    config.residual.every = 2;
    document.replace(config, {});
    QVERIFY(fixup->isEnabled());
    fixup->click();
    QVERIFY(document.config().residual.fixup);
    QVERIFY(document.issues().empty());  // the default stack is tanh: slope 1 at 0
    // Turning the skips off takes Fixup with it, so the config stays valid.
    QSpinBox* skip = nullptr;
    for (QSpinBox* spin : editor.findChildren<QSpinBox*>())
        if (spin->prefix() == QStringLiteral("skip every ")) skip = spin;
    QVERIFY(skip);
    skip->setValue(0);
    QVERIFY(!document.config().residual.fixup);
    QVERIFY(document.issues().empty());
    QVERIFY(!fixup->isChecked());
}

void TestLayerStackSummary::lsuvTogglesAndIsRefusedWithFixup() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    core::ExperimentConfig config;
    document.replace(config, {});
    auto* lsuv = editor.findChild<QCheckBox*>(QStringLiteral("lsuv"));
    QVERIFY(lsuv);
    QVERIFY(lsuv->toolTip().contains(QStringLiteral("Mishkin & Matas 2016")));
    lsuv->click();
    QVERIFY(document.config().lsuv);
    QVERIFY(document.issues().empty());
    // With Fixup both would set the branches' scale: the document says which field.
    config = document.config();
    config.residual.every = 2;
    document.replace(config, {});
    editor.findChild<QCheckBox*>(QStringLiteral("fixup"))->click();
    QVERIFY(document.config().residual.fixup);
    QVERIFY(std::any_of(document.issues().begin(), document.issues().end(),
                        [](const core::ConfigIssue& issue) { return issue.field == "model.lsuv"; }));
    lsuv->click();
    QVERIFY(!document.config().lsuv);
    QVERIFY(document.issues().empty());
    QVERIFY(!lsuv->isChecked());
}

void TestLayerStackSummary::dropoutColumnEditsOneLayer() {
    ui::ExperimentDocument document;
    ui::LayerStackEditor editor(&document);
    document.replace(core::ExperimentConfig{}, {});
    auto* table = editor.findChild<QTableView*>();
    QVERIFY(table);
    QAbstractItemModel* model = table->model();
    const QModelIndex dropout = model->index(3, ui::LayerStackModel::DropoutColumn);
    QVERIFY(model->flags(dropout) & Qt::ItemIsEditable);
    QCOMPARE(model->data(dropout, Qt::DisplayRole).toString(), QString());  // off reads blank
    QVERIFY(model->data(dropout, Qt::ToolTipRole).toString().contains(QStringLiteral("Srivastava et al. 2014")));
    QVERIFY(model->setData(dropout, 0.25, Qt::EditRole));
    QCOMPARE(document.config().layers[3].dropout, 0.25);
    QCOMPARE(document.config().layers[2].dropout, 0.0);
    QCOMPARE(model->data(dropout, Qt::DisplayRole).toString(), QStringLiteral("0.25"));
    // A rate of 1 is refused by the validator, which names the field in the cell's tooltip.
    QVERIFY(model->setData(dropout, 1.0, Qt::EditRole));
    QVERIFY(model->data(dropout, Qt::ToolTipRole).toString().contains(QStringLiteral("model.layers[3].dropout")));
    QVERIFY(model->data(dropout, Qt::ToolTipRole).toString().contains(QStringLiteral("[0, 1)")));
}

QTEST_MAIN(TestLayerStackSummary)
#include "tst_layer_stack_summary.moc"
