// The window as a class meets it: a right click on any plot opens its menu, File > Export
// lets the user pick the figure, the network panel stays usable (short Undo / Redo,
// Enter builds, Ctrl+Z undoes from a spin box), the lesson text wraps to its dock, the
// Lessons menu follows the course, and F1 explains the view under the mouse. Offscreen;
// waits on conditions, never on sleeps.

#include <QAction>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDialog>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/layer_stack_editor.h"
#include "ui/lesson_panel.h"
#include "ui/main_window.h"
#include "window_fixture.h"
#include "ui/plots/loss_plot.h"
#include "ui/plots/plot_view.h"
#include "ui/training_controls.h"
#include "ui/view_help_window.h"

using namespace gradflow;
using State = ui::TrainingWorker::State;

using ui::testdata::waitFor;
// Shown and active: these tests use keyboard shortcuts.
using ui::testdata::makeActiveWindow;

namespace {

/// Runs `inspect` on the first popup menu or modal dialog that opens while `trigger`
/// runs (it is closed afterwards), so a test can look inside QMenu::exec / QDialog::exec.
template <typename Widget>
bool inspectWhileOpen(const std::function<void()>& trigger, const std::function<void(Widget*)>& inspect) {
    bool seen = false;
    QTimer poll;
    poll.setInterval(5);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        QWidget* open = QApplication::activePopupWidget();
        if (!open) open = QApplication::activeModalWidget();
        if (auto* widget = qobject_cast<Widget*>(open)) {
            poll.stop();
            seen = true;
            inspect(widget);
            widget->close();
        }
    });
    poll.start();
    trigger();
    poll.stop();
    return seen;
}

QStringList actionTexts(const QMenu* menu) {
    QStringList texts;
    for (const QAction* action : menu->actions())
        if (!action->isSeparator()) texts << action->text();
    return texts;
}

QMenu* menuNamed(ui::MainWindow& window, const QString& title) {
    for (QAction* action : window.menuBar()->actions())
        if (action->menu() && action->text() == title) return action->menu();
    return nullptr;
}

}  // namespace

class TestWindowPanels : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void rightClickOnPlotOpensMenu();
    void exportPicksAnyFigure();
    void undoButtonsStayShort();
    void enterInDepthBuilds();
    void ctrlZFromSpinBoxUndoes();
    void lessonTextWrapsToDock();
    void lessonsInTeachingOrder();
    void missingDataSetOpensADialogWithTheCommand();
    void f1ExplainsViewUnderMouse();
};

void TestWindowPanels::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
    QCoreApplication::setOrganizationName(QStringLiteral("GradFlowTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_window_panels"));
}

void TestWindowPanels::rightClickOnPlotOpensMenu() {
    ui::LossPlot view;
    view.resize(700, 450);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCustomPlot* plot = view.plot();
    const QPoint pos = plot->rect().center();
    // Why the view's own contextMenuEvent() never ran: the event stops at QCustomPlot.
    QVERIFY(plot->testAttribute(Qt::WA_NoMousePropagation));

    // What the window system delivers for a right press: a context-menu event to the widget
    // under the mouse, which is QCustomPlot, not the view that owns the menu.
    QStringList texts;
    QContextMenuEvent event(QContextMenuEvent::Mouse, pos, plot->mapToGlobal(pos));
    const bool opened =
        inspectWhileOpen<QMenu>([&] { QApplication::sendEvent(plot, &event); }, [&](QMenu* menu) { texts = actionTexts(menu); });
    QVERIFY(opened);
    QVERIFY(texts.join(QLatin1Char('|')).contains(QStringLiteral("Export \"Loss and accuracy\"")));
    QVERIFY(texts.contains(QStringLiteral("What am I looking at?")));

    // The same through the platform path: a right button press on the view's window.
    texts.clear();
    const QPoint inWindow = plot->mapTo(view.window(), pos);
    const bool pressed = inspectWhileOpen<QMenu>([&] { QTest::mousePress(view.windowHandle(), Qt::RightButton, {}, inWindow); },
                                                 [&](QMenu* menu) { texts = actionTexts(menu); });
    QTest::mouseRelease(view.windowHandle(), Qt::RightButton, {}, inWindow);
    QVERIFY(pressed);
    QVERIFY(!texts.isEmpty());
}

