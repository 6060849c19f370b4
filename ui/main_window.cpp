#include "ui/main_window.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "core/data/fashion_mnist.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/frame_stats.h"
#include "ui/layer_stack_editor.h"
#include "ui/lesson_panel.h"
#include "ui/plots/plot_view.h"
#include "ui/run_status.h"
#include "ui/training_controls.h"

// The qrc is compiled into the static gradflow_ui library, where nothing references
// it: without this the linker drops the resources (the window icon).
static void initResources() { Q_INIT_RESOURCE(gradflow); }

namespace gradflow::ui {

namespace {

// 40 Hz: smooth to the eye, and two thirds of the GUI-thread cost of 60 Hz on a 2-core machine
// where the worker needs the other core.
constexpr int kFrameIntervalMs = 25;

/// True when going from `applied` to `draft` needs fresh weights (anything but the
/// live settings and the lesson text changed).
bool needsReset(const core::ExperimentConfig& applied, core::ExperimentConfig draft) {
    draft.training.optimizer.learningRate = applied.training.optimizer.learningRate;
    draft.training.clip = applied.training.clip;
    draft.lesson = applied.lesson;
    draft.run = applied.run;
    return !(draft == applied);
}

/// A dock's scroll area that is never narrower than its panel can reflow to: with
/// horizontal scrolling off, a narrower dock cut the panel's right side off (the lesson
/// text ran under the edge instead of wrapping).
class PanelScrollArea : public QScrollArea {
public:
    using QScrollArea::QScrollArea;
    QSize minimumSizeHint() const override {
        QSize size = QScrollArea::minimumSizeHint();
        if (const QWidget* panel = widget())
            size.setWidth(panel->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width() + 2 * frameWidth());
        return size;
    }
};

bool hasIssueIn(const std::vector<core::ConfigIssue>& issues, const char* prefix) {
    return std::any_of(issues.begin(), issues.end(), [&](const auto& i) { return i.field.rfind(prefix, 0) == 0; });
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), m_document(new ExperimentDocument(this)), m_worker(std::make_unique<TrainingWorker>()) {
    initResources();
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/gradflow.svg")));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    setCentralWidget(createCentral());
    createActions();
    createDocks();
    createMenus();
    m_status = new RunStatus(this);
    statusBar()->addWidget(m_status, 1);
    if (FrameStats::enabled()) m_frameStats = std::make_unique<FrameStats>();

    connect(m_document, &ExperimentDocument::configChanged, this, &MainWindow::onDocumentChanged);
    connect(m_document, &ExperimentDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ExperimentDocument::filePathChanged, this, &MainWindow::updateTitle);
    connect(m_worker.get(), &TrainingWorker::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_dashboard, &Dashboard::unitSelected, this, [this](int unit) { m_worker->setSelectedUnit(unit); });
    for (PlotView* view : m_dashboard->views() + m_dashboard->comparisonViews())
        connect(view, &PlotView::helpRequested, this, &MainWindow::showViewHelp);
    connect(m_controls, &TrainingControls::speedChanged, this, [this](double s) { m_worker->setSpeed(s); });
    connect(m_lesson, &LessonPanel::presetRequested, this, [this](const QString& name) {
        if (confirmDiscard()) openPreset(name);
    });
    connect(m_lesson, &LessonPanel::runSuggestedRequested, this, [this](int steps) {
        if (resetPending()) resetRun();
        m_worker->step(steps);
    });

    m_frameTimer = new QTimer(this);
    m_frameTimer->setTimerType(Qt::PreciseTimer);
    m_frameTimer->setInterval(kFrameIntervalMs);
    connect(m_frameTimer, &QTimer::timeout, this, &MainWindow::pullFrame);
    m_frameTimer->start();

    // Spin boxes take Ctrl+Z for their own text history, which is empty right after an
    // edit (each value is already a document edit): see eventFilter().
    qApp->installEventFilter(this);

    m_worker->setSpeed(m_controls->speed());
    updateCompareAction();
    readSettings();
    onStateChanged(m_worker->state());
    updateTitle();
}

MainWindow::~MainWindow() {
    // The application keeps sending events while the widgets go away: none to a half-destroyed window.
    qApp->removeEventFilter(this);
    // Join the worker before the widgets it never touches go away; idempotent.
    m_worker->stop();
    // The document is a child destroyed after this destructor; its undo stack emits
    // cleanChanged on the way out, which would call our slots on a half-destroyed
    // MainWindow (UndefinedBehaviorSanitizer caught it).
    m_document->disconnect(this);
}

QWidget* MainWindow::createCentral() {
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new QWidget(central);
    m_banner->setObjectName(QStringLiteral("resetBanner"));
    m_banner->setAttribute(Qt::WA_StyledBackground);
    m_banner->setStyleSheet(
        QStringLiteral("#resetBanner { background: #fff4cc; border-bottom: 1px solid #ccbb44; }"
                       "#resetBanner QLabel { color: #333333; }"));
    auto* bannerLayout = new QHBoxLayout(m_banner);
    bannerLayout->setContentsMargins(10, 4, 10, 4);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    m_bannerButton = new QPushButton(tr("Reset now"), m_banner);
    m_bannerButton->setToolTip(tr("Rebuild the network with fresh weights from the current settings (R)"));
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_bannerButton);
    connect(m_bannerButton, &QPushButton::clicked, this, &MainWindow::resetRun);
    m_banner->hide();
    layout->addWidget(m_banner);
    m_dashboard = new Dashboard(central);
    layout->addWidget(m_dashboard, 1);
    return central;
}

void MainWindow::createDocks() {
    auto addDock = [this](QWidget* content, const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* dock = new QDockWidget(title, this);
        dock->setObjectName(name);  // saveState() needs stable names
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
        auto* scroll = new PanelScrollArea(dock);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        // Panels reflow to the dock's width; only a too-short dock scrolls (vertically).
        scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        scroll->setWidget(content);
        dock->setWidget(scroll);
        addDockWidget(area, dock);
        m_docks << dock;
        return dock;
    };
    m_layerEditor = new LayerStackEditor(m_document);
    m_controls = new TrainingControls(m_document);
    m_lesson = new LessonPanel(m_document);
    QDockWidget* network = addDock(m_layerEditor, tr("Network"), QStringLiteral("networkDock"), Qt::LeftDockWidgetArea);
    QDockWidget* training = addDock(m_controls, tr("Training"), QStringLiteral("trainingDock"), Qt::LeftDockWidgetArea);
    QDockWidget* lesson = addDock(m_lesson, tr("Lesson"), QStringLiteral("lessonDock"), Qt::LeftDockWidgetArea);
    // Narrow screens (1366x768): the three panels share one column as tabs, lesson first.
    tabifyDockWidget(lesson, network);
    tabifyDockWidget(network, training);
    lesson->raise();
    resizeDocks({lesson}, {350}, Qt::Horizontal);
}

void MainWindow::onDocumentChanged() {
    const core::ExperimentConfig& draft = m_document->config();
    const auto& issues = m_document->issues();
    // Live settings go straight to the running model when they are valid.
    bool live = false;
    if (draft.training.optimizer.learningRate != m_applied.training.optimizer.learningRate &&
        !hasIssueIn(issues, "training.learning_rate")) {
        m_applied.training.optimizer.learningRate = draft.training.optimizer.learningRate;
        live = true;
    }
    if (!(draft.training.clip == m_applied.training.clip) && !hasIssueIn(issues, "training.clip")) {
        m_applied.training.clip = draft.training.clip;
        live = true;
    }
    if (live) sendLiveSettings();
    m_applied.lesson = draft.lesson;
    updateCompareAction();
    const bool pending = resetPending();
    if (!m_document->isValid()) {
        m_bannerText->setText(tr("<b>Settings have errors</b> (marked in red in the panels): fix them to apply."));
    } else {
        m_bannerText->setText(
            tr("<b>Changes apply on Reset.</b> Learning rate and clipping apply live; the other "
               "settings need fresh weights."));
    }
    m_bannerButton->setEnabled(m_document->isValid());
    m_banner->setVisible(pending || !m_document->isValid());
    m_resetAction->setEnabled(m_document->isValid());
}

core::RunSpec MainWindow::runState() const {
    // Only a run built from exactly these settings can be replayed from them.
    if (resetPending() || !m_lastSnapshot) return {};
    return core::RunSpec{m_worker->stepsDone(), m_comparisonChange.toStdString()};
}

bool MainWindow::resetPending() const { return needsReset(m_applied, m_document->config()); }

void MainWindow::resetRun() {
    if (!m_document->isValid()) return;
    const bool wasRunning = m_worker->state() == TrainingWorker::State::Running;
    m_applied = m_document->config();
    restartWorker();
    if (wasRunning) m_worker->train();
    onDocumentChanged();
}

void MainWindow::trainOrPause() {
    const auto state = m_worker->state();
    if (state == TrainingWorker::State::Running) {
        m_worker->pause();
        return;
    }
    // A first Train after edits (or after divergence) starts from the current settings.
    if (resetPending() || state == TrainingWorker::State::Diverged || state == TrainingWorker::State::Empty ||
        state == TrainingWorker::State::Failed) {
        if (!m_document->isValid()) return;
        m_applied = m_document->config();
        restartWorker();
        onDocumentChanged();
    }
    m_worker->train();
}

void MainWindow::stepOnce() {
    if (m_worker->state() == TrainingWorker::State::Empty) resetRun();
    m_worker->step(1);
}

void MainWindow::pullFrame() {
    // Both sides keep the same steps, so their histories thin alike.
    TrainingWorker::Update update = m_worker->takeUpdate(std::max(m_history.stride(), m_comparisonHistory.stride()));
    if (update.newRun) {
        m_history.clear();
        m_comparisonHistory.clear();
        m_dashboard->clear();
        m_status->clear();
        m_lastSnapshot.reset();
        m_lastComparison.reset();
    }
    for (const core::StepStats& stats : update.steps) m_history.append(stats);
    for (const core::StepStats& stats : update.comparison.steps) m_comparisonHistory.append(stats);
    if (update.comparison.snapshot) m_lastComparison = std::move(update.comparison.snapshot);
    if (!update.snapshot) return;  // nothing moved: skip the frame
    if (m_frameStats && m_lastSnapshot && m_lastSnapshot->running) {
        for (PlotView* view : m_dashboard->visibleViews()) m_frameStats->viewReplotted(view->name(), view->plot()->replotTime());
    }
    m_lastSnapshot = std::move(update.snapshot);
    QElapsedTimer paint;
    paint.start();
    if (m_dashboard->comparing() && update.lanes == 2 && m_lastComparison) {
        m_dashboard->showFrames(m_lastSnapshot, m_history, m_lastComparison, m_comparisonHistory);
    } else {
        m_dashboard->showFrame(m_lastSnapshot, m_history);
    }
    m_status->showSnapshot(*m_lastSnapshot);
    if (m_frameStats) {
        m_frameStats->frameShown(m_lastSnapshot->running, paint.nsecsElapsed() / 1e6);
        m_frameStats->sampleStepsPerSecond(m_lastSnapshot->stepsPerSecond);
    }
}

void MainWindow::onStateChanged(TrainingWorker::State state) {
    using S = TrainingWorker::State;
    const bool running = state == S::Running;
    m_trainAction->setText(running ? tr("&Pause") : tr("&Train"));
    m_trainAction->setIcon(running ? themeIcon("media-playback-pause", QStyle::SP_MediaPause)
                                   : themeIcon("media-playback-start", QStyle::SP_MediaPlay));
    m_trainAction->setToolTip(running ? tr("Pause training (Space)") : tr("Start training (Space)"));
    m_trainAction->setEnabled(state != S::Stopped);  // pressed while building: trains once built
    m_stepAction->setEnabled(state == S::Paused || state == S::Empty || state == S::Building);
    m_status->showState(state, m_worker->errorText());
    if (state == S::Failed) {
        m_bannerText->setText(tr("<b>The network could not be built:</b> %1")
                                  .arg(m_worker->errorText().section(QLatin1Char('\n'), 0, 0).toHtmlEscaped()));
        m_banner->show();
        if (m_applied.data.kind == core::DataKind::FashionMnist) showMissingDataDialog();
    }
}

void MainWindow::showMissingDataDialog() {
    const std::string missing = core::fashionMnistMissing();
    if (missing.empty() || m_missingDataDialog) return;  // damaged files: the banner names file and offset
    auto* box = new QMessageBox(
        QMessageBox::Warning, tr("Fashion-MNIST is not installed"),
        tr("This lesson trains on Fashion-MNIST, which GradFlow reads from the Debian package "
           "<b>%1</b>. Install it with<br><br><code>%2</code><br><br>and press Train again.")
            .arg(QString::fromLatin1(core::kFashionMnistPackage.data(), qsizetype(core::kFashionMnistPackage.size())),
                 QString::fromStdString(core::fashionMnistInstallCommand()).toHtmlEscaped()),
        QMessageBox::Ok, this);
    box->setObjectName(QStringLiteral("missingDataDialog"));
    box->setDetailedText(QString::fromStdString(missing));
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);  // the command can be copied
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_missingDataDialog = box;
    box->open();
}

