#pragma once
// What each dashboard view means, in words a class can read: a one-paragraph summary per
// view (its tooltip), a help page per view (resources/help/<view>.html: what is drawn,
// the formula, how to read it, what healthy looks like) and a glossary of the terms the
// views' readouts, legends and axis titles use, so hovering any of them explains it.
// Views look their help up by name; the texts live here, not in the plotting code.

#include <QList>
#include <QString>
#include <QStringList>

namespace gradflow::ui {

struct ViewHelp {
    QString name;     ///< the view's id, PlotView::name() ("gradients")
    QString title;    ///< the page's heading in the help window's list
    QString summary;  ///< one paragraph: the view's tooltip
};

/// Every dashboard view's entry, in the dashboard's order.
QList<ViewHelp> viewHelpEntries();
/// The entry for a view id; an entry with an empty name if there is none.
ViewHelp viewHelp(const QString& viewName);
/// The view's help page (HTML); empty if there is none.
QString viewHelpPage(const QString& viewName);

/// Explanations of the glossary terms that `text` mentions, in glossary order, each once.
QStringList glossaryFor(const QString& text);
/// The tooltip for a point of a view that shows `text` (a readout, a legend entry, an
/// axis title; empty over the bare plot): the terms it mentions explained, else the
/// view's summary; both end with where the full page is (F1).
QString viewToolTip(const QString& viewName, const QString& text);

}  // namespace gradflow::ui