void TestWindowPanels::exportPicksAnyFigure() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QAction* exportAction = nullptr;
    for (QAction* action : menuNamed(*window, QStringLiteral("&File"))->actions())
        if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_E)) exportAction = action;
    QVERIFY(exportAction);
    QCursor::setPos(window->frameGeometry().bottomRight() + QPoint(40, 40));  // over no view
    QStringList choices;
    QString chosen;
    const bool opened = inspectWhileOpen<QDialog>([&] { exportAction->trigger(); },
                                                  [&](QDialog* dialog) {
                                                      auto* picker =
                                                          dialog->findChild<QComboBox*>(QStringLiteral("exportFigurePicker"));
                                                      if (!picker) return;
                                                      for (int i = 0; i < picker->count(); ++i)
                                                          choices << picker->itemData(i).toString();
                                                      chosen = picker->currentData().toString();
                                                  });
    QVERIFY(opened);
    // The whole dashboard (no name) first, then every view by its id.
    QStringList expected{QString()};
    for (ui::PlotView* view : window->dashboard()->views()) expected << view->name();
    QCOMPARE(choices, expected);
    QCOMPARE(chosen, QString());  // the mouse is over no view: the dashboard
    // Over a view, that view is the first choice.
    ui::PlotView* loss = window->dashboard()->view(QStringLiteral("loss"));
    window->dashboard()->revealView(loss);
    QVERIFY(waitFor([&] { return loss->isVisible(); }));
    QCursor::setPos(loss->mapToGlobal(loss->rect().center()));
    QVERIFY(inspectWhileOpen<QDialog>([&] { exportAction->trigger(); },
                                      [&](QDialog* dialog) {
                                          if (auto* picker = dialog->findChild<QComboBox*>(QStringLiteral("exportFigurePicker")))
                                              chosen = picker->currentData().toString();
                                      }));
    QCOMPARE(chosen, QStringLiteral("loss"));
}

void TestWindowPanels::undoButtonsStayShort() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    ui::LayerStackEditor* editor = window->layerEditor();
    const int before = editor->minimumSizeHint().width();
    QVERIFY(!editor->undoButton()->isEnabled());
    editor->buildUniform(12, 48);  // "Build 12 × 48 stack": a long edit name
    QVERIFY(editor->undoButton()->isEnabled());
    // The panel does not widen (the button text stays "Undo"); the name is in the tooltip.
    QCOMPARE(editor->minimumSizeHint().width(), before);
    QVERIFY(editor->undoButton()->text().size() <= 4);
    QVERIFY(editor->undoButton()->toolTip().contains(QStringLiteral("Build 12")));
    editor->undoButton()->click();
    QCOMPARE(window->document()->config().layers.size(), std::size_t(20));
    QVERIFY(editor->redoButton()->isEnabled());
    QVERIFY(editor->redoButton()->toolTip().contains(QStringLiteral("Build 12")));
}

void TestWindowPanels::enterInDepthBuilds() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QSpinBox* depth = window->layerEditor()->depthBox();
    depth->setFocus();
    depth->selectAll();
    QTest::keyClicks(depth, QStringLiteral("7"));
    QCOMPARE(window->document()->config().layers.size(), std::size_t(20));  // typing alone builds nothing
    QTest::keyClick(depth, Qt::Key_Return);
    QCOMPARE(window->document()->config().layers.size(), std::size_t(7));
}

