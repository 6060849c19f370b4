#pragma once
// The figure's promise, checked: nothing is painted outside its axis rect and no text is
// wider than its space. Vector exports need the first by construction (Qt's SVG generator
// does not clip, and PDF content streams break on coordinates far outside the page); the
// second is what a reader of a slide sees. Tests run it on every view after an export.

#include <QStringList>

class QCustomPlot;

namespace gradflow::ui {

/// Problems in `plot` as the last drawing laid it out (an export leaves each plot laid
/// out at its figure size until the next replot), one line each, e.g.
/// "QCPBars 'measured, step 3': value 1e-300 outside [1e-09, 100]". Empty when right.
/// Walks every visible plottable's data against its axes (bars with their width and
/// base, error bars with their whiskers, colour maps with their cells), every visible
/// item's painted rect against its clip rect, and titles, axis labels and legend
/// entries against the room they were given.
QStringList figureGeometryProblems(QCustomPlot& plot);

}  // namespace gradflow::ui
