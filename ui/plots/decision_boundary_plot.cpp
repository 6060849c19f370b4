#include "ui/plots/decision_boundary_plot.h"

#include <algorithm>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

DecisionBoundaryPlot::DecisionBoundaryPlot(QWidget* parent)
    : PlotView(QStringLiteral("decision"), tr("Data and decision boundary"), parent) {
    setShortTitle(tr("Decision boundary"));
    QCustomPlot* p = plot();
    m_map = new QCPColorMap(p->xAxis, p->yAxis);
    m_map->setInterpolate(true);  // a smooth boundary; the grid is only a sampling of it
    m_map->setTightBoundary(true);
    m_map->setName(tr("prediction"));
    m_map->removeFromLegend();
    m_targets = p->addGraph();
    m_targets->setLineStyle(QCPGraph::lsNone);
    m_targets->setName(tr("data"));
    m_curve = p->addGraph();
    m_curve->setName(tr("network output"));
    p->xAxis->setLabel(tr("x₁"));
    p->yAxis->setLabel(tr("x₂"));
    p->legend->setVisible(true);
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void DecisionBoundaryPlot::setClassCount(int classes) {
    while (m_classes.size() < classes) {
        QCPGraph* g = plot()->addGraph();
        g->setLineStyle(QCPGraph::lsNone);
        g->setAdaptiveSampling(false);  // a scatter must show every point it is given
        g->setName(tr("class %1").arg(m_classes.size()));
        m_classes << g;
    }
    for (int c = 0; c < m_classes.size(); ++c) {
        if (c >= classes) {
            m_classes[c]->data()->clear();
            m_classes[c]->removeFromLegend();
        }
    }
    m_classCount = classes;
    setTheme(theme());
}

void DecisionBoundaryPlot::setTheme(const Theme& t) {
    PlotView::setTheme(t);
    const double size = t.presenter ? 8.0 : 5.0;
    // A rim in the text colour: each class's dots sit on its own tinted region, where a
    // background-coloured rim vanished (class 1's pink dots on the pink region).
    const QPen rim(t.foreground, t.presenter ? 1.4 : 1.0);
    for (int c = 0; c < m_classes.size(); ++c)
        m_classes[c]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, rim, t.categorical.value(c % 10), size));
    m_targets->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(t.background, 0.8), t.accent, size));
    m_curve->setPen(QPen(t.theory, t.lineWidth * 1.2));
    // Class colours by confidence: value c + f (f in [0,1)) runs from a pale tint of
    // class c's colour (unsure) to a stronger tint (confident); the points stay readable.
    const int classes = std::max(1, m_classCount);
    QCPColorGradient g;
    g.clearColorStops();
    auto mix = [&t](const QColor& c, double amount) {
        return QColor::fromRgbF(t.background.redF() + (c.redF() - t.background.redF()) * amount,
                                t.background.greenF() + (c.greenF() - t.background.greenF()) * amount,
                                t.background.blueF() + (c.blueF() - t.background.blueF()) * amount);
    };
    for (int c = 0; c < classes; ++c) {
        const QColor col = t.categorical.value(c % 10);
        g.setColorStopAt(double(c) / classes, mix(col, 0.12));
        g.setColorStopAt((c + 0.999) / classes, mix(col, 0.38));
    }
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(std::min(350, 64 * classes));
    g.setNanHandling(QCPColorGradient::nhTransparent);
    m_map->setGradient(g);
    m_map->setDataRange(QCPRange(0, classes));
}

void DecisionBoundaryPlot::clear() {
    m_dataset.reset();
    m_prediction.reset();
    m_map->data()->clear();
    m_map->setVisible(false);
    m_curve->data()->clear();
    m_targets->data()->clear();
    for (QCPGraph* g : m_classes) g->data()->clear();
    for (int i = 0; i < plot()->graphCount(); ++i) plot()->graph(i)->removeFromLegend();
    plot()->legend->setVisible(false);
    plot()->xAxis->setRange(-1, 1);
    plot()->yAxis->setRange(-1, 1);
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nthe data set and the network's prediction appear here"));
}

void DecisionBoundaryPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (!snapshot || !snapshot->dataset) return;
    const core::Dataset& data = *snapshot->dataset;
    if (data.sequenceLength() > 1 || data.imageSide > 0) {
        m_dataset = snapshot->dataset;
        m_map->setVisible(false);
        for (int i = 0; i < plot()->graphCount(); ++i) {
            plot()->graph(i)->data()->clear();
            plot()->graph(i)->removeFromLegend();
        }
        plot()->legend->setVisible(false);
        // Short lines: this panel is the narrowest on the dashboard.
        if (data.imageSide > 0) {
            setEmptyMessage(tr("Images: each sample has %1 pixels,\nso there is no 2-D input space\nto draw. "
                               "Watch the loss (test\nbeside training) and the gradients.")
                                .arg(data.inputDimension));
        } else {
            setEmptyMessage(tr("Sequence task: each sample\nis %1 time steps, so there is\nno 2-D input space to draw.\n"
                               "Watch the loss and the\nper-time-step gradients.")
                                .arg(data.sequenceLength()));
        }
        return;
    }
    if (snapshot->dataset != m_dataset) {
        m_dataset = snapshot->dataset;
        m_prediction.reset();
        m_curve->data()->clear();
        showDataset(data);
    }
    if (snapshot->prediction && snapshot->prediction != m_prediction) {
        m_prediction = snapshot->prediction;
        showPrediction(*m_prediction, data.classification ? data.outputDimension : 0);
    }
    setEmptyMessage(QString());
}

