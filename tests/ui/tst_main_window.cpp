// The application window as a user drives it: editing the stack changes the built model,
// Train / Pause / Step / Reset drive the worker, a diverging lesson ends in the diverged
// state, closing mid-run is clean, undo/redo restores edits. Offscreen; waits on
// conditions, never on sleeps.

#include <QAction>
#include <QComboBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>
#include <random>

#include "core/model/activation.h"
#include "tests/support/exact_compare.h"
#include "ui/compare_menu.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/layer_stack_editor.h"
#include "ui/layer_stack_model.h"
#include "ui/main_window.h"
#include "window_fixture.h"
#include "ui/plots/plot_view.h"

using namespace gradflow;
using State = ui::TrainingWorker::State;

using ui::testdata::makeWindow;
using ui::testdata::waitFor;

namespace {

/// A comparison settles two 20-layer runs, each with a fresh Jacobian spectrum: seconds
/// under AddressSanitizer at -O1. The wait ends as soon as the condition holds.
constexpr int kSlowWaitMs = 180000;

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void quickBuilderChangesBuiltModel();
    void tableEditAndUndoRedo();
    void addDuplicateRemoveMove();
    void defaultActivationKeepsOverrides();
    void invalidEditIsShownInline();
    void trainPauseStepReset();
    void learningRateAppliesLive();
    void divergingLessonEndsDiverged();
    void saveAndReopen();
    void closeMidRunIsClean();
    void hammerActions();
    void compareInOneClick();
    void savedRunReplaysBitForBit();
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
    QCoreApplication::setOrganizationName(QStringLiteral("GradFlowTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_main_window"));
}

void TestMainWindow::quickBuilderChangesBuiltModel() {
    auto window = makeWindow();
    QVERIFY(window);
    QVERIFY(!window->resetPending());
    window->layerEditor()->buildUniform(5, 16);
    const auto& config = window->document()->config();
    QCOMPARE(config.layers.size(), std::size_t(5));
    QVERIFY(std::all_of(config.layers.begin(), config.layers.end(), [](const auto& l) { return l.width == 16; }));
    QVERIFY(window->resetPending());  // structure changes wait for Reset
    window->resetAction()->trigger();
    QVERIFY(!window->resetPending());
    QVERIFY(waitFor([&] {
        const auto snapshot = window->lastSnapshot();
        return snapshot && snapshot->depthUnits == 6 && snapshot->config.layers.size() == 5;
    }));
}

void TestMainWindow::tableEditAndUndoRedo() {
    auto window = makeWindow();
    QVERIFY(window);
    auto* model = window->layerEditor()->model();
    const int before = window->document()->config().layers[1].width;
    QVERIFY(model->setData(model->index(1, ui::LayerStackModel::WidthColumn), 33, Qt::EditRole));
    QCOMPARE(window->document()->config().layers[1].width, 33);
    QCOMPARE(model->index(1, ui::LayerStackModel::WidthColumn).data().toInt(), 33);
    QVERIFY(window->document()->isModified());
    window->document()->undoStack()->undo();
    QCOMPARE(window->document()->config().layers[1].width, before);
    QVERIFY(!window->document()->isModified());
    window->document()->undoStack()->redo();
    QCOMPARE(window->document()->config().layers[1].width, 33);
}

void TestMainWindow::addDuplicateRemoveMove() {
    auto window = makeWindow();
    QVERIFY(window);
    auto* editor = window->layerEditor();
    auto* model = editor->model();
    const std::size_t depth = window->document()->config().layers.size();
    QVERIFY(model->setData(model->index(0, ui::LayerStackModel::WidthColumn), 7, Qt::EditRole));
    editor->table()->selectRow(0);
    editor->duplicateLayers();
    QCOMPARE(window->document()->config().layers.size(), depth + 1);
    QCOMPARE(window->document()->config().layers[1].width, 7);
    editor->table()->selectRow(1);
    editor->moveSelection(+1);
    QCOMPARE(window->document()->config().layers[2].width, 7);
    QCOMPARE(window->document()->config().layers[1].width, 64);
    model->moveLayers({2}, depth + 1);  // drag to the end
    QCOMPARE(window->document()->config().layers.back().width, 7);
    editor->table()->selectRow(int(depth));
    editor->removeLayers();
    QCOMPARE(window->document()->config().layers.size(), depth);
    editor->addLayer();
    QCOMPARE(window->document()->config().layers.size(), depth + 1);
    // Every edit is one undo step: undo them all and the stack is as loaded.
    auto* undo = window->document()->undoStack();
    while (undo->canUndo()) undo->undo();
    QCOMPARE(window->document()->config().layers.size(), depth);
    QCOMPARE(window->document()->config().layers[0].width, 64);
}

