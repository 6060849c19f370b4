#include "ui/theme.h"

#include <qcustomplot.h>
#include <QFontDatabase>
#include <QGuiApplication>

namespace gradflow::ui {

namespace {

// An explicit, installed family: SVG export writes it into every <text>, and a
// fontconfig alias such as "Sans Serif" renders differently on every machine.
QString pickFontFamily() {
    const QStringList families = QFontDatabase::families();
    for (const char* wanted : {"DejaVu Sans", "Noto Sans", "Liberation Sans", "Cantarell"}) {
        if (families.contains(QString::fromLatin1(wanted))) return QString::fromLatin1(wanted);
    }
    return QGuiApplication::font().family();
}

}  // namespace

QFont Theme::font(double scale, bool bold) const {
    QFont f(fontFamily);
    f.setPointSizeF(fontPointSize * scale);
    f.setBold(bold);
    return f;
}

Theme Theme::make(ThemeKind kind, bool presenter) {
    Theme t;
    t.kind = kind;
    t.presenter = presenter;
    const bool dark = kind == ThemeKind::Dark;
    // Paul Tol "bright" (colour-blind safe); the dark variants are Tol's "light" scheme
    // members of the same hue, which keep contrast on a dark background.
    t.background = dark ? QColor(0x1e, 0x20, 0x24) : QColor(Qt::white);
    t.foreground = dark ? QColor(0xe8, 0xe8, 0xea) : QColor(0x22, 0x22, 0x22);
    t.mutedText = dark ? QColor(0xa0, 0xa4, 0xab) : QColor(0x66, 0x66, 0x66);
    t.grid = dark ? QColor(0x3a, 0x3d, 0x44) : QColor(0xdd, 0xdd, 0xdd);
    t.subGrid = dark ? QColor(0x2b, 0x2e, 0x33) : QColor(0xf0, 0xf0, 0xf0);
    t.axis = dark ? QColor(0x9a, 0x9e, 0xa6) : QColor(0x55, 0x55, 0x55);
    t.panel = dark ? QColor(0x2a, 0x2d, 0x33) : QColor(0xfa, 0xfa, 0xfa);
    t.accent = dark ? QColor(0x77, 0xaa, 0xdd) : QColor(0x44, 0x77, 0xaa);
    t.secondary = dark ? QColor(0x44, 0xbb, 0x99) : QColor(0x22, 0x88, 0x33);
    t.theory = dark ? QColor(0xee, 0x88, 0x66) : QColor(0xaa, 0x33, 0x77);
    t.critical = dark ? QColor(0xdd, 0xdd, 0xdd) : QColor(0x33, 0x33, 0x33);
    t.warning = QColor(0xee, 0x66, 0x77);
    t.nanColor = QColor(0xee, 0x66, 0x77);
    t.zeroColor = dark ? QColor(0x8a, 0x8d, 0x93) : QColor(0x99, 0x99, 0x99);
    if (dark) {
        t.categorical = {QColor(0x77, 0xaa, 0xdd), QColor(0xee, 0x88, 0x66), QColor(0x44, 0xbb, 0x99), QColor(0xee, 0xdd, 0x88),
                         QColor(0xff, 0xaa, 0xbb), QColor(0x99, 0xdd, 0xff), QColor(0xbb, 0xcc, 0x33), QColor(0xaa, 0xaa, 0x00),
                         QColor(0xdd, 0xdd, 0xdd), QColor(0xcc, 0x99, 0xcc)};
    } else {
        t.categorical = {QColor(0x44, 0x77, 0xaa), QColor(0xee, 0x66, 0x77), QColor(0x22, 0x88, 0x33), QColor(0xcc, 0xbb, 0x44),
                         QColor(0x66, 0xcc, 0xee), QColor(0xaa, 0x33, 0x77), QColor(0xbb, 0xbb, 0xbb), QColor(0x00, 0x77, 0xbb),
                         QColor(0xcc, 0x33, 0x11), QColor(0x00, 0x99, 0x88)};
    }
    t.fontFamily = pickFontFamily();
    const double scale = presenter ? 1.6 : 1.0;
    t.fontPointSize = 9.0 * scale;
    t.titlePointSize = 10.5 * scale;
    t.lineWidth = presenter ? 3.2 : 1.6;
    t.markerSize = presenter ? 10.0 : 6.0;
    return t;
}

QCPColorGradient magnitudeGradient(const Theme& theme) {
    // Viridis (perceptually uniform, colour-blind safe); 2.1.0 has no preset for it.
    QCPColorGradient g;
    g.clearColorStops();
    const QColor stops[] = {QColor(0x44, 0x01, 0x54), QColor(0x48, 0x28, 0x78), QColor(0x3e, 0x4a, 0x89),
                            QColor(0x31, 0x68, 0x8e), QColor(0x26, 0x82, 0x8e), QColor(0x1f, 0x9e, 0x89),
                            QColor(0x35, 0xb7, 0x79), QColor(0x6d, 0xcd, 0x59), QColor(0xb4, 0xde, 0x2c),
                            QColor(0xfd, 0xe7, 0x25)};
    const int n = int(std::size(stops));
    for (int i = 0; i < n; ++i) g.setColorStopAt(double(i) / (n - 1), stops[i]);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(theme.nanColor);
    g.setLevelCount(256);
    return g;
}

QCPColorGradient divergingGradient(const Theme& theme) {
    QCPColorGradient g;
    g.clearColorStops();
    const QColor stops[] = {QColor(0x21, 0x66, 0xac), QColor(0x43, 0x93, 0xc3), QColor(0x92, 0xc5, 0xde),
                            QColor(0xd1, 0xe5, 0xf0), QColor(0xf7, 0xf7, 0xf7), QColor(0xfd, 0xdb, 0xc7),
                            QColor(0xf4, 0xa5, 0x82), QColor(0xd6, 0x60, 0x4d), QColor(0xb2, 0x18, 0x2b)};
    const int n = int(std::size(stops));
    for (int i = 0; i < n; ++i) g.setColorStopAt(double(i) / (n - 1), stops[i]);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(theme.mutedText);
    g.setLevelCount(256);
    return g;
}

void styleAxis(QCPAxis* axis, const Theme& theme) {
    const double w = theme.presenter ? 1.5 : 1.0;
    axis->setBasePen(QPen(theme.axis, w));
    axis->setTickPen(QPen(theme.axis, w));
    axis->setSubTickPen(QPen(theme.axis, w));
    axis->setTickLabelColor(theme.foreground);
    axis->setLabelColor(theme.foreground);
    axis->setTickLabelFont(theme.font(0.95));
    axis->setLabelFont(theme.font());
    axis->setSelectedTickLabelFont(theme.font(0.95));
    axis->setSelectedLabelFont(theme.font());
    axis->setPadding(theme.presenter ? 8 : 4);
    axis->setLabelPadding(theme.presenter ? 8 : 5);
    axis->grid()->setPen(QPen(theme.grid, 1, Qt::DotLine));
    axis->grid()->setSubGridPen(QPen(theme.subGrid, 1, Qt::DotLine));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

void styleLegend(QCPLegend* legend, const Theme& theme) {
    QColor fill = theme.panel;
    fill.setAlpha(235);  // legends are small: translucency costs little here
    legend->setBrush(fill);
    legend->setBorderPen(QPen(theme.grid));
    legend->setTextColor(theme.foreground);
    legend->setFont(theme.font(0.95));
    legend->setIconSize(theme.presenter ? QSize(30, 16) : QSize(20, 10));
    legend->setRowSpacing(theme.presenter ? 2 : 0);
}

void applyTheme(QCustomPlot* plot, const Theme& theme) {
    plot->setBackground(theme.background);
    for (QCPAxisRect* rect : plot->axisRects()) {
        rect->setBackground(theme.background);
        for (QCPAxis* axis : rect->axes()) styleAxis(axis, theme);
    }
    for (QCPLegend* legend : plot->findChildren<QCPLegend*>()) styleLegend(legend, theme);
}

void makeLogAxis(QCPAxis* axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setTickCount(6);
    ticker->setSubTickCount(0);
    axis->setTicker(ticker);
    axis->setNumberFormat("eb");
    axis->setNumberPrecision(0);
}

}  // namespace gradflow::ui
