#include "ui/view_help_window.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QTextBrowser>

#include "ui/view_help.h"

namespace gradflow::ui {

ViewHelpWindow::ViewHelpWindow(QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("viewHelpWindow"));
    setWindowTitle(tr("What am I looking at?"));
    setModal(false);
    auto* layout = new QHBoxLayout(this);
    m_list = new QListWidget(this);
    for (const ViewHelp& help : viewHelpEntries()) {
        auto* item = new QListWidgetItem(help.title, m_list);
        item->setData(Qt::UserRole, help.name);
        item->setToolTip(help.summary);
    }
    m_list->setMaximumWidth(m_list->sizeHintForColumn(0) + 24);
    m_browser = new QTextBrowser(this);
    m_browser->setOpenExternalLinks(true);
    layout->addWidget(m_list);
    layout->addWidget(m_browser, 1);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0) m_browser->setHtml(viewHelpPage(m_list->item(row)->data(Qt::UserRole).toString()));
    });
    m_list->setCurrentRow(0);
    resize(760, 560);
}

void ViewHelpWindow::showView(const QString& name) {
    for (int row = 0; row < m_list->count(); ++row)
        if (m_list->item(row)->data(Qt::UserRole).toString() == name) m_list->setCurrentRow(row);
}

QString ViewHelpWindow::currentView() const {
    const QListWidgetItem* item = m_list->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

}  // namespace gradflow::ui
