// The layer editor's summary line shows the core's parameter count, so a batch-norm layer
// counts its scale and shift, not a bias it does not have.

#include <QLabel>
#include <QLocale>
#include <QTest>

#include "core/config/parameter_count.h"
#include "ui/experiment_document.h"
#include "ui/layer_stack_editor.h"

using namespace gradflow;

class TestLayerStackSummary : public QObject {
    Q_OBJECT

private slots:
    void showsTheCoreCount();
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

QTEST_MAIN(TestLayerStackSummary)
#include "tst_layer_stack_summary.moc"
