// The GUI side of figure export: one small options dialog (size, scale, caption) and a
// file dialog, then the same export functions the command line uses.
#include <QCheckBox>
#include <QComboBox>
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

/// The size a figure starts with: the view's or the dashboard's on screen.
QSize currentSize(Dashboard* dashboard, PlotView* view) {
    if (view) return view->plot()->size().isEmpty() ? QSize(900, 560) : view->plot()->size();
    return dashboard->size();
}

/// "Figure:" picker rows: the whole dashboard, then every view of side A.
QComboBox* figurePicker(Dashboard* dashboard, PlotView* view) {
    auto* picker = new QComboBox;
    picker->setObjectName(QStringLiteral("exportFigurePicker"));
    picker->addItem(QObject::tr("Whole dashboard"), QString());
    for (PlotView* v : dashboard->views()) picker->addItem(v->title(), v->name());
    const int index = view ? picker->findData(view->name()) : 0;
    picker->setCurrentIndex(std::max(0, index));
    picker->setToolTip(QObject::tr("The view to export, or every view on screen with their headings"));
    return picker;
}

bool askOptions(QWidget* parent, Dashboard* dashboard, PlotView*& view, ExportChoice choice, ExportOptions& options) {
    QDialog dialog(parent);
    dialog.setObjectName(QStringLiteral("exportFigureDialog"));
    dialog.setWindowTitle(QObject::tr("Export figure"));
    auto* form = new QFormLayout(&dialog);
    QComboBox* picker = choice == ExportChoice::AnyFigure && dashboard ? figurePicker(dashboard, view) : nullptr;
    const QSize current = currentSize(dashboard, view);
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
    if (picker) {
        form->addRow(QObject::tr("Figure:"), picker);
        // A new figure starts at its own on-screen size, as it would from its context menu.
        QObject::connect(picker, &QComboBox::currentIndexChanged, &dialog, [=] {
            const QSize size = currentSize(dashboard, dashboard->view(picker->currentData().toString()));
            width->setValue(size.width());
            height->setValue(size.height());
        });
    }
    form->addRow(QObject::tr("Width:"), width);
    form->addRow(QObject::tr("Height:"), height);
    form->addRow(QObject::tr("PNG scale:"), scale);
    form->addRow(caption);
    auto* selection = new QCheckBox(QObject::tr("Highlight the selected layer"));
    selection->setObjectName(QStringLiteral("showSelection"));
    selection->setChecked(options.showSelection);
    selection->setToolTip(QObject::tr("Off: the figure shows the run, not the bar last clicked in the window"));
    form->addRow(selection);
    auto* diagnosis = new QCheckBox(QObject::tr("Diagnosis line in the gradient view"));
    diagnosis->setObjectName(QStringLiteral("diagnosis"));
    diagnosis->setChecked(options.diagnosis);
    diagnosis->setToolTip(QObject::tr("The plain-language verdict above the bars (\"Vanishing: layer 1 receives ...\")"));
    form->addRow(diagnosis);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted) return false;
    // The view asked for may be side B's: keep it when its name is still the choice.
    const QString chosen = picker ? picker->currentData().toString() : QString();
    if (picker && !(view && view->name() == chosen)) view = chosen.isEmpty() ? nullptr : dashboard->view(chosen);
    options.size = QSize(width->value(), height->value());
    options.scale = scale->value();
    options.caption = caption->isChecked();
    options.showSelection = selection->isChecked();
    options.diagnosis = diagnosis->isChecked();
    return true;
}

}  // namespace

bool exportWithDialog(QWidget* parent, Dashboard* dashboard, PlotView* view, ExportChoice choice) {
    if (!view && !dashboard) return false;
    ExportOptions options;
    if (!askOptions(parent, dashboard, view, choice, options)) return false;
    QSettings settings;
    const QString folder =
        settings.value(QStringLiteral("export/folder"), QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
            .toString();
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