void TestMainWindow::defaultActivationKeepsOverrides() {
    auto window = makeWindow();
    QVERIFY(window);
    auto* model = window->layerEditor()->model();
    QVERIFY(
        model->setData(model->index(3, ui::LayerStackModel::ActivationColumn), int(core::ActivationKind::Relu), Qt::EditRole));
    // The override is marked (bold) and keeps its value when the default changes.
    QVERIFY(model->index(3, ui::LayerStackModel::ActivationColumn).data(Qt::FontRole).isValid());
    auto config = window->document()->config();
    QCOMPARE(ui::defaultActivation(config).kind, core::ActivationKind::Sigmoid);
    auto* combo = window->layerEditor()->findChild<QComboBox*>(QStringLiteral("defaultActivation"));
    QVERIFY(combo);
    const int tanh = combo->findData(int(core::ActivationKind::Tanh));
    QVERIFY(tanh >= 0);
    combo->setCurrentIndex(tanh);
    emit combo->activated(tanh);
    config = window->document()->config();
    QCOMPARE(config.layers[0].activation.kind, core::ActivationKind::Tanh);
    QCOMPARE(config.layers[3].activation.kind, core::ActivationKind::Relu);
    QVERIFY(model->index(0, ui::LayerStackModel::ActivationColumn)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QString::fromUtf8(core::activationInfo(core::ActivationKind::Tanh).formula.data())));
}

void TestMainWindow::invalidEditIsShownInline() {
    auto window = makeWindow();
    QVERIFY(window);
    auto* model = window->layerEditor()->model();
    QVERIFY(model->setData(model->index(2, ui::LayerStackModel::WidthColumn), 0, Qt::EditRole));
    QVERIFY(!window->document()->isValid());
    const QModelIndex cell = model->index(2, ui::LayerStackModel::WidthColumn);
    QVERIFY(cell.data(Qt::BackgroundRole).isValid());
    QVERIFY(cell.data(Qt::ToolTipRole).toString().contains(QStringLiteral("model.layers[2].width")));
    QVERIFY(!window->resetAction()->isEnabled());
    window->document()->undoStack()->undo();
    QVERIFY(window->resetAction()->isEnabled());
}

void TestMainWindow::trainPauseStepReset() {
    auto window = makeWindow();
    QVERIFY(window);
    auto* worker = window->worker();
    window->trainAction()->trigger();
    QVERIFY(waitFor([&] { return worker->state() == State::Running && worker->stepsDone() > 5; }));
    QVERIFY(waitFor([&] { return window->lastSnapshot() && window->lastSnapshot()->stepsDone > 0; }));
    window->trainAction()->trigger();  // same action pauses
    QVERIFY(waitFor([&] { return worker->state() == State::Paused; }));
    const auto at = worker->stepsDone();
    window->stepAction()->trigger();
    QVERIFY(waitFor([&] { return worker->stepsDone() == at + 1 && worker->state() == State::Paused; }));
    QVERIFY(waitFor([&] { return window->lastSnapshot()->stepsDone == at + 1; }));
    QVERIFY(!window->history().entries().empty());
    window->resetAction()->trigger();
    QVERIFY(waitFor([&] { return worker->stepsDone() == 0 && worker->state() == State::Paused; }));
    QVERIFY(waitFor([&] { return window->lastSnapshot() && window->lastSnapshot()->stepsDone == 0; }));
    QVERIFY(window->history().entries().empty());
}

void TestMainWindow::learningRateAppliesLive() {
    auto window = makeWindow();
    QVERIFY(window);
    window->trainAction()->trigger();
    auto config = window->document()->config();
    config.training.optimizer.learningRate = 0.2;
    window->document()->setConfig(config, QStringLiteral("lr"));
    QVERIFY(!window->resetPending());
    QVERIFY(waitFor([&] {
        const auto s = window->lastSnapshot();
        return s && s->running && s->config.training.optimizer.learningRate == 0.2;
    }));
}

