// MainWindow's actions, menus, toolbar, file dialogs and settings: kept apart from the
// wiring in main_window.cpp so each file reads in one sitting.

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCursor>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "ui/compare_menu.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/figure_export.h"
#include "ui/lesson_catalog.h"
#include "ui/lesson_panel.h"
#include "ui/main_window.h"
#include "ui/plots/plot_view.h"
#include "ui/registry_combos.h"
#include "ui/view_help_window.h"

namespace gradflow::ui {

namespace {
constexpr int kMaxRecentFiles = 10;
const QString kRecentKey = QStringLiteral("recentFiles");
const QString kFileFilter = QObject::tr("GradFlow experiments (*.json);;All files (*)");
}  // namespace

void MainWindow::createActions() {
    m_trainAction = new QAction(tr("&Train"), this);
    m_trainAction->setShortcut(Qt::Key_Space);
    connect(m_trainAction, &QAction::triggered, this, &MainWindow::trainOrPause);
    m_stepAction = new QAction(themeIcon("media-skip-forward", QStyle::SP_MediaSkipForward), tr("&Step"), this);
    m_stepAction->setShortcut(Qt::Key_S);
    m_stepAction->setToolTip(tr("Do one training step, then pause (S)"));
    connect(m_stepAction, &QAction::triggered, this, &MainWindow::stepOnce);
    m_resetAction = new QAction(themeIcon("view-refresh", QStyle::SP_BrowserReload), tr("&Reset"), this);
    m_resetAction->setShortcut(Qt::Key_R);
    m_resetAction->setToolTip(
        tr("Rebuild the network with fresh weights from the current settings; keeps "
           "training if it was running (R)"));
    connect(m_resetAction, &QAction::triggered, this, &MainWindow::resetRun);
    for (QAction* a : {m_trainAction, m_stepAction, m_resetAction}) addAction(a);  // shortcuts with menus hidden

    m_presenterAction = new QAction(tr("&Presenter Mode"), this);
    m_presenterAction->setCheckable(true);
    m_presenterAction->setShortcut(Qt::Key_F11);
    m_presenterAction->setToolTip(tr("Full screen, large type and thick lines for a classroom (F11)"));
    connect(m_presenterAction, &QAction::toggled, this, &MainWindow::setPresenterMode);
    addAction(m_presenterAction);

    m_darkAction = new QAction(tr("&Dark Theme"), this);
    m_darkAction->setCheckable(true);
    m_darkAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_darkAction->setToolTip(tr("Light text on a dark background, for dim rooms and dark slides (Ctrl+Shift+D)"));
    connect(m_darkAction, &QAction::toggled, this, &MainWindow::setDarkTheme);
    addAction(m_darkAction);

    m_viewHelpAction = new QAction(tr("&What Am I Looking At?"), this);
    m_viewHelpAction->setShortcut(QKeySequence::HelpContents);
    m_viewHelpAction->setToolTip(tr("What the view under the mouse shows, its formula and how to read it (F1)"));
    connect(m_viewHelpAction, &QAction::triggered, this, [this] { showViewHelp(viewAt(QCursor::pos())); });
    addAction(m_viewHelpAction);

    m_compareMenu = new CompareMenu([this] { return m_document->config(); }, this);
    connect(m_compareMenu, &CompareMenu::changeChosen, this, &MainWindow::startComparison);
    connect(m_compareMenu, &CompareMenu::stopRequested, this, &MainWindow::stopComparison);
    m_compareAction = new QAction(QIcon::fromTheme(QStringLiteral("view-split-left-right")), tr("Compare"), this);
    connect(m_compareAction, &QAction::triggered, this, [this] {
        const QString id = m_compareAction->data().toString();
        if (id.isEmpty()) stopComparison();
        else startComparison(id);
    });

    auto* toolbar = m_runToolBar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    toolbar->addAction(m_trainAction);
    toolbar->addAction(m_stepAction);
    toolbar->addAction(m_resetAction);
    toolbar->addSeparator();
    // One click on the button starts the most instructive comparison; the arrow lists all.
    auto* compare = new QToolButton(toolbar);
    compare->setObjectName(QStringLiteral("compareButton"));
    compare->setDefaultAction(m_compareAction);
    compare->setMenu(m_compareMenu);
    compare->setPopupMode(QToolButton::MenuButtonPopup);
    compare->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addWidget(compare);
    // Train is the one button a first-time user must find: make it stand out.
    if (QWidget* train = toolbar->widgetForAction(m_trainAction)) {
        train->setObjectName(QStringLiteral("trainButton"));
        train->setStyleSheet(
            QStringLiteral("#trainButton { background: #228833; color: white; font-weight: bold; "
                           "border-radius: 4px; padding: 3px 14px; margin: 2px 4px; }"
                           "#trainButton:hover { background: #2a9a3f; }"
                           "#trainButton:disabled { background: #999999; }"));
    }
}

QIcon MainWindow::themeIcon(const char* name, int fallback) const {
    // Desktops without an icon theme (and Xvfb) still get the style's standard icons.
    return QIcon::fromTheme(QLatin1String(name), style()->standardIcon(QStyle::StandardPixmap(fallback)));
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(QIcon::fromTheme(QStringLiteral("document-open")), tr("&Open\u2026"), QKeySequence::Open, this,
                    &MainWindow::openWithDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    // Ctrl+V where no text field takes it (a text field keeps its own paste): a
    // colleague's experiment from a chat opens like a file.
    m_openFromClipboardAction = file->addAction(QIcon::fromTheme(QStringLiteral("edit-paste")), tr("Open from Clip&board"),
                                                QKeySequence::Paste, this, &MainWindow::openFromClipboard);
    m_openFromClipboardAction->setToolTip(
        tr("Open the experiment whose JSON is on the clipboard, e.g. copied from a chat message (Ctrl+V)"));
    addAction(m_openFromClipboardAction);  // the shortcut with menus hidden (presenter mode)
    file->addAction(QIcon::fromTheme(QStringLiteral("document-save")), tr("&Save"), QKeySequence::Save, this, [this] { save(); });
    file->addAction(tr("Save &As\u2026"), QKeySequence::SaveAs, this, [this] { saveAs(); });
    file->addSeparator();
    // The view under the mouse is the likely wish; the dialog lets the user pick any
    // view or the whole dashboard.
    file->addAction(tr("&Export Figure\u2026"), QKeySequence(Qt::CTRL | Qt::Key_E), this,
                    [this] { exportWithDialog(this, m_dashboard, viewAt(QCursor::pos()), ExportChoice::AnyFigure); });
    file->addAction(tr("&Copy Figure"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), this,
                    [this] { copyToClipboard(m_dashboard, nullptr); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    updateRecentMenu();

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    m_undoAction = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_redoAction = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    m_redoAction->setShortcut(QKeySequence::Redo);
    edit->addAction(m_undoAction);
    edit->addAction(m_redoAction);
    edit->addSeparator();
    // Two forms, because where the text goes differs: a post or an e-mail keeps the
    // indented file's lines, a chat whose Enter key sends needs one line.
    QAction* copyExperimentAction = edit->addAction(tr("&Copy Experiment"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J), this,
                                                    [this] { copyExperiment(TextLayout::Formatted); });
    copyExperimentAction->setToolTip(tr("The experiment as Save writes it, as JSON text on the clipboard (Ctrl+Shift+J)"));
    edit->addAction(tr("Copy Experiment as &One Line"), this, [this] { copyExperiment(TextLayout::OneLine); })
        ->setToolTip(tr("The same JSON on one line, for a chat message"));
    addAction(copyExperimentAction);
    addActions({m_undoAction, m_redoAction});  // shortcuts with menus hidden (presenter mode)

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_trainAction);
    run->addAction(m_stepAction);
    run->addAction(m_resetAction);
    menuBar()->addMenu(m_compareMenu);

    QMenu* presets = menuBar()->addMenu(tr("&Lessons"));
    QString section;
    for (const LessonEntry& lesson : lessonsInTeachingOrder()) {
        if (lesson.section != section) presets->addSection(section = lesson.section);
        QAction* action = presets->addAction(lesson.title, this, [this, name = lesson.name] {
            if (confirmDiscard()) openPreset(name);
        });
        action->setData(lesson.name);
    }

    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (QDockWidget* dock : m_docks) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(m_presenterAction);
    view->addAction(m_darkAction);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_viewHelpAction);
    help->addSeparator();
    help->addAction(tr("&About GradFlow"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::openWithDialog() {
    if (!confirmDiscard()) return;
    const QString start = QFileInfo(m_document->filePath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Experiment"), start, kFileFilter);
    if (!path.isEmpty()) openFile(path);
}

bool MainWindow::save() {
    if (m_document->filePath().isEmpty()) return saveAs();
    const QString error = m_document->save(m_document->filePath(), runState());
    if (error.isEmpty()) return true;
    QMessageBox::warning(this, tr("Cannot save experiment"), error);
    return false;
}

bool MainWindow::saveAs() {
    QString suggestion = m_document->filePath();
    // The double extension is what the desktop associates with GradFlow (packaging/).
    if (suggestion.isEmpty()) suggestion = QStringLiteral("experiment.gradflow.json");
    QString path = QFileDialog::getSaveFileName(this, tr("Save Experiment"), suggestion, kFileFilter);
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".json");
    const QString error = m_document->save(path, runState());
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Cannot save experiment"), error);
        return false;
    }
    addRecentFile(m_document->filePath());
    return true;
}

void MainWindow::copyExperiment(TextLayout layout) {
    core::ExperimentConfig config = m_document->config();
    config.run = runState();
    QGuiApplication::clipboard()->setText(experimentText(config, layout));
    statusBar()->showMessage(
        layout == TextLayout::OneLine ? tr("Copied the experiment as one line of JSON") : tr("Copied the experiment as JSON"),
        5000);
}

void MainWindow::openFromClipboard() {
    const QString text = QGuiApplication::clipboard()->text();
    if (text.trimmed().isEmpty()) {
        QMessageBox::information(this, tr("Open from Clipboard"),
                                 tr("The clipboard holds no text. Copy an experiment's JSON (Edit > Copy Experiment "
                                    "in GradFlow, or the text of an experiment file) and try again."));
        return;
    }
    openFromText(text);
}

void MainWindow::addRecentFile(const QString& path) {
    QSettings settings;
    QStringList files = settings.value(kRecentKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    settings.setValue(kRecentKey, files.mid(0, kMaxRecentFiles));
    updateRecentMenu();
}

void MainWindow::removeRecentFile(const QString& path) {
    QSettings settings;
    QStringList files = settings.value(kRecentKey).toStringList();
    files.removeAll(path);
    settings.setValue(kRecentKey, files);
    updateRecentMenu();
}

void MainWindow::openRecentFile(const QString& path) {
    if (!QFileInfo::exists(path)) {
        removeRecentFile(path);
        QMessageBox::information(this, tr("Experiment not found"),
                                 tr("%1 is no longer at\n%2\nso it has been removed from Open Recent.")
                                     .arg(QFileInfo(path).fileName(), QFileInfo(path).absolutePath()));
        return;
    }
    if (confirmDiscard()) openFile(path);
}

void MainWindow::clearRecentFiles() {
    QSettings().remove(kRecentKey);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu() {
    // Later, not now: this runs inside the triggered signal of one of these actions.
    for (QAction* action : m_recentMenu->actions()) {
        m_recentMenu->removeAction(action);
        action->deleteLater();
    }
    const QStringList files = QSettings().value(kRecentKey).toStringList();
    for (int i = 0; i < files.size(); ++i) {
        const QString& path = files[i];
        // Numbered for the keyboard (Alt+F, R, 1); the tooltip says where the file is.
        QAction* action = m_recentMenu->addAction(QStringLiteral("&%1 %2").arg((i + 1) % 10).arg(QFileInfo(path).fileName()),
                                                  this, [this, path] { openRecentFile(path); });
        action->setData(path);
        action->setToolTip(path);
    }
    if (!files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear Menu"), this, &MainWindow::clearRecentFiles)
            ->setObjectName(QStringLiteral("clearRecent"));
    }
    m_recentMenu->setToolTipsVisible(true);
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::setPresenterMode(bool on) {
    m_dashboard->setPresenterMode(on);
    // The run controls and the status line read from the back row too.
    static const QFont normalFont = QApplication::font();
    QFont large = normalFont;
    large.setPointSizeF(normalFont.pointSizeF() * 1.5);
    for (QWidget* w : {static_cast<QWidget*>(m_runToolBar), static_cast<QWidget*>(statusBar())}) {
        w->setFont(on ? large : normalFont);
        for (QWidget* child : w->findChildren<QWidget*>()) child->setFont(on ? large : normalFont);
    }
    m_runToolBar->setIconSize(on ? QSize(32, 32) : QSize());
    m_lesson->setLargeText(on);
    // Controls collapse to the run toolbar and the lesson; the other docks come back after.
    for (QDockWidget* dock : m_docks)
        if (dock->objectName() != QStringLiteral("lessonDock")) dock->setVisible(!on);
    if (on) showFullScreen();
    else showNormal();
}

void MainWindow::setDarkTheme(bool on) {
    // The plots follow the theme; the widgets around them take Fusion's palette in the
    // dark (the platform style may ignore a dark palette), and go back to the platform
    // style in the light.
    static const QString platformStyle = QApplication::style()->name();
    static const QPalette platformPalette = QApplication::palette();
    m_dashboard->setTheme(on ? ThemeKind::Dark : ThemeKind::Light);
    if (on) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2e));
        dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
        dark.setColor(QPalette::Base, QColor(0x1f, 0x1f, 0x22));
        dark.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2b, 0x2e));
        dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
        dark.setColor(QPalette::Button, QColor(0x38, 0x38, 0x3c));
        dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
        dark.setColor(QPalette::ToolTipBase, QColor(0x38, 0x38, 0x3c));
        dark.setColor(QPalette::ToolTipText, QColor(0xe8, 0xe8, 0xe8));
        dark.setColor(QPalette::Highlight, QColor(0x44, 0x77, 0xaa));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        dark.setColor(QPalette::PlaceholderText, QColor(0x99, 0x99, 0x99));
        dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x88, 0x88, 0x88));
        dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x88, 0x88, 0x88));
        dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x88, 0x88, 0x88));
        QApplication::setPalette(dark);
    } else {
        QApplication::setStyle(QStyleFactory::create(platformStyle));
        QApplication::setPalette(platformPalette);
    }
    QSettings().setValue(QStringLiteral("view/dark"), on);
}

