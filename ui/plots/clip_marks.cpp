#include "ui/plots/clip_marks.h"

#include <qcustomplot.h>
#include <QCoreApplication>

#include "ui/theme.h"

namespace gradflow::ui {

void setUpClipAxis(QCPAxis* top, QCPAxis* bottom) {
    top->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    top->setTickLabels(false);
    top->setSubTicks(false);
    top->setTickLengthIn(0);
    top->grid()->setVisible(false);
    top->setLabel(QCoreApplication::translate("ClipMarks", "clipped steps"));
    top->setRange(bottom->range());
    QObject::connect(bottom, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), top,
                     qOverload<const QCPRange&>(&QCPAxis::setRange));
    top->setVisible(false);
}

void styleClipAxis(QCPAxis* top, const Theme& theme) {
    top->setBasePen(Qt::NoPen);
    top->setTickPen(QPen(theme.warning, theme.presenter ? 2.5 : 1.5));
    top->setTickLengthOut(theme.presenter ? 10 : 6);
    top->setLabelColor(theme.mutedText);
    top->setLabelFont(theme.font(0.85));
    top->setLabelPadding(2);
}

void showClippedSteps(QCPAxis* top, const QVector<double>& steps) {
    // A long run clipped at every step would draw thousands of ticks on a few hundred
    // pixels each frame: keep about one per pixel at a wide view's width.
    constexpr int kMaxTicks = 1000;
    QVector<double> kept;
    const double gap = steps.isEmpty() ? 0.0 : (steps.back() - steps.front()) / kMaxTicks;
    for (double step : steps)
        if (kept.isEmpty() || step - kept.back() >= gap) kept << step;
    if (auto ticker = top->ticker().dynamicCast<QCPAxisTickerText>()) ticker->setTicks(kept, QVector<QString>(kept.size()));
    top->setVisible(!kept.isEmpty());
}

}  // namespace gradflow::ui