bool MainWindow::openPreset(const QString& name) {
    const core::Preset* preset = core::findPreset(name.toStdString());
    if (!preset) {
        QMessageBox::warning(this, tr("Unknown lesson"), tr("There is no preset named \u201c%1\u201d.").arg(name));
        return false;
    }
    const core::ExperimentLoadResult result = core::parseExperiment(preset->json);
    if (!result.ok()) {
        QMessageBox::warning(this, tr("Broken lesson"), QString::fromStdString(result.errorText()));
        return false;
    }
    m_document->replace(result.config, QString());
    m_lesson->setCurrentPreset(name);
    m_applied = result.config;
    endComparison();  // a new lesson starts on its own
    restartWorker();
    onDocumentChanged();
    return true;
}

bool MainWindow::openFile(const QString& path) {
    const QString error = m_document->load(path);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Cannot open experiment"),
                             tr("%1 could not be opened:\n\n%2").arg(QFileInfo(path).fileName(), error));
        return false;
    }
    addRecentFile(m_document->filePath());
    startLoadedExperiment();
    return true;
}

bool MainWindow::openFromText(const QString& text) {
    const core::ExperimentLoadResult result = parseExperimentText(text);
    if (!result.ok()) {
        QMessageBox::warning(this, tr("Cannot open experiment"),
                             tr("The text on the clipboard is not an experiment GradFlow can open:\n\n%1")
                                 .arg(QString::fromStdString(result.errorText())));
        return false;
    }
    if (!confirmDiscard()) return false;
    m_document->replace(result.config, QString());  // not a file yet: Save asks where
    statusBar()->showMessage(tr("Opened the experiment from the clipboard"), 5000);
    startLoadedExperiment();
    return true;
}

