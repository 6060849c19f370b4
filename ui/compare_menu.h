#pragma once
// "Compare with one change": a menu of the comparisons the current draft allows (from
// core::changesFor), rebuilt each time it opens because the draft changes, plus "Stop
// comparing". The toolbar button's main part starts the first (most instructive) one, so
// a comparison is one click away.

#include <QMenu>
#include <functional>

#include "core/config/experiment_config.h"

namespace gradflow::ui {

class CompareMenu : public QMenu {
    Q_OBJECT
public:
    CompareMenu(std::function<core::ExperimentConfig()> draft, QWidget* parent = nullptr);

    /// The comparison running now ("" for none): checked in the menu.
    void setActiveChange(const QString& id);
    QString activeChange() const { return m_active; }

signals:
    void changeChosen(const QString& id);
    void stopRequested();

private:
    void rebuild();

    std::function<core::ExperimentConfig()> m_draft;
    QString m_active;
};

}  // namespace gradflow::ui
