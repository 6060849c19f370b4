#include "ui/edit_commands.h"

#include "ui/experiment_document.h"

namespace gradflow::ui {

ConfigEditCommand::ConfigEditCommand(ExperimentDocument* document, core::ExperimentConfig before, core::ExperimentConfig after,
                                     const QString& text, int mergeId)
    : QUndoCommand(text), m_document(document), m_before(std::move(before)), m_after(std::move(after)), m_mergeId(mergeId) {}

void ConfigEditCommand::redo() { m_document->apply(m_after); }

void ConfigEditCommand::undo() { m_document->apply(m_before); }

bool ConfigEditCommand::mergeWith(const QUndoCommand* other) {
    if (other->id() != m_mergeId) return false;
    m_after = static_cast<const ConfigEditCommand*>(other)->m_after;
    // A merged edit that returns to the start (scroll up, then back) is no edit at all.
    if (m_after == m_before) setObsolete(true);
    return true;
}

}  // namespace gradflow::ui
