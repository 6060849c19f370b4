#include "ui/plots/network_layout.h"

#include <algorithm>
#include <cmath>

namespace gradflow::ui {

namespace {

using core::kMaxDrawnUnits;
using core::NetworkPicture;
using core::PictureLayer;

/// Largest node radius and block width, in pixels before presenter scaling.
constexpr double kLargestRadius = 11.0;
constexpr double kWidestBlock = 30.0;
/// The most room one node takes vertically, so a 2-unit layer is not spread over the height.
constexpr double kLargestPitch = 48.0;

double presenterFactor(const Theme& theme) { return theme.presenter ? 1.5 : 1.0; }

double widthAt(double position, const Theme& theme) {
    return presenterFactor(theme) * (kThinnestEdge + (kThickestEdge - kThinnestEdge) * position);
}

QColor colorAt(QCPColorGradient& colors, double position) { return QColor::fromRgba(colors.color(position, QCPRange(0.0, 1.0))); }

/// Every how many columns a number fits under its column (about two digits and a gap).
int labelStride(double spacing, double textHeight) {
    return std::max(1, int(std::ceil(textHeight * 2.2 / std::max(spacing, 1e-9))));
}

/// Whether column `k` is numbered, in a row whose named column ("out") is `end`: every
/// stride-th from `first`, and none so close to "out" that the two would run together.
bool labelled(int k, int first, int end, int stride) { return (k - first) % stride == 0 && end - k >= stride; }

/// x of each column's centre, evenly spaced over `area` with room for the outer nodes.
std::vector<double> columnCentres(int count, const QRectF& area, double margin) {
    std::vector<double> xs(std::size_t(std::max(count, 0)));
    const double left = area.left() + margin, right = area.right() - margin;
    for (int c = 0; c < count; ++c) xs[std::size_t(c)] = count > 1 ? left + (right - left) * c / (count - 1) : area.center().x();
    return xs;
}

DiagramColumn makeColumn(int unit, int width, double x, const QRectF& body, double spacing, const PictureLayer* layer,
                         const LayoutInputs& in) {
    const double factor = presenterFactor(in.theme);
    DiagramColumn col;
    col.unit = unit;
    col.width = width;
    col.block = width > kMaxDrawnUnits;
    if (layer) {
        col.saturation = layer->saturation;
        col.deadFraction = layer->deadFraction;
    }
    if (col.block) {
        const double w = std::clamp(spacing * 0.42, 4.0, kWidestBlock * factor);
        const double h = body.height() * 0.86;
        col.box = QRectF(x - w / 2, body.center().y() - h / 2, w, h);
        // Neutral until a layer's ||dL/dh|| colours it (the input has no gradient).
        col.blockFill = in.theme.panel;
        return col;
    }
    const int n = std::max(width, 1);
    const double pitch = std::min(body.height() / n, kLargestPitch * factor);
    const double radius = std::clamp(std::min(pitch * 0.34, spacing * 0.18), 2.0, kLargestRadius * factor);
    for (int i = 0; i < width; ++i) {
        DiagramNode node;
        node.centre = QPointF(x, body.center().y() + (i - (width - 1) / 2.0) * pitch);
        node.radius = radius;
        if (layer && std::size_t(i) < layer->unitSaturation.size()) {
            node.saturation = layer->unitSaturation[std::size_t(i)];
            node.dead = layer->unitDead[std::size_t(i)] != 0;
        }
        col.nodes.push_back(node);
    }
    const double half = (width / 2.0) * pitch;
    col.box = QRectF(x - radius, body.center().y() - half, 2 * radius, 2 * half);
    return col;
}

/// The point where an edge leaves (side +1) or enters (side -1) a column at `y`.
QPointF portOf(const DiagramColumn& col, int index, int side) {
    if (!col.block && index >= 0 && std::size_t(index) < col.nodes.size()) {
        const DiagramNode& node = col.nodes[std::size_t(index)];
        return node.centre + QPointF(side * node.radius, 0.0);
    }
    return QPointF(side > 0 ? col.box.right() : col.box.left(), col.box.center().y());
}

DiagramEdge bandBetween(const DiagramColumn& from, const DiagramColumn& to, int unit, double value, const EdgeStyle& style) {
    DiagramEdge e;
    e.from = portOf(from, -1, +1);
    e.to = portOf(to, -1, -1);
    e.unit = unit;
    e.value = value;
    e.band = true;
    e.style = style;
    e.style.width *= kBandFactor;
    return e;
}

void layOutStack(const NetworkPicture& picture, const LayoutInputs& in, const QRectF& body, NetworkLayout& out) {
    const int count = int(picture.layers.size()) + 1;
    const double margin = in.textHeight * 1.2;
    const std::vector<double> xs = columnCentres(count, body, margin);
    const double spacing = count > 1 ? xs[1] - xs[0] : body.width();
    const int stride = labelStride(spacing, in.textHeight);
    out.spacing = spacing;
    for (int c = 0; c < count; ++c) {
        const PictureLayer* layer = c > 0 ? &picture.layers[std::size_t(c - 1)] : nullptr;
        const int width = layer ? layer->units : picture.inputDimension;
        DiagramColumn col = makeColumn(c, width, xs[std::size_t(c)], body, spacing, layer, in);
        if (col.block && layer)
            col.blockFill = gradientEdgeStyle(picture.scale, layer->activationGradNorm, in.magnitudeColors, in.theme).color;
        if (c == 0) col.label = QStringLiteral("in");
        else if (c == count - 1) col.label = QStringLiteral("out");
        else if (labelled(c, stride, count - 1, stride)) col.label = QString::number(c);
        if (c >= 1 && std::size_t(c - 1) < in.normalisation.size()) col.normalisation = in.normalisation[std::size_t(c - 1)];
        if (c > 0) {
            const double left = c == 1 ? xs[0] + spacing * 0.25 : xs[std::size_t(c)] - spacing * 0.75;
            col.hitBox = QRectF(QPointF(left, in.area.top()), QPointF(xs[std::size_t(c)] + spacing * 0.25, in.area.bottom()));
        }
        out.columns.push_back(std::move(col));
    }
    // One node size for the whole graph: the crowded column's, so units of a 2-wide input
    // do not look more important than those of an 8-wide layer.
    double radius = HUGE_VAL;
    for (const DiagramColumn& col : out.columns)
        if (!col.nodes.empty()) radius = std::min(radius, col.nodes.front().radius);
    for (DiagramColumn& col : out.columns) {
        for (DiagramNode& node : col.nodes) node.radius = radius;
        if (!col.nodes.empty()) col.box.adjust(col.box.width() / 2 - radius, 0, radius - col.box.width() / 2, 0);
    }
    for (int c = 1; c < count; ++c) {
        const PictureLayer& layer = picture.layers[std::size_t(c - 1)];
        const DiagramColumn& from = out.columns[std::size_t(c - 1)];
        const DiagramColumn& to = out.columns[std::size_t(c)];
        // Skips (residual arcs) are drawn over the layers they skip.
        if (layer.skipFrom > 0 && layer.skipFrom < c) {
            DiagramArc arc;
            arc.from = layer.skipFrom;
            arc.to = c;
            const DiagramColumn& start = out.columns[std::size_t(layer.skipFrom)];
            arc.start = QPointF(start.box.center().x(), start.box.top());
            arc.end = QPointF(to.box.center().x(), to.box.top());
            arc.top = in.area.top() + in.textHeight * 0.3;
            out.arcs.push_back(arc);
        }
        const bool byGradient = in.encoding == EdgeEncoding::WeightGradient;
        if (!layer.detailed || from.block || to.block) {
            const double value = byGradient ? layer.weightGradRms : layer.weightRms;
            EdgeStyle style = byGradient ? gradientEdgeStyle(picture.scale, value, in.magnitudeColors, in.theme)
                                         : weightEdgeStyle(picture.scale, value, in.weightColors, in.theme);
            // An RMS has no sign: a band showing weights is drawn in a neutral colour.
            if (!byGradient && std::isfinite(value)) style.color = in.theme.mutedText;
            out.edges.push_back(bandBetween(from, to, c, value, style));
            continue;
        }
        for (int j = 0; j < layer.inputs; ++j) {
            for (int i = 0; i < layer.units; ++i) {
                const std::size_t k = std::size_t(i) + std::size_t(j) * std::size_t(layer.units);
                DiagramEdge e;
                e.from = portOf(from, j, +1);
                e.to = portOf(to, i, -1);
                e.unit = c;
                e.row = i;
                e.column = j;
                e.value = byGradient ? layer.weightGrads[k] : layer.weights[k];
                e.style = byGradient ? gradientEdgeStyle(picture.scale, e.value, in.magnitudeColors, in.theme)
                                     : weightEdgeStyle(picture.scale, e.value, in.weightColors, in.theme);
                out.edges.push_back(e);
            }
        }
    }
}

void layOutUnrolled(const NetworkPicture& picture, const LayoutInputs& in, const QRectF& body, NetworkLayout& out) {
    // One block per time step, then the readout of the last hidden state.
    const int steps = int(picture.layers.size());
    const int count = steps + 1;
    const std::vector<double> xs = columnCentres(count, body, in.textHeight * 1.2);
    const double spacing = count > 1 ? xs[1] - xs[0] : body.width();
    const double height = body.height() * 0.5;
    // Few steps: separate blocks; many: a strip, each step as wide as its share.
    const double width = spacing >= 8.0 ? std::min(spacing * 0.7, kWidestBlock * presenterFactor(in.theme)) : spacing;
    const int stride = labelStride(spacing, in.textHeight);
    out.spacing = spacing;
    for (int t = 1; t <= steps; ++t) {
        const PictureLayer& layer = picture.layers[std::size_t(t - 1)];
        DiagramColumn col;
        col.unit = t;
        col.width = layer.units;
        col.block = true;
        const double x = xs[std::size_t(t - 1)];
        col.box = QRectF(x - width / 2, body.center().y() - height / 2, width, height);
        col.hitBox = QRectF(QPointF(x - spacing / 2, in.area.top()), QPointF(x + spacing / 2, in.area.bottom()));
        col.blockFill = gradientEdgeStyle(picture.scale, layer.activationGradNorm, in.magnitudeColors, in.theme).color;
        col.saturation = layer.saturation;
        if (labelled(t, 1, steps + 1, stride)) col.label = QString::number(t);
        out.columns.push_back(std::move(col));
    }
    DiagramColumn readout = makeColumn(-1, picture.outputDimension, xs.back(), body, spacing, nullptr, in);
    readout.label = QStringLiteral("out");
    out.columns.push_back(std::move(readout));
    // The recurrence h_{t-1} -> h_t and the readout: structure, not a measured quantity.
    EdgeStyle link{presenterFactor(in.theme) * 1.2, in.theme.mutedText};
    for (int c = 1; c < count; ++c) {
        if (spacing < 8.0 && c < count - 1) continue;  // a strip: the blocks touch
        DiagramEdge e = bandBetween(out.columns[std::size_t(c - 1)], out.columns[std::size_t(c)], c, 0.0, link);
        e.style.width = link.width;
        out.edges.push_back(e);
    }
}

}  // namespace

double logScalePosition(const core::PictureScale& scale, double magnitude) {
    const double m = std::abs(magnitude);
    if (!std::isfinite(m)) return std::nan("");
    if (m == 0.0) return 0.0;
    const double span = scale.log10High - scale.log10Low;
    if (!(span > 0)) return 0.0;
    return std::clamp((std::log10(m) - scale.log10Low) / span, 0.0, 1.0);
}

EdgeStyle gradientEdgeStyle(const core::PictureScale& scale, double gradient, QCPColorGradient& colors, const Theme& theme) {
    const double t = logScalePosition(scale, gradient);
    if (std::isnan(t)) return {widthAt(1.0, theme), theme.warning};
    // Exactly 0 has no logarithm and is no error (a dead unit's weights): neutral grey, as
    // the heat map draws it.
    if (gradient == 0.0) return {widthAt(0.0, theme), theme.zeroColor};
    return {widthAt(t, theme), colorAt(colors, t)};
}

EdgeStyle weightEdgeStyle(const core::PictureScale& scale, double weight, QCPColorGradient& colors, const Theme& theme) {
    if (!std::isfinite(weight)) return {widthAt(1.0, theme), theme.warning};
    const double size = scale.weightMax > 0 ? std::min(std::abs(weight) / scale.weightMax, 1.0) : 0.0;
    // Diverging colours: the middle (w = 0) is the lightest, so small weights fade out.
    return {widthAt(size, theme), colorAt(colors, 0.5 + 0.5 * std::copysign(size, weight))};
}

QColor saturationFill(double share, const Theme& theme) {
    if (!std::isfinite(share)) return theme.panel;
    const double s = std::clamp(share, 0.0, 1.0);
    const QColor a = theme.panel, b = theme.warning;
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * s), float(a.greenF() + (b.greenF() - a.greenF()) * s),
                            float(a.blueF() + (b.blueF() - a.blueF()) * s));
}

