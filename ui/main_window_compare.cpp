// MainWindow's comparison mode: side B is always "side A with one change", re-derived
// from the applied settings at every rebuild, so editing the experiment keeps the
// comparison about that one change. Kept apart from the wiring in main_window.cpp.

#include <QAction>
#include <QStatusBar>

#include "core/config/config_change.h"
#include "ui/compare_menu.h"
#include "ui/dashboard.h"
#include "ui/experiment_document.h"
#include "ui/main_window.h"

namespace gradflow::ui {

bool MainWindow::startComparison(const QString& changeId) {
    if (!m_document->isValid()) return false;
    const core::ExperimentConfig draft = m_document->config();
    if (!core::applyChange(draft, changeId.toStdString())) {
        statusBar()->showMessage(tr("\u201c%1\u201d does not apply to the current settings").arg(changeId), 6000);
        return false;
    }
    m_comparisonChange = changeId;
    resetRun();  // fresh weights for both sides, from the draft; keeps training if it was
    return true;
}

void MainWindow::stopComparison() {
    if (m_comparisonChange.isEmpty()) return;
    // Only B goes: A's model, steps and history stay, and a running A keeps running.
    // Edits made since A was built still wait for Reset, as they would without B.
    endComparison();
    m_worker->dropComparison();
    onDocumentChanged();
}

void MainWindow::endComparison() {
    m_comparisonChange.clear();
    m_compareMenu->setActiveChange(QString());
    m_dashboard->setComparison(false);
    m_comparisonHistory.clear();
    m_lastComparison.reset();
    updateCompareAction();
}

void MainWindow::restartWorker() {
    std::optional<core::ExperimentConfig> comparison;
    if (!m_comparisonChange.isEmpty()) {
        const std::string id = m_comparisonChange.toStdString();
        comparison = core::applyChange(m_applied, id);
        const auto change = core::describeChange(m_applied, id);
        if (comparison && change) {
            m_dashboard->setComparison(true, QString::fromStdString(change->baseLabel), QString::fromStdString(change->label));
            m_compareMenu->setActiveChange(m_comparisonChange);
        } else {
            // The edits made the change meaningless (batch norm switched on by hand, say).
            statusBar()->showMessage(tr("Comparison ended: its change no longer applies to these settings"), 8000);
            endComparison();
            comparison.reset();
        }
    }
    m_comparisonHistory.clear();
    m_lastComparison.reset();
    m_worker->reset(m_applied, comparison);
    updateCompareAction();
}

void MainWindow::sendLiveSettings() {
    m_worker->setLearningRate(m_applied.training.optimizer.learningRate, 0);
    m_worker->setClip(m_applied.training.clip, 0);
    if (m_comparisonChange.isEmpty()) return;
    // Side B follows the edit with its change kept (a "learning rate x10" side stays x10).
    if (const auto b = core::applyChange(m_applied, m_comparisonChange.toStdString())) {
        m_worker->setLearningRate(b->training.optimizer.learningRate, 1);
        m_worker->setClip(b->training.clip, 1);
    }
}

void MainWindow::updateCompareAction() {
    if (!m_compareAction) return;
    if (!m_comparisonChange.isEmpty()) {
        m_compareAction->setText(tr("Stop Comparing"));
        m_compareAction->setToolTip(tr("Back to a single run: A goes on from where it stands, B is dropped"));
        m_compareAction->setData(QString());
        m_compareAction->setEnabled(true);
        return;
    }
    const auto oneClick = core::oneClickChange(m_document->config());
    if (!oneClick || !m_document->isValid()) {
        m_compareAction->setText(tr("Compare"));
        m_compareAction->setToolTip(tr("No one-change comparison applies to the current settings"));
        m_compareAction->setData(QString());
        m_compareAction->setEnabled(false);
        return;
    }
    const core::ConfigChange& first = *oneClick;
    m_compareAction->setText(tr("Compare: %1").arg(QString::fromStdString(first.label)));
    m_compareAction->setToolTip(tr("Train this setup (A) beside the same setup %1 (B), in lockstep on the same "
                                   "data and seed, with shared axes. The arrow lists other changes.")
                                    .arg(QString::fromStdString(first.label)));
    m_compareAction->setData(QString::fromStdString(first.id));
    m_compareAction->setEnabled(true);
}

}  // namespace gradflow::ui