bool DecisionBoundaryPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    return next.runId != shown.runId || next.dataset != shown.dataset || next.prediction != shown.prediction;
}

void DecisionBoundaryPlot::showDataset(const core::Dataset& data) {
    const Eigen::MatrixXd& x = data.inputs.empty() ? Eigen::MatrixXd() : data.inputs.front();
    const int n = int(x.cols());
    const int stride = std::max(1, n / kMaxPoints);
    m_map->setVisible(false);
    if (data.classification && x.rows() >= 2) {
        setClassCount(data.outputDimension);
        QVector<QVector<double>> xs(data.outputDimension), ys(data.outputDimension);
        for (int i = 0; i < n && i < int(data.labels.size()); i += stride) {
            const int c = data.labels[i];
            if (c < 0 || c >= data.outputDimension) continue;
            xs[c] << x(0, i);
            ys[c] << x(1, i);
        }
        for (int c = 0; c < data.outputDimension; ++c) {
            m_classes[c]->setData(xs[c], ys[c]);
            m_classes[c]->addToLegend();
        }
        m_targets->data()->clear();
        m_targets->removeFromLegend();
        m_curve->removeFromLegend();
        plot()->xAxis->setLabel(tr("x₁"));
        plot()->yAxis->setLabel(tr("x₂"));
    } else {
        setClassCount(0);
        QVector<double> px, py;
        for (int i = 0; i < n; i += stride) {
            px << x(0, i);
            py << (data.targets.rows() > 0 ? data.targets(0, i) : 0.0);
        }
        m_targets->setData(px, py);
        m_targets->addToLegend();
        plot()->xAxis->setLabel(tr("input x"));
        plot()->yAxis->setLabel(tr("target y"));
    }
    plot()->rescaleAxes(true);  // visible point data only: finite by construction
    for (QCPAxis* a : {plot()->xAxis, plot()->yAxis}) a->scaleRange(1.08, a->range().center());
    plot()->legend->setVisible(true);
}

void DecisionBoundaryPlot::showPrediction(const PredictionGrid& grid, int classes) {
    if (classes > 0 && grid.columns > 0 && grid.rows > 0 && int(grid.predictedClass.size()) >= grid.columns * grid.rows) {
        QCPColorMapData* d = m_map->data();
        if (d->keySize() != grid.columns || d->valueSize() != grid.rows) d->setSize(grid.columns, grid.rows);
        d->setRange(QCPRange(grid.xMin, grid.xMax), QCPRange(grid.yMin, grid.yMax));
        const double chance = 1.0 / classes;
        for (int r = 0; r < grid.rows; ++r) {
            for (int c = 0; c < grid.columns; ++c) {
                const int i = r * grid.columns + c;
                const int k = std::clamp(grid.predictedClass[i], 0, classes - 1);
                const double conf = i < int(grid.confidence.size()) ? grid.confidence[i] : chance;
                // Confidence runs from chance (1/classes) to 1: map it onto [0, 0.999).
                double f = std::isfinite(conf) ? (conf - chance) / (1.0 - chance) : 0.0;
                f = std::clamp(f, 0.0, 0.999);
                d->setCell(c, r, k + f);
            }
        }
        // The grid normally covers the data with a margin: frame it, unless it is
        // degenerate or far larger than the data (then keep the data's own frame). The
        // map is drawn only when framed: an image larger than the axis rect would spill
        // over the axes wherever the painter does not clip (SVG).
        const QCPRange gx(grid.xMin, grid.xMax), gy(grid.yMin, grid.yMax);
        const QCPRange dx = plot()->xAxis->range(), dy = plot()->yAxis->range();
        const bool framed = std::isfinite(gx.size()) && std::isfinite(gy.size()) && gx.size() > 0 && gy.size() > 0 &&
                            gx.size() < 3 * dx.size() && gy.size() < 3 * dy.size();
        if (framed) {
            plot()->xAxis->setRange(gx);
            plot()->yAxis->setRange(gy);
        }
        m_map->setVisible(framed);
    } else if (classes == 0 && grid.columns > 1) {
        QVector<double> xs, ys;
        for (int c = 0; c < grid.columns && c < int(grid.confidence.size()); ++c) {
            xs << grid.xMin + (grid.xMax - grid.xMin) * c / (grid.columns - 1);
            const double y = grid.confidence[c];
            ys << (std::isfinite(y) ? y : std::numeric_limits<double>::quiet_NaN());
        }
        // A diverging net's output leaves the data's frame: drawn up to its edge.
        const Polyline curve = clipPolyline(xs, ys, plot()->xAxis->range(), plot()->yAxis->range(), false);
        m_curve->setData(curve.keys, curve.values, true);
        m_curve->addToLegend();
    }
}

}  // namespace gradflow::ui
