#pragma once
// One palette, one set of fonts and line widths for every view. Colours come from Paul
// Tol's colour-blind-safe "bright" scheme (and viridis for magnitudes), so the same
// palette serves the normal and the presenter mode; presenter mode scales fonts and pens
// so a class can read the plots from the back row.

#include <QColor>
#include <QFont>
#include <QString>
#include <QVector>

class QCustomPlot;
class QCPAxis;
class QCPColorGradient;
class QCPLegend;

namespace gradflow::ui {

enum class ThemeKind { Light, Dark };

struct Theme {
    ThemeKind kind = ThemeKind::Light;
    bool presenter = false;

    QColor background, foreground, mutedText, grid, subGrid, axis;
    QColor panel;                 ///< legend / text-box fill
    QColor accent;                ///< measured series (bars, loss)
    QColor secondary;             ///< second series (accuracy, prediction)
    QColor theory;                ///< mean-field prediction line
    QColor critical;              ///< chi_1 = 1, value 1 markers, unit circle
    QColor warning;               ///< overflow / non-finite markers
    QColor nanColor;              ///< heat-map cells that are not finite
    QColor zeroColor;             ///< heat-map cells that are exactly 0: no error, so neutral
    QVector<QColor> categorical;  ///< classes / several series, colour-blind safe

    QString fontFamily;  ///< explicit family: SVG export names it, never an alias
    double fontPointSize = 9.0;
    double titlePointSize = 10.5;
    double lineWidth = 1.6;  ///< graphs (>= 1.5 px so slides at 3x keep them visible)
    double markerSize = 6.0;

    QFont font(double scale = 1.0, bool bold = false) const;
    QFont titleFont() const { return font(titlePointSize / fontPointSize, true); }

    static Theme make(ThemeKind kind, bool presenter);
};

/// The viridis-like gradient used for magnitudes, NaN cells in theme.nanColor.
QCPColorGradient magnitudeGradient(const Theme& theme);
/// Diverging blue-white-red for chi_1 around 1 (log scale), colour-blind safe (Tol BuRd).
QCPColorGradient divergingGradient(const Theme& theme);

/// Styles the plot's background, every axis rect's axes, grids and legends.
void applyTheme(QCustomPlot* plot, const Theme& theme);
void styleAxis(QCPAxis* axis, const Theme& theme);
void styleLegend(QCPLegend* legend, const Theme& theme);
/// Logarithmic axis with 10^k labels.
void makeLogAxis(QCPAxis* axis);

}  // namespace gradflow::ui
