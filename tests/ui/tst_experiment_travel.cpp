// Experiments that travel as text: Edit > Copy Experiment and File > Open from Clipboard
// (or Ctrl+V on the window) round-trip an experiment, a broken paste names the field and
// opens nothing, unsaved work is never replaced without the usual question, and File >
// Open Recent keeps ten files, drops a vanished one with a message, and clears.
// Offscreen: the clipboard works there too.

#include <QAbstractSpinBox>
#include <QAction>
#include <QClipboard>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "core/io/experiment_file.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/experiment_text.h"
#include "ui/layer_stack_editor.h"
#include "ui/main_window.h"
#include "window_fixture.h"

using namespace gradflow;
using State = ui::TrainingWorker::State;

using ui::testdata::waitFor;
// Shown and active: these tests use keyboard shortcuts.
using ui::testdata::makeActiveWindow;

namespace {

/// What a message box said, and whether one opened at all.
struct MessageSeen {
    bool shown = false;
    QString title;
    QString text;
};

/// Runs `trigger`; the first message box it opens is read and answered with `answer`.
MessageSeen answerMessageBox(const std::function<void()>& trigger, QMessageBox::StandardButton answer = QMessageBox::Ok) {
    MessageSeen seen;
    QTimer poll;
    poll.setInterval(5);
    QObject::connect(&poll, &QTimer::timeout, [&] {
        auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
        if (!box) return;
        poll.stop();
        seen = {true, box->windowTitle(), box->text()};
        if (QAbstractButton* button = box->button(answer)) button->click();
        else box->reject();
    });
    poll.start();
    trigger();
    poll.stop();
    return seen;
}

QStringList recentPaths(const ui::MainWindow& window) {
    QStringList paths;
    for (const QAction* action : window.recentMenu()->actions())
        if (!action->isSeparator() && action->data().isValid()) paths << action->data().toString();
    return paths;
}

QAction* clearRecentAction(const ui::MainWindow& window) {
    return window.recentMenu()->findChild<QAction*>(QStringLiteral("clearRecent"));
}

}  // namespace

class TestExperimentTravel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void copyThenPasteRoundTrips();
    void oneLineFormHasNoLineBreak();
    void chatMessageAroundTheJsonOpens();
    void malformedPasteNamesTheField();
    void pasteAsksBeforeReplacingUnsavedWork();
    void ctrlVInTextFieldPastesText();
    void recentFilesKeepTenDropMissingAndClear();
};

void TestExperimentTravel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings away from the user's
    QCoreApplication::setOrganizationName(QStringLiteral("GradFlowTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_experiment_travel"));
    QSettings().clear();
}

void TestExperimentTravel::copyThenPasteRoundTrips() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    window->layerEditor()->buildUniform(5, 16);
    const core::ExperimentConfig copied = window->document()->config();
    window->copyExperiment(ui::TextLayout::Formatted);
    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY2(text.contains(QStringLiteral("\"format\": \"gradflow-experiment\"")), qPrintable(text));
    QVERIFY(text.count(QLatin1Char('\n')) > 5);  // the file's indented lines

    // Another lesson, unmodified, so the paste needs no question; Ctrl+V on the dashboard.
    QVERIFY(window->openPreset(QStringLiteral("he-relu-healthy")));
    QVERIFY(!(window->document()->config() == copied));
    window->dashboard()->setFocus();
    const MessageSeen none = answerMessageBox([&] { QTest::keyClick(window->dashboard(), Qt::Key_V, Qt::ControlModifier); });
    QVERIFY2(!none.shown, qPrintable(none.text));
    QVERIFY(window->document()->config() == copied);
    QVERIFY(!window->document()->isModified());
    QVERIFY(window->document()->filePath().isEmpty());  // Save asks where
    QVERIFY(waitFor([&] { return window->worker()->state() == State::Paused; }));
    QCOMPARE(window->appliedConfig().layers.size(), copied.layers.size());
}

