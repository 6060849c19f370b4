// The GUI side of figure export: one small options dialog (size, scale, caption) and a
// file dialog, then the same export functions the command line uses.
#include <QCheckBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QMessageBox>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>

#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/plot_view.h"

namespace gradflow::ui {

namespace {

bool askOptions(QWidget* parent, QSize current, ExportOptions& options) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Export figure"));
    auto* form = new QFormLayout(&dialog);
    auto* width = new QSpinBox;
    auto* height = new QSpinBox;
    for (QSpinBox* s : {width, height}) {
        s->setRange(200, 8000);
        s->setSuffix(QObject::tr(" px"));
    }
    width->setValue(current.width());
    height->setValue(current.height());
    width->setToolTip(QObject::tr("Logical figure size; fonts keep their size, plots get more room"));
    auto* scale = new QDoubleSpinBox;
    scale->setRange(1.0, 4.0);
    scale->setSingleStep(0.5);
    scale->setValue(2.0);
    scale->setToolTip(QObject::tr("PNG only: pixels = size × scale, for crisp slides (2 or 3)"));
    auto* caption = new QCheckBox(QObject::tr("Caption with the configuration"));
    caption->setChecked(true);
    caption->setToolTip(QObject::tr("Depth, width, activation, init, mitigations and step under the figure"));
    form->addRow(QObject::tr("Width:"), width);
    form->addRow(QObject::tr("Height:"), height);
    form->addRow(QObject::tr("PNG scale:"), scale);
    form->addRow(caption);
    auto* selection = new QCheckBox(QObject::tr("Highlight the selected layer"));
    selection->setObjectName(QStringLiteral("showSelection"));
    selection->setChecked(options.showSelection);
    selection->setToolTip(QObject::tr("Off: the figure shows the run, not the bar last clicked in the window"));
    form->addRow(selection);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return false;
    options.size = QSize(width->value(), height->value());
    options.scale = scale->value();
    options.caption = caption->isChecked();
    options.showSelection = selection->isChecked();
    return true;
}

}  // namespace

bool exportWithDialog(QWidget* parent, Dashboard* dashboard, PlotView* view) {
    if (!view && !dashboard) return false;
    const QSize current = view ? (view->plot()->size().isEmpty() ? QSize(900, 560) : view->plot()->size())
                               : dashboard->size();
    ExportOptions options;
    if (!askOptions(parent, current, options)) return false;
    QSettings settings;
    const QString folder = settings.value(QStringLiteral("export/folder"),
                                          QStandardPaths::writableLocation(QStandardPaths::PicturesLocation)).toString();
    const QString base = view ? view->name() : QStringLiteral("dashboard");
    QString selected;
    const QString path = QFileDialog::getSaveFileName(
        parent, QObject::tr("Export figure"), folder + QLatin1Char('/') + QStringLiteral("gradflow-%1.png").arg(base),
        QObject::tr("PNG image (*.png);;SVG vector image (*.svg);;PDF document (*.pdf)"), &selected);
    if (path.isEmpty()) return false;
    settings.setValue(QStringLiteral("export/folder"), QFileInfo(path).absolutePath());
    const QString error = view ? exportView(*view, path, options) : exportDashboard(*dashboard, path, options);
    if (!error.isEmpty()) {
        QMessageBox::warning(parent, QObject::tr("Export failed"), error);
        return false;
    }
    return true;
}

}  // namespace gradflow::ui
