#pragma once
// Help > What Am I Looking At? (F1): one page per dashboard view (what is drawn, the
// formula, how to read it, what healthy looks like), picked from a list or opened on
// the view under the mouse. A tool window: it stays beside the dashboard while the
// class watches the run.

#include <QDialog>

class QListWidget;
class QTextBrowser;

namespace gradflow::ui {

class ViewHelpWindow : public QDialog {
    Q_OBJECT
public:
    explicit ViewHelpWindow(QWidget* parent = nullptr);

    /// Shows the page of view `name` (a PlotView::name()); unknown names change nothing.
    void showView(const QString& name);
    /// The view whose page is shown.
    QString currentView() const;
    QTextBrowser* browser() const { return m_browser; }

private:
    QListWidget* m_list = nullptr;
    QTextBrowser* m_browser = nullptr;
};

}  // namespace gradflow::ui