void TestExperimentTravel::oneLineFormHasNoLineBreak() {
    auto window = makeActiveWindow(QStringLiteral("residual-rescue"));
    QVERIFY(window);
    const core::ExperimentConfig copied = window->document()->config();
    window->copyExperiment(ui::TextLayout::OneLine);
    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY(!text.contains(QLatin1Char('\n')));
    QVERIFY(text.startsWith(QLatin1Char('{')) && text.endsWith(QLatin1Char('}')));
    QVERIFY(window->openPreset(QStringLiteral("he-relu-healthy")));
    window->openFromClipboardAction()->trigger();
    QVERIFY(window->document()->config() == copied);
}

void TestExperimentTravel::chatMessageAroundTheJsonOpens() {
    core::ExperimentConfig config;
    config.seed = 4242;
    // What a chat program makes of it: a sentence, a code fence, typographic quotes.
    QString json = ui::experimentText(config, ui::TextLayout::OneLine);
    json.replace(QStringLiteral("\"seed\""), QStringLiteral("\u201Cseed\u201D"));
    const QString message = QStringLiteral("Try this one in class:\n```json\n%1\n```\nit vanishes by layer 5").arg(json);
    const core::ExperimentLoadResult result = ui::parseExperimentText(message);
    QVERIFY2(result.ok(), result.errorText().c_str());
    QVERIFY(result.config == config);
}

void TestExperimentTravel::malformedPasteNamesTheField() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    window->layerEditor()->buildUniform(4, 8);  // unsaved work: a broken paste must not even ask about it
    const core::ExperimentConfig before = window->document()->config();
    QGuiApplication::clipboard()->setText(
        QStringLiteral(R"({"format": "gradflow-experiment", "version": 1, "model": {"layers": [{"width": 0}]}})"));
    const MessageSeen seen = answerMessageBox([&] { window->openFromClipboardAction()->trigger(); });
    QVERIFY(seen.shown);
    QCOMPARE(seen.title, QStringLiteral("Cannot open experiment"));
    // The same words as a file with this content gets (the field and its range).
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QGuiApplication::clipboard()->text().toUtf8());
    }
    const QString fileError = QString::fromStdString(core::loadExperimentFile(path.toStdString()).errorText());
    QVERIFY2(fileError.contains(QStringLiteral("model.layers[0].width")), qPrintable(fileError));
    QVERIFY2(seen.text.contains(fileError), qPrintable(seen.text));
    QVERIFY(window->document()->config() == before);
    QVERIFY(window->document()->isModified());

    // Not JSON at all: still a message, still nothing replaced.
    QGuiApplication::clipboard()->setText(QStringLiteral("see you at 10"));
    const MessageSeen prose = answerMessageBox([&] { window->openFromClipboardAction()->trigger(); });
    QVERIFY(prose.shown);
    QVERIFY(window->document()->config() == before);
}

void TestExperimentTravel::pasteAsksBeforeReplacingUnsavedWork() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    QGuiApplication::clipboard()->setText(ui::experimentText(core::ExperimentConfig{}, ui::TextLayout::Formatted));
    window->layerEditor()->buildUniform(3, 8);
    const core::ExperimentConfig edited = window->document()->config();

    const MessageSeen cancelled = answerMessageBox([&] { window->openFromClipboardAction()->trigger(); }, QMessageBox::Cancel);
    QVERIFY(cancelled.shown);
    QCOMPARE(cancelled.title, QStringLiteral("Unsaved changes"));
    QVERIFY(window->document()->config() == edited);
    QVERIFY(window->document()->isModified());

    const MessageSeen discarded = answerMessageBox([&] { window->openFromClipboardAction()->trigger(); }, QMessageBox::Discard);
    QVERIFY(discarded.shown);
    QVERIFY(window->document()->config() == core::ExperimentConfig{});
}

