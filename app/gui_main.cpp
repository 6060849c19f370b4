// The GUI entry point: the desktop app, headless figure export (--export / --frames),
// and the fallback when there is no display at all (run the demo and write a PNG).

#include "app/gui_main.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <cstdio>
#include <iostream>
#include <memory>

#include "app/headless_run.h"
#include "core/analysis/snapshot_builder.h"
#include "core/config/config_change.h"
#include "core/io/preset_library.h"
#include "core/training/trainer.h"
#include "core/training/training_history.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/main_window.h"

namespace gradflow::app {

namespace {

bool displayAvailable() {
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY") ||
           qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

void setApplicationInfo() {
    QCoreApplication::setOrganizationName(QStringLiteral("GradFlow"));
    QCoreApplication::setApplicationName(QStringLiteral("GradFlow"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GRADFLOW_VERSION));
    QGuiApplication::setDesktopFileName(QStringLiteral(GRADFLOW_APP_ID));
}

/// Figure output for a headless run, plugged into runHeadless() through its hooks: keeps a
/// TrainingHistory and the last step, writes frames every K steps, renders the figure at
/// --at STEP or at the end.
class FigureHooks {
public:
    explicit FigureHooks(const CommandLineOptions& options) : m_options(options) {}

    HeadlessHooks hooks() {
        HeadlessHooks h;
        h.beforeRun = [this](const core::ExperimentConfig& config) {
            std::string error = prepareComparison(config);
            return error.empty() ? checkPaths() : error;
        };
        h.comparison = [this] { return m_compare.get(); };
        h.afterComparisonStep = [this](const core::StepStats& stats) {
            m_compareLast = stats;
            m_compareHistory.append(stats);
        };
        h.afterStep = [this](const core::Trainer& trainer, const core::StepStats& stats) {
            m_history.append(stats);
            m_last = stats;
            if (m_frames && (trainer.stepsDone() % std::max(1, m_options.framesEvery) == 0 || stats.diverged))
                return writeFrame(trainer);
            return std::string();
        };
        if (m_options.wantsFigureExport())
            h.afterDistributions = [this](core::LayerDistributionsPtr d) { m_distributions = std::move(d); };
        if (m_options.exportAtStep) h.atExportStep = [this](const core::Trainer& trainer) { return exportFigure(trainer); };
        // A run that diverged before --at STEP ends there, as a run of STEP steps would.
        h.afterRun = [this](const core::Trainer& trainer) { return m_exported ? std::string() : exportFigure(trainer); };
        return h;
    }

private:
    QSize size() const {
        return m_options.exportWidth > 0 ? QSize(m_options.exportWidth, m_options.exportHeight) : QSize(1600, 1000);
    }

    ui::ExportOptions exportOptions() const {
        ui::ExportOptions o;
        o.size = size();
        o.scale = m_options.exportScale;
        o.diagnosis = m_options.diagnosis;
        return o;
    }

    /// Side B for --compare: the experiment with the one change, as its own trainer.
    std::string prepareComparison(const core::ExperimentConfig& config) {
        if (m_options.compareChange.empty()) return {};
        const auto changed = core::applyChange(config, m_options.compareChange);
        const auto change = core::describeChange(config, m_options.compareChange);
        if (!changed || !change) {
            std::string offered;
            for (const core::ConfigChange& c : core::changesFor(config)) offered += (offered.empty() ? "" : ", ") + c.id;
            return "--compare: '" + m_options.compareChange + "' does not apply to this experiment; it offers: " + offered;
        }
        try {
            m_compare = core::Trainer::create(*changed);
        } catch (const std::exception& e) {
            return "--compare: " + std::string(e.what());
        }
        m_baseLabel = QString::fromStdString(change->baseLabel);
        m_changeLabel = QString::fromStdString(change->label);
        return {};
    }

    ui::SnapshotPtr comparisonSnapshot() const {
        return core::buildFullSnapshot(*m_compare, m_compare->stepsDone() > 0 ? &m_compareLast : nullptr, 1);
    }

    std::string checkPaths() {
        ui::ExportFormat format;
        const QString path = QString::fromStdString(m_options.exportPath);
        if (!path.isEmpty() && !ui::formatFromPath(path, format))
            return "--export: " + m_options.exportPath + ": use a .png, .svg or .pdf file name";
        if (!path.isEmpty() && !QFileInfo(QFileInfo(path).absolutePath()).isWritable())
            return "--export: cannot write to the folder of " + m_options.exportPath;
        if (!m_options.framesDir.empty()) {
            m_dashboard = std::make_unique<ui::Dashboard>();
            m_dashboard->setAttribute(Qt::WA_DontShowOnScreen);
            m_dashboard->resize(size());
            if (m_compare) m_dashboard->setComparison(true, m_baseLabel, m_changeLabel);
            m_dashboard->show();
            m_frames = std::make_unique<ui::FrameSequenceWriter>(QString::fromStdString(m_options.framesDir), exportOptions(),
                                                                 QString::fromStdString(m_options.viewName));
        }
        return {};
    }

    std::string writeFrame(const core::Trainer& trainer) {
        if (m_compare) {
            m_dashboard->showFrames(core::buildFullSnapshot(trainer, &m_last, 1, -1, m_distributions), m_history,
                                    comparisonSnapshot(), m_compareHistory);
        } else {
            m_dashboard->showFrame(core::buildFullSnapshot(trainer, &m_last, 1, -1, m_distributions), m_history);
        }
        const QString error = m_frames->writeFrame(*m_dashboard);
        return error.isEmpty() ? std::string() : "--frames: " + error.toStdString();
    }

    std::string exportFigure(const core::Trainer& trainer) {
        if (m_options.exportPath.empty()) return {};
        m_exported = true;
        const ui::SnapshotPtr snapshot =
            core::buildFullSnapshot(trainer, trainer.stepsDone() > 0 ? &m_last : nullptr, 1, -1, m_distributions);
        ui::HeadlessComparison comparison;
        if (m_compare) comparison = {comparisonSnapshot(), &m_compareHistory, m_baseLabel, m_changeLabel};
        const QString error =
            ui::renderHeadless(snapshot, m_history, QString::fromStdString(m_options.exportPath), exportOptions(),
                               QString::fromStdString(m_options.viewName), ui::ThemeKind::Light, m_compare ? &comparison : nullptr);
        return error.isEmpty() ? std::string() : "--export: " + error.toStdString();
    }

    const CommandLineOptions& m_options;
    core::TrainingHistory m_history;
    core::StepStats m_last;
    core::LayerDistributionsPtr m_distributions;  ///< the newest the run collected
    std::unique_ptr<ui::Dashboard> m_dashboard;
    std::unique_ptr<ui::FrameSequenceWriter> m_frames;
    std::unique_ptr<core::Trainer> m_compare;  ///< side B of --compare
    core::TrainingHistory m_compareHistory;
    core::StepStats m_compareLast;
    QString m_baseLabel, m_changeLabel;
    bool m_exported = false;  ///< --export written (at --at STEP, before the run ended)
};

int runFigureExport(int argc, char** argv, const CommandLineOptions& options) {
    qputenv("QT_QPA_PLATFORM", "offscreen");  // headless: never needs a display
    QApplication app(argc, argv);
    setApplicationInfo();
    FigureHooks figures(options);
    return runHeadless(options, std::cout, std::cerr, figures.hooks());
}

/// No display: rather than fail, show what the app is for as a picture.
int runDemoWithoutDisplay(int argc, char** argv, CommandLineOptions options) {
    if (!options.hasExperiment()) options.presetName = std::string(core::kDefaultPresetName);
    options.headless = true;
    QString path = QDir::current().absoluteFilePath(QStringLiteral("gradflow-demo.png"));
    if (!QFileInfo(QDir::currentPath()).isWritable()) path = QDir::temp().absoluteFilePath(QStringLiteral("gradflow-demo.png"));
    options.exportPath = path.toStdString();
    std::cerr << "gradflow: no display (DISPLAY, WAYLAND_DISPLAY and QT_QPA_PLATFORM are unset): running the "
                 "experiment headless and rendering the dashboard to a PNG instead\n";
    const int code = runFigureExport(argc, argv, options);
    if (code == kExitOk) std::cout << path.toStdString() << "\n";
    return code;
}

}  // namespace

int runGui(int argc, char** argv, const CommandLineOptions& options) {
    if (options.headless) return runFigureExport(argc, argv, options);
    if (!displayAvailable()) return runDemoWithoutDisplay(argc, argv, options);

    // Fractional scale factors (150% on a 4K laptop) stay fractional: crisp, not blurry.
    QGuiApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    setApplicationInfo();
    qRegisterMetaType<ui::SnapshotPtr>("gradflow::ui::SnapshotPtr");

    ui::MainWindow window;
    bool opened = false;
    if (!options.configPath.empty()) opened = window.openFile(QString::fromStdString(options.configPath));
    else if (!options.presetName.empty()) opened = window.openPreset(QString::fromStdString(options.presetName));
    if (!opened && options.hasExperiment()) {
        std::cerr << "gradflow: could not open the experiment; starting with the default lesson\n";
    }
    if (!opened)
        window.openPreset(QString::fromUtf8(core::kDefaultPresetName.data(), qsizetype(core::kDefaultPresetName.size())));
    if (!options.compareChange.empty() && !window.startComparison(QString::fromStdString(options.compareChange))) {
        std::cerr << "gradflow: --compare " << options.compareChange
                  << " does not apply to this experiment; starting without a comparison\n";
    }
    QApplication::setWindowIcon(window.windowIcon());
    window.show();
    return app.exec();
}

}  // namespace gradflow::app
