#pragma once
// Opens the figure export dialog for a view and reads one of its check boxes, then
// cancels: how a test sees what the dialog offers by default.

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QTimer>
#include <optional>

#include "ui/dashboard.h"
#include "ui/figure_export.h"

namespace gradflow::ui::testdata {

/// The check state of the dialog's box named `objectName`, or nothing when the dialog
/// has no such box (or did not open). The export itself is always cancelled.
inline std::optional<bool> exportDialogCheckBox(Dashboard& dashboard, const QString& viewName, const QString& objectName) {
    std::optional<bool> checked;
    QTimer::singleShot(0, [&] {
        QWidget* dialog = QApplication::activeModalWidget();
        if (!dialog) return;
        if (auto* box = dialog->findChild<QCheckBox*>(objectName)) checked = box->isChecked();
        qobject_cast<QDialog*>(dialog)->reject();
    });
    if (exportWithDialog(nullptr, &dashboard, dashboard.view(viewName))) return std::nullopt;
    return checked;
}

}  // namespace gradflow::ui::testdata