QPointF pointOnEdge(const DiagramEdge& edge, double t) {
    if (edge.band) return edge.from + t * (edge.to - edge.from);
    // Cubic Bezier with control points half way across, level with each end.
    const double dx = (edge.to.x() - edge.from.x()) * 0.5;
    const QPointF p1 = edge.from + QPointF(dx, 0), p2 = edge.to - QPointF(dx, 0);
    const double u = 1.0 - t;
    return u * u * u * edge.from + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * edge.to;
}

double distanceToEdge(const DiagramEdge& edge, const QPointF& pos) {
    // Sixteen chords follow the curve to well under a pixel at the view's sizes.
    constexpr int kChords = 16;
    double best = HUGE_VAL;
    QPointF a = edge.from;
    for (int i = 1; i <= kChords; ++i) {
        const QPointF b = pointOnEdge(edge, double(i) / kChords);
        const QPointF ab = b - a;
        const double length2 = QPointF::dotProduct(ab, ab);
        const double s = length2 > 0 ? std::clamp(QPointF::dotProduct(pos - a, ab) / length2, 0.0, 1.0) : 0.0;
        const QPointF d = pos - (a + s * ab);
        best = std::min(best, std::hypot(d.x(), d.y()));
        a = b;
    }
    return best;
}

int NetworkLayout::unitAt(const QPointF& pos) const {
    for (const DiagramColumn& col : columns)
        if (col.unit >= 1 && col.hitBox.contains(pos)) return col.unit - 1;
    return -1;
}