void TestWindowPanels::ctrlZFromSpinBoxUndoes() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QDoubleSpinBox* gain = window->layerEditor()->gainBox();
    const double before = gain->value();
    // The panel's own dock must be the visible tab for the spin box to take focus.
    for (QDockWidget* dock : window->findChildren<QDockWidget*>())
        if (dock->objectName() == QStringLiteral("networkDock")) dock->raise();
    QVERIFY(waitFor([&] { return gain->isVisible(); }));
    gain->setFocus();
    QVERIFY(waitFor([&] { return gain->hasFocus(); }));
    QTest::keyClick(gain, Qt::Key_Up);
    QVERIFY(gain->value() > before);
    QVERIFY(window->document()->undoStack()->canUndo());
    QVERIFY(gain->hasFocus());
    QTest::keySequence(gain, QKeySequence(QKeySequence::Undo));
    QCOMPARE(gain->value(), before);
    QVERIFY(!window->document()->undoStack()->canUndo());
    QTest::keySequence(gain, QKeySequence(QKeySequence::Redo));
    QVERIFY(gain->value() > before);

    // A text field undoes its own typing first, then the document's edits.
    for (QDockWidget* dock : window->findChildren<QDockWidget*>())
        if (dock->objectName() == QStringLiteral("trainingDock")) dock->raise();
    QLineEdit* rate = nullptr;
    for (QLineEdit* line : window->trainingControls()->findChildren<QLineEdit*>())
        if (!qobject_cast<QAbstractSpinBox*>(line->parentWidget())) rate = line;
    QVERIFY(rate);
    QVERIFY(waitFor([&] { return rate->isVisible(); }));
    const double rateBefore = window->document()->config().training.optimizer.learningRate;
    rate->setFocus();
    QVERIFY(waitFor([&] { return rate->hasFocus(); }));
    rate->selectAll();
    QTest::keyClicks(rate, QStringLiteral("0.0123"));
    QTest::keySequence(rate, QKeySequence(QKeySequence::Undo));  // the typing, not the document
    QCOMPARE(window->document()->config().training.optimizer.learningRate, rateBefore);
    rate->selectAll();
    QTest::keyClicks(rate, QStringLiteral("0.0123"));
    QTest::keyClick(rate, Qt::Key_Return);
    QCOMPARE(window->document()->config().training.optimizer.learningRate, 0.0123);
    QTest::keySequence(rate, QKeySequence(QKeySequence::Undo));
    QCOMPARE(window->document()->config().training.optimizer.learningRate, rateBefore);
}

void TestWindowPanels::lessonTextWrapsToDock() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QDockWidget* lessonDock = nullptr;
    for (QDockWidget* dock : window->findChildren<QDockWidget*>())
        if (dock->objectName() == QStringLiteral("lessonDock")) lessonDock = dock;
    QVERIFY(lessonDock);
    lessonDock->raise();
    QLabel* text = window->lessonPanel()->explanationLabel();
    auto* scroll = qobject_cast<QScrollArea*>(lessonDock->widget());
    QVERIFY(scroll);
    const auto fullyVisible = [&] {
        return text->isVisible() && text->mapTo(scroll->viewport(), QPoint(text->width(), 0)).x() <= scroll->viewport()->width();
    };
    // A dock is never narrower than its panel can reflow to: with horizontal scrolling
    // off, a narrower dock cut the panel (and the lesson text) off at the right.
    for (QDockWidget* dock : window->findChildren<QDockWidget*>()) {
        auto* area = qobject_cast<QScrollArea*>(dock->widget());
        QVERIFY(area && area->widget());
        QVERIFY2(area->minimumSizeHint().width() >= area->widget()->minimumSizeHint().width(), qPrintable(dock->objectName()));
    }
    // The lesson panel itself reflows down to a narrow dock (not to its longest title).
    QVERIFY(window->lessonPanel()->minimumSizeHint().width() <= 260);
    QVERIFY(waitFor(fullyVisible, 2000));
    const int narrowHeight = text->height();
    // Widened: the text takes the width and needs fewer lines.
    window->resizeDocks({lessonDock}, {600}, Qt::Horizontal);
    QVERIFY(waitFor([&] { return text->width() > 450; }, 2000));
    QVERIFY(fullyVisible());
    QVERIFY(text->height() < narrowHeight);
}

