#pragma once
// Undo commands for experiment edits. A config is a few hundred bytes even for deep
// stacks, so each command keeps the whole config before and after: one command type
// covers every kind of edit, and undo can never get out of step with the editors.

#include <QUndoCommand>

#include "core/config/experiment_config.h"

namespace gradflow::ui {

class ExperimentDocument;

class ConfigEditCommand : public QUndoCommand {
public:
    ConfigEditCommand(ExperimentDocument* document, core::ExperimentConfig before, core::ExperimentConfig after,
                      const QString& text, int mergeId);

    void redo() override;
    void undo() override;
    int id() const override { return m_mergeId; }
    /// Consecutive edits of one control (a spin box being scrolled) become one step.
    bool mergeWith(const QUndoCommand* other) override;

private:
    ExperimentDocument* m_document;
    core::ExperimentConfig m_before, m_after;
    int m_mergeId;
};

}  // namespace gradflow::ui
