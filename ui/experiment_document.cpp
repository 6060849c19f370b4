#include "ui/experiment_document.h"

#include <QFileInfo>

#include "core/io/experiment_file.h"
#include "ui/edit_commands.h"

namespace gradflow::ui {

ExperimentDocument::ExperimentDocument(QObject* parent) : QObject(parent) {
    m_issues = core::validateExperiment(m_config);
    connect(&m_undo, &QUndoStack::cleanChanged, this, [this](bool clean) { emit modifiedChanged(!clean); });
}

void ExperimentDocument::setConfig(const core::ExperimentConfig& config, const QString& description, int mergeId) {
    if (config == m_config) return;
    m_undo.push(new ConfigEditCommand(this, m_config, config, description, mergeId));
}

void ExperimentDocument::replace(const core::ExperimentConfig& config, const QString& filePath) {
    m_undo.clear();
    apply(config);
    m_undo.setClean();
    if (filePath != m_filePath) {
        m_filePath = filePath;
        emit filePathChanged(m_filePath);
    }
    emit modifiedChanged(false);
}

QString ExperimentDocument::load(const QString& filePath) {
    const core::ExperimentLoadResult result = core::loadExperimentFile(filePath.toStdString());
    if (!result.ok()) return QString::fromStdString(result.errorText());
    replace(result.config, QFileInfo(filePath).absoluteFilePath());
    return {};
}

QString ExperimentDocument::save(const QString& filePath, const core::RunSpec& run) {
    core::ExperimentConfig saved = m_config;
    saved.run = run;
    const std::string error = core::saveExperimentFile(filePath.toStdString(), saved);
    if (!error.empty()) return QString::fromStdString(error);
    const QString absolute = QFileInfo(filePath).absoluteFilePath();
    if (absolute != m_filePath) {
        m_filePath = absolute;
        emit filePathChanged(m_filePath);
    }
    m_undo.setClean();
    return {};
}

QString ExperimentDocument::displayName() const {
    if (!m_filePath.isEmpty()) return QFileInfo(m_filePath).fileName();
    if (!m_config.lesson.title.empty()) return QString::fromStdString(m_config.lesson.title);
    return tr("Untitled experiment");
}

void ExperimentDocument::apply(const core::ExperimentConfig& config) {
    m_config = config;
    m_issues = core::validateExperiment(m_config);
    emit configChanged();
}

}  // namespace gradflow::ui
