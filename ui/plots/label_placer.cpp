#include "ui/plots/label_placer.h"

#include <qcustomplot.h>
#include <QFontMetrics>
#include <algorithm>

namespace gradflow::ui {

QSize LabelPlacer::boxSize(const QCPItemText* item, const QString& text) {
    // The rectangle QCPItemText::draw() computes, before its padding is added.
    const QRect textRect = QFontMetrics(item->font()).boundingRect(QRect(), Qt::TextDontClip | item->textAlignment(), text);
    const QMargins pad = item->padding();
    return textRect.size() + QSize(pad.left() + pad.right(), pad.top() + pad.bottom());
}

QRect LabelPlacer::boxAt(const QPoint& point, Qt::Alignment alignment, const QSize& size) {
    int left = point.x(), top = point.y();
    if (alignment & Qt::AlignRight) left -= size.width();
    else if (alignment & Qt::AlignHCenter) left -= size.width() / 2;
    if (alignment & Qt::AlignBottom) top -= size.height();
    else if (alignment & Qt::AlignVCenter) top -= size.height() / 2;
    return QRect(QPoint(left, top), size);
}

bool LabelPlacer::place(QCPItemText* item, const QStringList& texts, const QList<Spot>& spots) {
    for (const QString& text : texts) {
        const QSize size = boxSize(item, text);
        for (const Spot& spot : spots) {
            const QRect box = boxAt(spot.point, spot.alignment, size);
            if (!m_area.contains(box)) continue;
            // A little air between boxes, so two never read as one.
            const QRect withAir = box.adjusted(-2, -2, 2, 2);
            const bool free = std::none_of(m_taken.begin(), m_taken.end(), [&](const QRect& r) { return r.intersects(withAir); });
            if (!free) continue;
            item->setText(text);
            item->position->setType(QCPItemPosition::ptAbsolute);
            item->position->setCoords(spot.point);
            item->setPositionAlignment(spot.alignment);
            item->setVisible(true);
            m_taken << box;
            return true;
        }
    }
    item->setVisible(false);
    return false;
}

}  // namespace gradflow::ui
