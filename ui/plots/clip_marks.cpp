#include "ui/plots/clip_marks.h"

#include <QCoreApplication>
#include <qcustomplot.h>

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
    if (auto ticker = top->ticker().dynamicCast<QCPAxisTickerText>())
        ticker->setTicks(steps, QVector<QString>(steps.size()));
    top->setVisible(!steps.isEmpty());
}

}  // namespace gradflow::ui
