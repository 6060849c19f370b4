#pragma once
// Where the Network view draws what, and how: the geometry and the encoding of a
// NetworkPicture (core/analysis/network_picture.h) in a rectangle, as plain values, so
// tests can check widths, colours and hit areas without reading pixels. Columns run from
// the input (left) to the output (right): a narrow layer is a column of nodes joined to
// the column before by one edge per weight, a wide one a block joined by one band. A
// recurrent net is its hidden state unrolled, one block per time step.

#include <qcustomplot.h>
#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <vector>

#include "core/analysis/network_picture.h"
#include "ui/theme.h"

namespace gradflow::ui {

/// What an edge's width and colour show.
enum class EdgeEncoding { WeightGradient, Weight };

struct EdgeStyle {
    double width = 0.0;  ///< pen width in pixels
    QColor color;
};

/// Position in [0, 1] of a magnitude on the run's fixed log scale: 0 at or below
/// 10^log10Low (an exact 0 too), 1 at or above 10^log10High; NaN for NaN or Inf.
double logScalePosition(const core::PictureScale& scale, double magnitude);
/// Thinnest and thickest pens of an edge (a band between wide layers is kBandFactor times).
inline constexpr double kThinnestEdge = 0.6;
inline constexpr double kThickestEdge = 5.0;
inline constexpr double kBandFactor = 3.0;
/// An edge showing |dL/dW| = `gradient`: wider and brighter (along `gradient`) the larger,
/// on the run's scale; exactly 0 thinnest in the theme's zero grey; a non-finite gradient
/// at full width in the theme's warning colour.
EdgeStyle gradientEdgeStyle(const core::PictureScale& scale, double gradient, QCPColorGradient& colors, const Theme& theme);
/// An edge showing the weight `weight`: width by |w| up to scale.weightMax, colour by sign
/// and size along the diverging `colors` (negative blue, positive red, 0 the middle).
EdgeStyle weightEdgeStyle(const core::PictureScale& scale, double weight, QCPColorGradient& colors, const Theme& theme);
/// A node or block's fill for its saturated share of the batch: the panel colour at 0,
/// the warning colour at 1.
QColor saturationFill(double share, const Theme& theme);

struct DiagramNode {
    QPointF centre;
    double radius = 0.0;
    double saturation = core::kNotApplicable;  ///< NaN: no activation function (input, output)
    bool dead = false;
};

struct DiagramColumn {
    int unit = 0;  ///< 1-based depth unit; 0 the input, -1 a recurrent net's readout
    int width = 0;
    bool block = false;  ///< drawn as one block (wide), else as nodes
    QRectF box;          ///< the block, or the nodes' bounds
    QRectF hitBox;       ///< where a click picks this depth unit (its incoming edges too)
    QColor blockFill;    ///< ||dL/dh|| on the log scale (blocks only)
    double saturation = core::kNotApplicable;
    double deadFraction = core::kNotApplicable;
    std::vector<DiagramNode> nodes;
    QString normalisation;  ///< "BN", "LN" or empty: a marked box where it acts
    QString label;          ///< under the column: "in", the layer number, "out", t
};

struct DiagramEdge {
    QPointF from, to;
    EdgeStyle style;
    int unit = 0;  ///< the depth unit whose weight it is (1-based)
    int row = -1;  ///< W(row, column); -1 for a band between wide layers
    int column = -1;
    double value = 0.0;  ///< the number encoded (dL/dW, w, or their RMS for a band)
    bool band = false;
};

/// The point at `t` in [0, 1] along an edge as drawn: a band straight, a weight's edge
/// TF Playground's S-curve, which leaves and enters its nodes horizontally.
QPointF pointOnEdge(const DiagramEdge& edge, double t);
/// Distance in pixels from `pos` to the edge's centre line.
double distanceToEdge(const DiagramEdge& edge, const QPointF& pos);

/// A residual skip: from the output of depth unit `from` over the layers to `to`.
struct DiagramArc {
    int from = 0, to = 0;
    QPointF start, end;
    double top = 0.0;  ///< the arc's highest y
};

struct LayoutInputs {
    QRectF area;
    EdgeEncoding encoding = EdgeEncoding::WeightGradient;
    // Mutable: QCPColorGradient::color() fills its lookup table on first use.
    mutable QCPColorGradient magnitudeColors;  ///< for |dL/dW| and ||dL/dh||
    mutable QCPColorGradient weightColors;     ///< for signed weights
    Theme theme;
    /// Per hidden layer: "BN", "LN" or empty (from the config).
    std::vector<QString> normalisation;
    double textHeight = 14.0;  ///< one line of the view's text, for label rows
};

struct NetworkLayout {
    std::vector<DiagramColumn> columns;
    std::vector<DiagramEdge> edges;  ///< in drawing order: thin under thick
    std::vector<DiagramArc> arcs;
    bool unrolled = false;
    double spacing = 0.0;   ///< between neighbouring columns' centres
    double labelTop = 0.0;  ///< top of the row of column numbers
    /// 0-based depth unit under `pos` (a column or its incoming edges), -1 for none.
    int unitAt(const QPointF& pos) const;
    const DiagramColumn* column(int unit) const;
};

NetworkLayout layOutNetwork(const core::NetworkPicture& picture, const LayoutInputs& inputs);

}  // namespace gradflow::ui