PlotView* MainWindow::viewAt(const QPoint& globalPos) const {
    // By geometry rather than QApplication::widgetAt(): a tooltip or the help window
    // over the dashboard does not hide the view the user points at.
    for (PlotView* view : m_dashboard->views() + m_dashboard->comparisonViews()) {
        if (view->isVisible() && QRect(view->mapToGlobal(QPoint(0, 0)), view->size()).contains(globalPos)) return view;
    }
    return nullptr;
}

void MainWindow::showViewHelp(PlotView* view) {
    if (!m_viewHelp) m_viewHelp = new ViewHelpWindow(this);
    // Away from a view, the page last read (or the first view's) is the best guess.
    if (view) m_viewHelp->showView(view->name());
    m_viewHelp->show();
    m_viewHelp->raise();
    m_viewHelp->activateWindow();
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About GradFlow"),
                       tr("<h3>GradFlow %1</h3><p>See vanishing and exploding gradients: build a network, train it "
                          "and watch per-layer gradient magnitudes and the Jacobian spectrum move live.</p>"
                          "<p>Built with Qt %2, QCustomPlot and Eigen.</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
}

void MainWindow::readSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // First launch: most of the screen, but never larger than it (1366x768 laptops).
        const QRect available = screen()->availableGeometry();
        resize(std::min(1600, available.width() * 9 / 10), std::min(1000, available.height() * 9 / 10));
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    if (settings.value(QStringLiteral("view/dark"), false).toBool()) m_darkAction->setChecked(true);
}

void MainWindow::writeSettings() {
    if (m_presenterAction->isChecked()) m_presenterAction->setChecked(false);  // never remember full screen
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

}  // namespace gradflow::ui