void TestMainWindow::divergingLessonEndsDiverged() {
    auto window = makeWindow(QStringLiteral("exploding-large-weights"));
    QVERIFY(window);
    window->trainAction()->trigger();
    QVERIFY(waitFor([&] { return window->worker()->state() == State::Diverged; }, 60000));
    QVERIFY(waitFor([&] { return window->lastSnapshot() && window->lastSnapshot()->divergence.diverged; }));
    // Train after divergence starts over from fresh weights.
    window->trainAction()->trigger();
    QVERIFY(waitFor([&] { return window->worker()->state() != State::Diverged; }));
}

void TestMainWindow::saveAndReopen() {
    QTemporaryDir dir;
    auto window = makeWindow();
    QVERIFY(window);
    window->layerEditor()->buildUniform(3, 12);
    const QString path = dir.filePath(QStringLiteral("three.json"));
    QVERIFY(window->document()->save(path).isEmpty());
    QVERIFY(!window->document()->isModified());
    auto other = makeWindow(QStringLiteral("he-relu-healthy"));
    QVERIFY(other);
    QVERIFY(other->openFile(path));
    QCOMPARE(other->document()->config(), window->document()->config());
    QVERIFY(waitFor([&] { return other->lastSnapshot() && other->lastSnapshot()->depthUnits == 4; }));
}

void TestMainWindow::closeMidRunIsClean() {
    auto window = makeWindow();
    QVERIFY(window);
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    window->trainAction()->trigger();
    QVERIFY(waitFor([&] { return window->worker()->stepsDone() > 10; }));
    QVERIFY(window->close());
    QVERIFY(!window->worker()->isThreadRunning());
    window.reset();
}

void TestMainWindow::hammerActions() {
    auto window = makeWindow();
    QVERIFY(window);
    std::mt19937 rng(5);
    QAction* actions[] = {window->trainAction(), window->stepAction(), window->resetAction()};
    for (int i = 0; i < 1000; ++i) {
        actions[rng() % 3]->trigger();
        if (i % 10 == 0) QCoreApplication::processEvents();
    }
    QVERIFY(waitFor([&] {
        const auto s = window->worker()->state();
        return s == State::Paused || s == State::Running;
    }));
    window.reset();  // destroying mid-run joins the worker
}

void TestMainWindow::compareInOneClick() {
    auto window = makeWindow();
    QVERIFY(window);
    window->layerEditor()->buildUniform(6, 16);  // the lesson's sigmoid stack, small: sanitizer builds stay quick
    window->resetRun();
    QAction* compare = window->compareAction();
    QVERIFY(compare->isEnabled());
    QVERIFY2(compare->text().contains(QStringLiteral("batch norm")), qPrintable(compare->text()));
    compare->trigger();  // the one click
    QCOMPARE(window->comparisonChange(), QStringLiteral("batch-norm-on"));
    QVERIFY(window->dashboard()->comparing());
    window->worker()->step(20);
    QVERIFY(waitFor(
        [&] {
            const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
            return a && b && a->stepsDone == 20 && b->stepsDone == 20 && !a->running && !b->running;
        },
        kSlowWaitMs));
    const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
    for (const auto& layer : a->config.layers) QVERIFY(!layer.batchNorm);
    for (const auto& layer : b->config.layers) QVERIFY(layer.batchNorm);
    QCOMPARE(b->config.seed, a->config.seed);
    QCOMPARE(window->comparisonHistory().entries().size(), window->history().entries().size());
    QCOMPARE(window->history().entries().back().step, window->comparisonHistory().entries().back().step);
    const auto* gradientsA = window->dashboard()->view(QStringLiteral("gradients"));
    const auto* gradientsB = window->dashboard()->comparisonViews().front();
    QCOMPARE(gradientsB->name(), gradientsA->name());
    QVERIFY(gradientsA->plot()->yAxis->range() == gradientsB->plot()->yAxis->range());

    // Any other change from the menu, and a live edit reaches both sides with B's change kept.
    emit window->compareMenu()->aboutToShow();
    QAction* lowerRate = nullptr;
    for (QAction* action : window->compareMenu()->actions())
        if (action->data().toString() == QStringLiteral("learning-rate-down")) lowerRate = action;
    QVERIFY(lowerRate);
    lowerRate->trigger();
    QCOMPARE(window->comparisonChange(), QStringLiteral("learning-rate-down"));
    auto config = window->document()->config();
    config.training.optimizer.learningRate = 0.4;
    window->document()->setConfig(config, QStringLiteral("lr"));
    window->worker()->step(1);
    QVERIFY(waitFor(
        [&] {
            const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
            return a && b && a->stepsDone == 1 && b->stepsDone == 1 && a->config.training.optimizer.learningRate == 0.4 &&
                   std::abs(b->config.training.optimizer.learningRate - 0.04) < 1e-15;
        },
        kSlowWaitMs));

    // The same button now stops the comparison; A goes on from where it stood.
    QVERIFY(compare->text().contains(QStringLiteral("Stop")));
    compare->trigger();
    QVERIFY(window->comparisonChange().isEmpty());
    QVERIFY(!window->dashboard()->comparing());
    QVERIFY(waitFor([&] { return window->lastSnapshot() && window->lastSnapshot()->stepsDone == 1; }, kSlowWaitMs));
    QVERIFY(!window->lastComparisonSnapshot());
    QVERIFY(compare->text().contains(QStringLiteral("batch norm")));
}

