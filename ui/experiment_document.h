#pragma once
// The experiment being edited in the window: the draft config, where it lives on disk,
// whether it has unsaved changes, and its undo history. Every edit from every panel goes
// through setConfig(), so undo/redo, the "modified" mark and validation cover them all.
// The running model is built from a copy of this config on Reset, never from it live.

#include <QObject>
#include <QString>
#include <QUndoStack>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/config/experiment_validation.h"

namespace gradflow::ui {

class ExperimentDocument : public QObject {
    Q_OBJECT
public:
    /// Edits that may merge into one undo step when they follow each other (spin boxes,
    /// sliders): one id per control.
    enum MergeId {
        NoMerge = -1,
        MergeLearningRate = 1,
        MergeClipThreshold,
        MergeWidth,
        MergeGain,
        MergeSeed,
        MergeSamples,
        MergeNoise,
        MergeBatch,
        MergeDepth,
        MergeHidden,
        MergeSequence,
        MergeMisc,
        MergeSchedule
    };

    explicit ExperimentDocument(QObject* parent = nullptr);

    const core::ExperimentConfig& config() const { return m_config; }
    /// Validation problems of the current config (empty = it can be built).
    const std::vector<core::ConfigIssue>& issues() const { return m_issues; }
    bool isValid() const { return m_issues.empty(); }

    /// An undoable edit; does nothing if `config` equals the current one.
    void setConfig(const core::ExperimentConfig& config, const QString& description, int mergeId = NoMerge);
    /// Replaces the document (new file, preset): clears the undo history, marks clean.
    void replace(const core::ExperimentConfig& config, const QString& filePath);

    /// Reads and validates a file; on success replaces the document. Returns the error.
    QString load(const QString& filePath);
    /// Writes (atomically) and marks clean, with `run` as the file's run state (where the
    /// run built from this config stood). Returns the error, empty on success.
    QString save(const QString& filePath, const core::RunSpec& run = {});

    QString filePath() const { return m_filePath; }
    /// File name for titles, or the lesson title / "Untitled".
    QString displayName() const;
    bool isModified() const { return !m_undo.isClean(); }
    QUndoStack* undoStack() { return &m_undo; }

signals:
    void configChanged();
    void modifiedChanged(bool modified);
    void filePathChanged(const QString& filePath);

private:
    friend class ConfigEditCommand;
    void apply(const core::ExperimentConfig& config);

    core::ExperimentConfig m_config;
    std::vector<core::ConfigIssue> m_issues;
    QString m_filePath;
    QUndoStack m_undo;
};

}  // namespace gradflow::ui
