#pragma once
// Places text boxes inside a plot's axis rect so none is cut by the rect's edge or covers
// another, or a marker: boxes are placed in priority order, each at the first of its
// candidate spots (with the first of its texts, longest first) that lies inside and
// overlaps nothing placed before; a box with no such spot is hidden. Works in pixels
// after the layout, so the same rule holds on screen and in an export of any size.

#include <QList>
#include <QRect>
#include <QStringList>

class QCPItemText;

namespace gradflow::ui {

class LabelPlacer {
public:
    /// Where a box may go: its `alignment` point (e.g. top left) at `point`.
    struct Spot {
        QPoint point;
        Qt::Alignment alignment;
    };

    /// `area`: what the boxes must stay inside, in the plot's pixel coordinates.
    explicit LabelPlacer(const QRect& area) : m_area(area) {}

    /// Something drawn that no box may cover (a marker).
    void block(const QRect& rect) { m_taken << rect; }
    /// Gives `item` the first text and spot that fit, as an absolute pixel position, and
    /// shows it; hides it when none fits. Returns whether it is shown.
    bool place(QCPItemText* item, const QStringList& texts, const QList<Spot>& spots);

    /// The box `item` would draw for `text` (its padding included), at the origin.
    static QSize boxSize(const QCPItemText* item, const QString& text);
    /// The rectangle of `size` whose `alignment` point is `point`.
    static QRect boxAt(const QPoint& point, Qt::Alignment alignment, const QSize& size);

    const QRect& area() const { return m_area; }

private:
    QRect m_area;
    QList<QRect> m_taken;
};

}  // namespace gradflow::ui