const DiagramColumn* NetworkLayout::column(int unit) const {
    for (const DiagramColumn& col : columns)
        if (col.unit == unit) return &col;
    return nullptr;
}

NetworkLayout layOutNetwork(const NetworkPicture& picture, const LayoutInputs& in) {
    NetworkLayout out;
    out.unrolled = picture.unrolled;
    const bool marks =
        std::any_of(picture.layers.begin(), picture.layers.end(), [](const PictureLayer& l) { return l.skipFrom > 0; }) ||
        std::any_of(in.normalisation.begin(), in.normalisation.end(), [](const QString& n) { return !n.isEmpty(); });
    // Above the nodes: room for skip arcs and norm boxes; below: the column labels.
    const double above = marks ? in.textHeight * 2.0 : in.textHeight * 0.5;
    const QRectF body = in.area.adjusted(0, above, 0, -in.textHeight * 1.5);
    if (body.width() <= 0 || body.height() <= 0) return out;
    if (picture.unrolled) layOutUnrolled(picture, in, body, out);
    else layOutStack(picture, in, body, out);
    // The numbers in one row just under the lowest column (and a time step's strip).
    double lowest = body.top();
    for (const DiagramColumn& col : out.columns) lowest = std::max(lowest, col.box.bottom());
    const double strip = picture.unrolled ? in.textHeight * 0.45 + 3 : 0.0;
    out.labelTop = std::min(lowest + strip + 3, in.area.bottom() - in.textHeight * 1.3);
    std::stable_sort(out.edges.begin(), out.edges.end(),
                     [](const DiagramEdge& a, const DiagramEdge& b) { return a.style.width < b.style.width; });
    return out;
}

}  // namespace gradflow::ui
