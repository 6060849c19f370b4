#pragma once
// Steps at which gradient clipping shortened the update, drawn as ticks on a view's top
// x axis: beside the data rather than over it, at the same x as the steps below. Used by
// the loss view and the heat map, so clipping reads the same in both.

#include <QVector>

class QCPAxis;

namespace gradflow::ui {

struct Theme;

/// Turns `top` (the view's top x axis) into the clipped-steps axis, following `bottom`'s
/// range; hidden until a step is clipped.
void setUpClipAxis(QCPAxis* top, QCPAxis* bottom);
/// Colours after a theme change (the generic axis style would make the ticks grey).
void styleClipAxis(QCPAxis* top, const Theme& theme);
/// A tick per clipped step (x in the view's step coordinates, ascending; thinned to
/// about a thousand over the run); none hides the axis.
void showClippedSteps(QCPAxis* top, const QVector<double>& steps);

}  // namespace gradflow::ui