// Fashion-MNIST comes from a Debian package; without it the lesson cannot build, and the
// window says which package and the command that installs it.
void TestWindowPanels::missingDataSetOpensADialogWithTheCommand() {
    QTemporaryDir empty;
    qputenv("GRADFLOW_FASHION_MNIST_DIR", QFile::encodeName(empty.path()));
    struct Restore {
        ~Restore() { qunsetenv("GRADFLOW_FASHION_MNIST_DIR"); }
    } restore;
    ui::MainWindow window;
    window.resize(1366, 768);
    QVERIFY(window.openPreset(QStringLiteral("fashion-he-relu")));
    window.show();
    QVERIFY(waitFor([&] { return window.worker()->state() == State::Failed; }));
    QMessageBox* box = nullptr;
    QVERIFY(waitFor([&] { return (box = window.findChild<QMessageBox*>(QStringLiteral("missingDataDialog"))) != nullptr; }));
    QVERIFY(box->isVisible());
    QVERIFY2(box->text().contains(QStringLiteral("sudo apt install dataset-fashion-mnist")), qPrintable(box->text()));
    QVERIFY(box->detailedText().contains(empty.path()));
    box->close();
}

void TestWindowPanels::lessonsInTeachingOrder() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QMenu* lessons = menuNamed(*window, QStringLiteral("&Lessons"));
    QVERIFY(lessons);
    QStringList names, sections;
    for (const QAction* action : lessons->actions()) {
        if (action->isSeparator()) sections << action->text();
        else names << action->data().toString();
    }
    // Every shipped lesson once.
    QCOMPARE(names.size(), qsizetype(core::presets().size()));
    for (const core::Preset& preset : core::presets())
        QCOMPARE(names.count(QString::fromUtf8(preset.name.data(), qsizetype(preset.name.size()))), 1);
    // The problem first, then its remedies, recurrent nets last.
    QCOMPARE(names.front(), QStringLiteral("deep-sigmoid-vanishing"));
    QVERIFY(names.indexOf(QStringLiteral("tanh-small-weights")) < names.indexOf(QStringLiteral("exploding-large-weights")));
    QVERIFY(names.indexOf(QStringLiteral("exploding-large-weights")) < names.indexOf(QStringLiteral("batchnorm-rescue")));
    QVERIFY(names.indexOf(QStringLiteral("exploding-large-weights")) < names.indexOf(QStringLiteral("clipping-tames-explosion")));
    qsizetype lastFeedForward = -1, firstRecurrent = names.size();
    for (qsizetype i = 0; i < names.size(); ++i) {
        const core::Preset* preset = core::findPreset(names[i].toStdString());
        QVERIFY(preset);
        const bool recurrent = core::parseExperiment(preset->json).config.model == core::ModelKind::Recurrent;
        if (recurrent) firstRecurrent = std::min(firstRecurrent, i);
        else lastFeedForward = i;
    }
    QVERIFY(lastFeedForward < firstRecurrent);
    QCOMPARE(sections, (QStringList{QStringLiteral("Vanishing gradients"), QStringLiteral("Exploding gradients"),
                                    QStringLiteral("Remedies"), QStringLiteral("Real images: Fashion-MNIST"),
                                    QStringLiteral("Recurrent nets")}));
    // The lesson picker lists them the same way.
    QComboBox* picker = window->lessonPanel()->picker();
    QStringList picked;
    for (int i = 0; i < picker->count(); ++i)
        if (!picker->itemData(i).toString().isEmpty()) picked << picker->itemData(i).toString();
    QCOMPARE(picked, names);
}

void TestWindowPanels::f1ExplainsViewUnderMouse() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    for (const QString& name : {QStringLiteral("loss"), QStringLiteral("spectrum")}) {
        ui::PlotView* view = window->dashboard()->view(name);
        QVERIFY(view);
        window->dashboard()->revealView(view);
        QVERIFY(waitFor([&] { return view->isVisible(); }));
        const QPoint global = view->plot()->mapToGlobal(view->plot()->rect().center());
        QCOMPARE(window->viewAt(global), view);
        QCursor::setPos(global);
        QVERIFY(waitFor([&] { return QCursor::pos() == global; }, 2000));
        QTest::keyClick(window.get(), Qt::Key_F1);
        ui::ViewHelpWindow* help = window->viewHelpWindow();
        QVERIFY(help);
        QVERIFY(help->isVisible());
        QCOMPARE(help->currentView(), name);
        QVERIFY(help->browser()->toPlainText().contains(view->title()));
        help->hide();
        QApplication::setActiveWindow(window.get());
        QVERIFY(QTest::qWaitForWindowActive(window.get()));
    }
}

QTEST_MAIN(TestWindowPanels)
#include "tst_window_panels.moc"
