#include "ui/compare_menu.h"

#include "core/config/config_change.h"

namespace gradflow::ui {

CompareMenu::CompareMenu(std::function<core::ExperimentConfig()> draft, QWidget* parent)
    : QMenu(tr("&Compare"), parent), m_draft(std::move(draft)) {
    setToolTipsVisible(true);
    connect(this, &QMenu::aboutToShow, this, &CompareMenu::rebuild);
    rebuild();  // never empty, so keyboard navigation and tests find the entries
}

void CompareMenu::setActiveChange(const QString& id) { m_active = id; }

void CompareMenu::rebuild() {
    clear();
    addSection(tr("Compare the current setup with\u2026"));
    for (const core::ConfigChange& change : core::changesFor(m_draft())) {
        const QString id = QString::fromStdString(change.id);
        QAction* action = addAction(QString::fromStdString(change.label), this, [this, id] { emit changeChosen(id); });
        action->setCheckable(true);
        action->setChecked(id == m_active);
        action->setData(id);
        action->setToolTip(tr("%1\nA: %2   B: %3")
                               .arg(QString::fromStdString(change.description), QString::fromStdString(change.baseLabel),
                                    QString::fromStdString(change.label)));
    }
    addSeparator();
    QAction* stop = addAction(tr("Stop Comparing"), this, &CompareMenu::stopRequested);
    stop->setToolTip(tr("Back to a single run: A goes on from where it stands, B is dropped"));
    stop->setEnabled(!m_active.isEmpty());
}

}  // namespace gradflow::ui