void TestMainWindow::savedRunReplaysBitForBit() {
    QTemporaryDir dir;
    auto window = makeWindow();
    QVERIFY(window);
    window->layerEditor()->buildUniform(6, 16);
    QVERIFY(window->startComparison(QStringLiteral("batch-norm-on")));
    window->worker()->step(37);
    QVERIFY(waitFor(
        [&] {
            const auto a = window->lastSnapshot(), b = window->lastComparisonSnapshot();
            return a && b && a->stepsDone == 37 && b->stepsDone == 37 && !a->running;
        },
        kSlowWaitMs));
    const core::StepStats a = *window->lastSnapshot()->latest, b = *window->lastComparisonSnapshot()->latest;
    const QString path = dir.filePath(QStringLiteral("run.json"));
    const auto run = window->runState();
    QCOMPARE(run.stepsDone, std::int64_t(37));
    QCOMPARE(QString::fromStdString(run.comparison), QStringLiteral("batch-norm-on"));
    QVERIFY(window->document()->save(path, run).isEmpty());

    auto other = makeWindow(QStringLiteral("he-relu-healthy"));
    QVERIFY(other);
    QVERIFY(other->openFile(path));
    QCOMPARE(other->comparisonChange(), QStringLiteral("batch-norm-on"));
    QVERIFY(waitFor(
        [&] {
            const auto x = other->lastSnapshot(), y = other->lastComparisonSnapshot();
            return x && y && x->stepsDone == 37 && y->stepsDone == 37 && !x->running && x->latest && y->latest;
        },
        kSlowWaitMs));
    // Same config, seed and steps: the same numbers, to the bit.
    const core::StepStats& x = *other->lastSnapshot()->latest;
    const core::StepStats& y = *other->lastComparisonSnapshot()->latest;
    GRADFLOW_COMPARE_BITS(x.loss, a.loss);
    GRADFLOW_COMPARE_BITS(y.loss, b.loss);
    GRADFLOW_COMPARE_BITS(x.gradNorm, a.gradNorm);
    GRADFLOW_COMPARE_BITS(y.gradNorm, b.gradNorm);
    QCOMPARE(x.layers.size(), a.layers.size());
    QCOMPARE(y.layers.size(), b.layers.size());
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        GRADFLOW_COMPARE_BITS(x.layers[l].weightGradNorm, a.layers[l].weightGradNorm);
        GRADFLOW_COMPARE_BITS(x.layers[l].activationGradNorm, a.layers[l].activationGradNorm);
    }
    for (std::size_t l = 0; l < b.layers.size(); ++l) {
        GRADFLOW_COMPARE_BITS(y.layers[l].weightGradNorm, b.layers[l].weightGradNorm);
        GRADFLOW_COMPARE_BITS(y.layers[l].activationGradNorm, b.layers[l].activationGradNorm);
    }
    QVERIFY(!other->resetPending());

    // Edited settings cannot be replayed from: the file then records no run.
    auto config = window->document()->config();
    config.seed += 1;
    window->document()->setConfig(config, QStringLiteral("seed"));
    QVERIFY(window->resetPending());
    QCOMPARE(window->runState().stepsDone, std::int64_t(0));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