void TestExperimentTravel::ctrlVInTextFieldPastesText() {
    auto window = makeActiveWindow();
    QVERIFY(window);
    const core::ExperimentConfig before = window->document()->config();
    QGuiApplication::clipboard()->setText(ui::experimentText(core::ExperimentConfig{}, ui::TextLayout::OneLine));

    // A text field keeps Ctrl+V for its own text.
    auto* field = new QLineEdit(window.get());
    field->show();
    field->setFocus();
    QVERIFY(waitFor([&] { return field->hasFocus(); }));
    const MessageSeen none = answerMessageBox([&] { QTest::keyClick(field, Qt::Key_V, Qt::ControlModifier); });
    QVERIFY2(!none.shown, qPrintable(none.text));
    QVERIFY2(field->text().contains(QStringLiteral("gradflow-experiment")), qPrintable(field->text()));
    QVERIFY(window->document()->config() == before);

    // So does a spin box of the window's own panels (it refuses the text, and opens nothing).
    QAbstractSpinBox* spin = nullptr;
    for (QAbstractSpinBox* box : window->findChildren<QAbstractSpinBox*>())
        if (box->isVisible() && box->isEnabled()) spin = box;
    QVERIFY(spin);
    spin->setFocus();
    QVERIFY(waitFor([&] { return spin->hasFocus(); }));
    const MessageSeen inSpin = answerMessageBox([&] { QTest::keyClick(spin, Qt::Key_V, Qt::ControlModifier); });
    QVERIFY2(!inSpin.shown, qPrintable(inSpin.text));
    QVERIFY(window->document()->config() == before);
}

void TestExperimentTravel::recentFilesKeepTenDropMissingAndClear() {
    QSettings().clear();
    auto window = makeActiveWindow();
    QVERIFY(window);
    QTemporaryDir dir;
    QStringList files;
    for (int i = 0; i < 12; ++i) {
        core::ExperimentConfig config;
        config.seed = std::uint64_t(100 + i);
        files << dir.filePath(QStringLiteral("e%1.gradflow.json").arg(i));
        QVERIFY(core::saveExperimentFile(files.back().toStdString(), config).empty());
        QVERIFY(window->openFile(files.back()));
    }
    QStringList newestFirst;
    for (int i = 11; i >= 2; --i) newestFirst << QFileInfo(files[i]).absoluteFilePath();
    QCOMPARE(recentPaths(*window), newestFirst);
    QVERIFY(clearRecentAction(*window));
    QVERIFY(window->recentMenu()->isEnabled());

    // Reopening one moves it to the top without a duplicate.
    QVERIFY(window->openFile(files[5]));
    QCOMPARE(recentPaths(*window).value(0), QFileInfo(files[5]).absoluteFilePath());
    QCOMPARE(recentPaths(*window).size(), 10);
    QCOMPARE(recentPaths(*window).count(QFileInfo(files[5]).absoluteFilePath()), 1);

    // A file that is gone: a message naming it, and it leaves the list; the document stays.
    const QString gone = QFileInfo(files[8]).absoluteFilePath();
    QVERIFY(QFile::remove(gone));
    const core::ExperimentConfig before = window->document()->config();
    QAction* entry = nullptr;
    for (QAction* action : window->recentMenu()->actions())
        if (action->data().toString() == gone) entry = action;
    QVERIFY(entry);
    const MessageSeen seen = answerMessageBox([&] { entry->trigger(); });
    QVERIFY(seen.shown);
    QVERIFY2(seen.text.contains(QStringLiteral("e8.gradflow.json")), qPrintable(seen.text));
    QVERIFY(!recentPaths(*window).contains(gone));
    QCOMPARE(recentPaths(*window).size(), 9);
    QVERIFY(window->document()->config() == before);

    // An entry that exists opens that file.
    const QString kept = QFileInfo(files[3]).absoluteFilePath();
    for (QAction* action : window->recentMenu()->actions()) {
        if (action->data().toString() == kept) {
            action->trigger();
            break;
        }
    }
    QCOMPARE(window->document()->filePath(), kept);
    QCOMPARE(window->document()->config().seed, std::uint64_t(103));

    // The list outlives the window (QSettings), and Clear Menu empties it.
    window.reset();
    window = makeActiveWindow();
    QVERIFY(window);
    QCOMPARE(recentPaths(*window).size(), 9);
    clearRecentAction(*window)->trigger();
    QVERIFY(recentPaths(*window).isEmpty());
    QVERIFY(!window->recentMenu()->isEnabled());
    QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().isEmpty());
}

QTEST_MAIN(TestExperimentTravel)
#include "tst_experiment_travel.moc"