void MainWindow::startLoadedExperiment() {
    m_lesson->setCurrentPreset(QString());
    m_applied = m_document->config();
    endComparison();
    // A saved run comes back where it stood: same config and seed, the same steps again.
    const core::RunSpec run = m_applied.run;
    m_comparisonChange = QString::fromStdString(run.comparison);
    restartWorker();
    if (run.stepsDone > 0) {
        m_worker->step(int(std::min<std::int64_t>(run.stepsDone, std::numeric_limits<int>::max())));
        statusBar()->showMessage(tr("Replaying %L1 steps to where the saved run stood").arg(run.stepsDone), 8000);
    }
    onDocumentChanged();
}

bool MainWindow::confirmDiscard() {
    if (!m_document->isModified()) return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"),
        tr("The experiment \u201c%1\u201d has unsaved changes. Save them first?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::ShortcutOverride) {
        const auto* key = static_cast<QKeyEvent*>(event);
        auto* widget = qobject_cast<QWidget*>(watched);
        const bool undoKey = key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo);
        if (undoKey && widget) {
            // Parents, not window(): a floating dock is a window of its own, and still ours.
            bool inSpinBox = false, ours = false;
            for (QWidget* w = widget; w && !ours; w = w->parentWidget()) {
                inSpinBox = inSpinBox || qobject_cast<QAbstractSpinBox*>(w);
                ours = w == this;
            }
            // A text field keeps its own undo while it has typing to undo; once its value
            // is applied (and its text history gone) the key is the document's too.
            bool documentUndo = inSpinBox;
            if (const auto* line = qobject_cast<QLineEdit*>(widget); line && !inSpinBox)
                documentUndo = key->matches(QKeySequence::Undo) ? !line->isUndoAvailable() : !line->isRedoAvailable();
            if (documentUndo && ours) {
                // Left unaccepted, the key is not the spin box's: it triggers the window's
                // Undo / Redo shortcut instead.
                event->ignore();
                return true;
            }
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmDiscard()) {
        event->ignore();
        return;
    }
    writeSettings();
    m_frameTimer->stop();
    m_worker->stop();  // requestStop + join: never terminate, never wait on a queued quit
    m_frameStats.reset();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.front().isLocalFile() && urls.front().toLocalFile().endsWith(QStringLiteral(".json")))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QString path = event->mimeData()->urls().front().toLocalFile();
    event->acceptProposedAction();
    // Open after the drop returns, so a message box does not run inside the drag.
    QTimer::singleShot(0, this, [this, path] {
        if (confirmDiscard()) openFile(path);
    });
}

void MainWindow::updateTitle() {
    setWindowTitle(tr("%1[*] \u2014 GradFlow").arg(m_document->displayName()));
    setWindowModified(m_document->isModified());
}

}  // namespace gradflow::ui
