#pragma once
// The application window. It wires things together and computes nothing: the document
// (draft experiment + undo) feeds the editor docks; Reset hands a copy of it to the
// TrainingWorker; a frame timer pulls the worker's newest snapshot into a GUI-side
// TrainingHistory and the Dashboard. Learning rate and clipping go to the worker live;
// other edits wait for Reset, which a banner over the dashboard says.

#include <QElapsedTimer>
#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>
#include <memory>

#include "core/config/experiment_config.h"
#include "core/training/training_history.h"
#include "ui/experiment_text.h"
#include "ui/snapshot.h"
#include "ui/training_worker.h"

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QPushButton;
class QTimer;
class QToolBar;

namespace gradflow::ui {

class CompareMenu;
class Dashboard;
class ExperimentDocument;
class LayerStackEditor;
class LessonPanel;
class PlotView;
class RunStatus;
class TrainingControls;
class FrameStats;
class ViewHelpWindow;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Loads a preset / file into the document and resets the run (no unsaved prompt:
    /// callers that replace user work ask first via confirmDiscard()).
    bool openPreset(const QString& name);
    bool openFile(const QString& path);
    /// Opens the experiment in `text` (a chat message, a forum post): checked first, so a
    /// broken one is reported without asking about unsaved changes; then the usual
    /// prompt. False when nothing was opened.
    bool openFromText(const QString& text);
    /// File > Open from Clipboard, and Ctrl+V where no text field takes it.
    void openFromClipboard();
    /// Edit > Copy Experiment: what Save would write, as text on the clipboard.
    void copyExperiment(TextLayout layout);
    /// An entry of File > Open Recent: opens the file, or drops it from the list with a
    /// message when it is gone.
    void openRecentFile(const QString& path);
    void clearRecentFiles();
    QMenu* recentMenu() const { return m_recentMenu; }
    QAction* openFromClipboardAction() const { return m_openFromClipboardAction; }

    // For the command line, tests and the menus.
    ExperimentDocument* document() const { return m_document; }
    TrainingWorker* worker() const { return m_worker.get(); }
    Dashboard* dashboard() const { return m_dashboard; }
    LayerStackEditor* layerEditor() const { return m_layerEditor; }
    TrainingControls* trainingControls() const { return m_controls; }
    LessonPanel* lessonPanel() const { return m_lesson; }
    const core::TrainingHistory& history() const { return m_history; }
    SnapshotPtr lastSnapshot() const { return m_lastSnapshot; }
    /// Side B of a comparison (empty/null when not comparing).
    const core::TrainingHistory& comparisonHistory() const { return m_comparisonHistory; }
    SnapshotPtr lastComparisonSnapshot() const { return m_lastComparison; }
    /// The config the running model was built from (plus live changes).
    const core::ExperimentConfig& appliedConfig() const { return m_applied; }
    bool resetPending() const;
    /// Where the current run stands, for saving: empty when the settings were edited since
    /// it was built (then the file could not reproduce it).
    core::RunSpec runState() const;

    QAction* trainAction() const { return m_trainAction; }
    QAction* stepAction() const { return m_stepAction; }
    QAction* resetAction() const { return m_resetAction; }
    QAction* compareAction() const { return m_compareAction; }
    CompareMenu* compareMenu() const { return m_compareMenu; }
    QAction* undoAction() const { return m_undoAction; }
    QAction* redoAction() const { return m_redoAction; }
    QAction* viewHelpAction() const { return m_viewHelpAction; }
    /// The help window, once F1 or Help > What Am I Looking At? opened it (else null).
    ViewHelpWindow* viewHelpWindow() const { return m_viewHelp; }
    /// The dashboard view under a screen position (either comparison side), or null.
    PlotView* viewAt(const QPoint& globalPos) const;
    /// Opens the help window on `view`'s page (null: the page last shown).
    void showViewHelp(PlotView* view);

    /// Trains the current setup (A) beside the same setup with one change (B, a
    /// core::ConfigChange id) in lockstep, from fresh weights; false if the change does
    /// not apply to the current settings.
    bool startComparison(const QString& changeId);
    void stopComparison();
    /// The running comparison's change id, "" when not comparing.
    QString comparisonChange() const { return m_comparisonChange; }

    void trainOrPause();
    void stepOnce();
    /// Rebuilds the run from the document; keeps training if it was running.
    void resetRun();
    /// Pulls the worker's update and shows it (the frame timer's tick).
    void pullFrame();
    /// Asks "save changes?" if the document is modified; false = the user cancelled.
    bool confirmDiscard();

protected:
    /// Undo and Redo reach the document from any editor of the window, spin boxes too.
    bool eventFilter(QObject* watched, QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createDocks();
    QWidget* createCentral();
    void onDocumentChanged();
    void onStateChanged(TrainingWorker::State state);
    /// The data set is a Debian package that is not installed: says which, and the command.
    void showMissingDataDialog();
    void updateTitle();
    void updateRecentMenu();
    void addRecentFile(const QString& path);
    void removeRecentFile(const QString& path);
    /// After the document was replaced by a file or pasted text: run it from its saved
    /// state (replaying the steps it had done).
    void startLoadedExperiment();
    void openWithDialog();
    bool save();
    bool saveAs();
    void setPresenterMode(bool on);
    void setDarkTheme(bool on);
    /// Rebuilds the worker's run from m_applied (and its comparison, if one runs).
    void restartWorker();
    /// Learning rate and clipping of m_applied to the running lanes.
    void sendLiveSettings();
    /// Back to a single run's view, without restarting the worker.
    void endComparison();
    /// The compare button names what one click on it does.
    void updateCompareAction();
    void showAbout();
    QIcon themeIcon(const char* name, int fallbackPixmap) const;
    void readSettings();
    void writeSettings();

    ExperimentDocument* m_document = nullptr;
    std::unique_ptr<TrainingWorker> m_worker;
    Dashboard* m_dashboard = nullptr;
    LayerStackEditor* m_layerEditor = nullptr;
    TrainingControls* m_controls = nullptr;
    LessonPanel* m_lesson = nullptr;
    RunStatus* m_status = nullptr;
    QWidget* m_banner = nullptr;
    QLabel* m_bannerText = nullptr;
    QPushButton* m_bannerButton = nullptr;
    QTimer* m_frameTimer = nullptr;
    QList<QDockWidget*> m_docks;
    QMenu* m_recentMenu = nullptr;
    QAction* m_openFromClipboardAction = nullptr;
    QAction* m_trainAction = nullptr;
    QAction* m_stepAction = nullptr;
    QAction* m_resetAction = nullptr;
    QAction* m_presenterAction = nullptr;
    QAction* m_darkAction = nullptr;
    QToolBar* m_runToolBar = nullptr;
    QAction* m_compareAction = nullptr;
    QAction* m_undoAction = nullptr;
    QAction* m_redoAction = nullptr;
    QAction* m_viewHelpAction = nullptr;
    ViewHelpWindow* m_viewHelp = nullptr;
    CompareMenu* m_compareMenu = nullptr;
    QString m_comparisonChange;

    core::ExperimentConfig m_applied;
    core::TrainingHistory m_history;
    SnapshotPtr m_lastSnapshot;
    core::TrainingHistory m_comparisonHistory;
    SnapshotPtr m_lastComparison;
    std::unique_ptr<FrameStats> m_frameStats;  ///< GRADFLOW_FRAME_STATS=1 instrumentation
    QPointer<QMessageBox> m_missingDataDialog;
};

}  // namespace gradflow::ui
