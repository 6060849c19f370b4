#pragma once
// The Network view's drawing: a QCustomPlot item that paints a NetworkLayout inside its
// axis rect, so the view exports through the same toPainter path as every other view
// (PNG, SVG, PDF) and never paints outside the rect. It lays the picture out again for
// whatever rect the plot has at draw time: the window's, or an export's.

#include <qcustomplot.h>
#include <functional>

#include "ui/plots/network_layout.h"

namespace gradflow::ui {

class NetworkDiagram : public QCPAbstractItem {
    Q_OBJECT
public:
    explicit NetworkDiagram(QCustomPlot* plot);

    /// What to draw; null draws nothing. `inputs.area` is replaced by the axis rect.
    void setPicture(core::NetworkPicturePtr picture, const LayoutInputs& inputs);
    /// 0-based depth unit outlined as selected, -1 none.
    void setSelectedUnit(int unit) { m_selected = unit; }
    /// Text at the output side about gradient clipping ("clipped: ‖g‖ 12 → 1"); empty hides it.
    void setClipNote(const QString& text, bool clipped);
    /// The layout of the last drawing (for clicks, tooltips and tests).
    const NetworkLayout& layout() const { return m_layout; }
    /// Lays out for the axis rect as it is now (before the first drawing, or after a resize).
    void updateLayout();

    double selectTest(const QPointF& pos, bool onlySelectable, QVariant* details = nullptr) const override;

protected:
    void draw(QCPPainter* painter) override;

private:
    void drawColumn(QCPPainter* painter, const DiagramColumn& col) const;
    void drawArc(QCPPainter* painter, const DiagramArc& arc) const;
    void drawMarks(QCPPainter* painter) const;

    core::NetworkPicturePtr m_picture;
    LayoutInputs m_inputs;
    NetworkLayout m_layout;
    int m_selected = -1;
    QString m_clipNote;
    bool m_clipped = false;
};

}  // namespace gradflow::ui
