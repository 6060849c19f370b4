#include "ui/plots/distributions_plot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <algorithm>
#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

namespace {

using core::LayerQuantity;

/// Fill opacities of the min-max, 7-93 % and 16-84 % bands: nested, darker inside.
constexpr int kBandAlpha[3] = {45, 80, 125};
/// Values a painter can take (a diverged run's 1e300 activations sit at the axis edge).
constexpr double kLargestCoordinate = 1e250;

QString axisTitle(LayerQuantity q) {
    switch (q) {
    case LayerQuantity::Preactivation: return QObject::tr("pre-activation value");
    case LayerQuantity::Activation: return QObject::tr("activation value");
    case LayerQuantity::Weight: return QObject::tr("weight value");
    case LayerQuantity::WeightGrad: return QObject::tr("|∂L/∂W| (log scale)");
    case LayerQuantity::ActivationGrad: return QObject::tr("|∂ℓ/∂h| per sample (log scale)");
    }
    return {};
}

/// The bands are named in the label, which gives way to "training step" when narrow.
QString bandAxisTitle() { return QObject::tr("training step (bands: min–max, 7–93 %, 16–84 %; line: median)"); }

/// Below this height two panels with four lines of axis text leave the histogram a sliver.
constexpr int kShortViewHeight = 330;
/// Wider than this times its height, a view puts the bands beside the histogram (a
/// presenter's or a comparison's tab); a 16:10 figure keeps them below.
constexpr double kSideBySideAspect = 1.7;

QString upperFirst(QString text) {
    if (!text.isEmpty()) text[0] = text[0].toUpper();
    return text;
}

/// A bin edge as text: a value, or 10^edge for a log bin.
QString edgeText(const core::HistogramBins& bins, double coordinate) {
    if (!bins.logarithmic()) return formatValue(coordinate);
    const double whole = std::round(coordinate);
    if (std::abs(coordinate - whole) < 1e-9) return powerOfTen(int(whole));
    return formatValue(std::pow(10.0, coordinate));
}

}  // namespace

DistributionsPlot::DistributionsPlot(QWidget* parent)
    : PlotView(QStringLiteral("distributions"), tr("Layer distributions"), parent) {
    setShortTitle(tr("Distributions"));
    m_quantityBox = new QComboBox(this);
    m_quantityBox->addItem(tr("Pre-activations"), int(LayerQuantity::Preactivation));
    m_quantityBox->addItem(tr("Activations"), int(LayerQuantity::Activation));
    m_quantityBox->addItem(tr("Weights"), int(LayerQuantity::Weight));
    m_quantityBox->addItem(tr("Weight gradients"), int(LayerQuantity::WeightGrad));
    m_quantityBox->addItem(tr("Activation gradients"), int(LayerQuantity::ActivationGrad));
    m_quantityBox->setCurrentIndex(m_quantityBox->findData(int(m_quantity)));
    m_quantityBox->setToolTip(tr("Which values of the layer to count: gradients by magnitude on log10 bins"));
    m_unitBox = new QSpinBox(this);
    m_unitBox->setRange(1, 1);
    m_unitBox->setToolTip(tr("The layer shown (1 = input side); a click on a bar in the gradient view picks it too"));
    m_unitLabel = new QLabel(tr("Layer:"), this);
    toolRow()->addWidget(new QLabel(tr("Show:"), this));
    toolRow()->addWidget(m_quantityBox);
    toolRow()->addSpacing(8);
    toolRow()->addWidget(m_unitLabel);
    toolRow()->addWidget(m_unitBox);
    toolRow()->addStretch(1);
    connect(m_quantityBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setSelection(LayerQuantity(m_quantityBox->currentData().toInt()), m_unit); });
    connect(m_unitBox, &QSpinBox::valueChanged, this, [this](int unit) { setSelection(m_quantity, unit); });

    QCustomPlot* p = plot();
    p->setNotAntialiasedElements(QCP::aePlottables);
    QCPAxisRect* top = p->axisRect();
    m_bandRect = new QCPAxisRect(p);

    m_initial = p->addGraph(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
    m_initial->setName(tr("initialisation"));
    m_initial->setLineStyle(QCPGraph::lsStepLeft);
    m_current = p->addGraph(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
    m_current->setName(tr("now"));
    m_current->setLineStyle(QCPGraph::lsStepLeft);
    m_zoneKey = new QCPBars(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
    m_zoneKey->setName(tr("saturated"));
    top->axis(QCPAxis::atLeft)->setLabel(tr("count"));

    QCPAxis* bandX = m_bandRect->axis(QCPAxis::atBottom);
    QCPAxis* bandY = m_bandRect->axis(QCPAxis::atLeft);
    bandX->setTicker(integerTicker());
    for (QCPGraph*& band : m_bands) {
        band = p->addGraph(bandX, bandY);
        band->removeFromLegend();
    }
    // Nested fills: min-max, 7-93 %, 16-84 %; the median as a line.
    for (int i = 0; i < 3; ++i) m_bands[6 - i]->setChannelFillGraph(m_bands[i]);

    m_edgeCounts = new QCPItemText(p);
    m_edgeCounts->setClipAxisRect(top);
    m_edgeCounts->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_edgeCounts->position->setAxisRect(top);
    m_edgeCounts->position->setCoords(0.99, 0.03);
    m_edgeCounts->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_edgeCounts->setTextAlignment(Qt::AlignRight);
    m_edgeCounts->setPadding(QMargins(4, 2, 4, 2));

    // The panels share one cell, under the legend row placeLegendAbove() adds, which so
    // spans them both whichever way they are arranged.
    m_panels = new QCPLayoutGrid;
    body()->take(top);
    body()->simplify();
    body()->addElement(0, 0, m_panels);
    m_panels->addElement(0, 0, top);
    m_panels->setRowSpacing(4);
    m_panels->setColumnSpacing(12);
    arrangePanels(false);
    p->legend->setVisible(true);
    placeLegendAbove();
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void DistributionsPlot::arrangePanels(bool sideBySide) {
    if (sideBySide == m_sideBySide) return;
    m_sideBySide = sideBySide;
    if (m_panels->hasElement(1, 0) || m_panels->hasElement(0, 1)) m_panels->take(m_bandRect);
    m_panels->simplify();
    if (sideBySide) {
        m_panels->addElement(0, 1, m_bandRect);
        m_panels->setColumnStretchFactors({1.5, 1.0});
    } else {
        m_panels->addElement(1, 0, m_bandRect);
        m_panels->setRowStretchFactors({1.7, 1.0});
    }
    // No margin group of its own to line the panels up: a comparison's shared axes put
    // each panel in a group with its twin on the other side (shared_axes.h).
}

void DistributionsPlot::fitText(int width) {
    // An export lays the plot out at its own size (the viewport); on screen the widget's
    // size is the news (a resize reaches the dashboard's filter before the plot's viewport).
    const QRect viewport = plot()->viewport();
    const int height = viewport.width() == width ? viewport.height() : plot()->height();
    if (m_panels) arrangePanels(width >= kSideBySideAspect * height);
    // In a short view (a tab beside others) the selector above already names the quantity
    // and the steps speak for themselves: the x titles give their room to the histogram.
    const bool shortView = !m_sideBySide && height < kShortViewHeight;
    // The layer is named on the axis too: an exported figure has no selector beside it.
    const QString unitName = QString::fromStdString(snapshot() ? snapshot()->depthUnitName : "layer");
    histogramRect()
        ->axis(QCPAxis::atBottom)
        ->setLabel(shortView ? QString() : QStringLiteral("%1 %2: %3").arg(unitName).arg(m_unit).arg(axisTitle(m_quantity)));
    m_bandRect->axis(QCPAxis::atBottom)->setLabel(shortView ? QString() : bandAxisTitle());
    // About one count or value label per 36 px of panel height, so they never overlap.
    for (QCPAxisRect* rect : {histogramRect(), m_bandRect}) {
        const int rectHeight = rect->height() > 0 ? rect->height() : height / 3;
        rect->axis(QCPAxis::atLeft)->ticker()->setTickCount(std::clamp(rectHeight / 36, 2, 5));
    }
}

QCPAxisRect* DistributionsPlot::histogramRect() const { return plot()->axisRect(0); }

int DistributionsPlot::shadedZones() const {
    return int(std::count_if(m_zones.begin(), m_zones.end(), [](const QCPItemRect* r) { return r->visible(); }));
}

void DistributionsPlot::setTheme(const Theme& t) {
    PlotView::setTheme(t);
    QColor fill = t.accent;
    fill.setAlpha(110);
    m_current->setPen(QPen(t.accent, t.lineWidth));
    m_current->setBrush(fill);
    QColor faint = t.mutedText;
    faint.setAlpha(170);
    QColor faintFill = t.mutedText;
    faintFill.setAlpha(45);
    m_initial->setPen(QPen(faint, t.lineWidth, Qt::DashLine));
    m_initial->setBrush(faintFill);
    QColor zone = t.warning;
    zone.setAlpha(t.kind == ThemeKind::Dark ? 60 : 40);
    m_zoneKey->setPen(Qt::NoPen);
    m_zoneKey->setBrush(zone);
    for (QCPItemRect* r : m_zones) {
        r->setPen(Qt::NoPen);
        r->setBrush(zone);
    }
    for (int i = 0; i < 7; ++i) m_bands[i]->setPen(Qt::NoPen);
    for (int i = 0; i < 3; ++i) {
        QColor band = t.accent;
        band.setAlpha(kBandAlpha[i]);
        m_bands[6 - i]->setBrush(band);
    }
    m_bands[3]->setPen(QPen(t.accent, t.lineWidth));
    m_edgeCounts->setFont(t.font(0.85));
    m_edgeCounts->setColor(t.mutedText);
    m_edgeCounts->setBrush(t.panel);
    m_edgeCounts->setPen(Qt::NoPen);
}

void DistributionsPlot::clearData() {
    m_initial->data()->clear();
    m_current->data()->clear();
    for (QCPGraph* band : m_bands) band->data()->clear();
    for (QCPItemRect* r : m_zones) r->setVisible(false);
    m_zoneKey->removeFromLegend();
    m_edgeCounts->setVisible(false);
}

void DistributionsPlot::clear() {
    m_shown.reset();
    clearData();
    histogramRect()->axis(QCPAxis::atBottom)->setRange(-1, 1);
    histogramRect()->axis(QCPAxis::atLeft)->setRange(0, 1);
    m_bandRect->axis(QCPAxis::atBottom)->setRange(0, 100);
    m_bandRect->axis(QCPAxis::atLeft)->setRange(-1, 1);
    rememberSnapshot(nullptr);
    fitText(plot()->width());
    setEmptyMessage(tr("Press Train to start\neach layer's histograms show here"));
}

bool DistributionsPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    return shown.runId != next.runId || shown.distributions != next.distributions;
}

void DistributionsPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    rememberSnapshot(snapshot);
    if (!snapshot || !snapshot->distributions || !snapshot->distributions->current) {
        if (m_shown) clear();
        return;
    }
    m_shown = snapshot->distributions;
    m_unitLabel->setText(upperFirst(QString::fromStdString(snapshot->depthUnitName)) + QLatin1Char(':'));
    {
        const QSignalBlocker blocker(m_unitBox);
        m_unitBox->setRange(1, std::max(1, m_shown->depthUnits));
    }
    m_unit = std::clamp(m_unit, 1, std::max(1, m_shown->depthUnits));
    rebuild();
}

void DistributionsPlot::setSelection(LayerQuantity quantity, int unit) {
    unit = std::max(1, unit);
    if (m_shown) unit = std::min(unit, std::max(1, m_shown->depthUnits));
    if (quantity == m_quantity && unit == m_unit) return;
    m_quantity = quantity;
    m_unit = unit;
    {
        const QSignalBlocker a(m_quantityBox), b(m_unitBox);
        m_quantityBox->setCurrentIndex(m_quantityBox->findData(int(quantity)));
        m_unitBox->setValue(unit);
    }
    if (m_shown) rebuild();
    emit selectionChanged(quantity, unit);
    requestReplot();
}

void DistributionsPlot::selectUnit(int zeroBasedUnit) {
    if (zeroBasedUnit >= 0) setSelection(m_quantity, zeroBasedUnit + 1);
}

double DistributionsPlot::axisCoordinate(double value) const {
    if (!core::isGradientQuantity(m_quantity)) return std::clamp(value, -kLargestCoordinate, kLargestCoordinate);
    const core::HistogramBins& bins = m_shown->bins[core::quantityIndex(m_quantity)];
    // A magnitude of 0 has no logarithm: it sits on the floor of the bins, with the
    // underflow; the histogram counts those zeros apart.
    if (!(value > 0)) return bins.lo;
    return std::clamp(std::log10(value), bins.lo, std::max(bins.hi, std::log10(kLargestCoordinate)));
}

void DistributionsPlot::rebuild() {
    const core::LayerDistributions& d = *m_shown;
    const std::string& missing = d.missingReason(m_quantity, m_unit);
    QCPAxis* x = histogramRect()->axis(QCPAxis::atBottom);
    QCPAxis* bandY = m_bandRect->axis(QCPAxis::atLeft);
    const bool logarithmic = core::isGradientQuantity(m_quantity);
    bandY->setLabel(logarithmic ? tr("magnitude") : tr("value"));
    // One ticker each: their tick counts are fitted to different lengths.
    for (QCPAxis* axis : {x, bandY})
        axis->setTicker(logarithmic ? QSharedPointer<QCPAxisTicker>(new Log10Ticker)
                                    : QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    if (!missing.empty()) {
        clearData();
        const QString unitName = upperFirst(QString::fromStdString(snapshot() ? snapshot()->depthUnitName : "layer"));
        setEmptyMessage(tr("%1 %2: %3").arg(unitName).arg(m_unit).arg(QString::fromStdString(missing)));
        return;
    }
    setEmptyMessage(QString());
    showHistogram(d);
    showZones(d);
    showBands(d);
    fitText(plot()->width());
}

void DistributionsPlot::showHistogram(const core::LayerDistributions& d) {
    const core::HistogramBins& bins = d.bins[core::quantityIndex(m_quantity)];
    const core::UnitHistogram* now = d.histogram(d.current.get(), m_quantity, m_unit);
    const core::UnitHistogram* initial = d.histogram(d.initial.get(), m_quantity, m_unit);
    double highest = 1.0;
    const auto fill = [&](QCPGraph* graph, const core::UnitHistogram* h) {
        QVector<double> keys(bins.count + 1), counts(bins.count + 1);
        for (int i = 0; i <= bins.count; ++i) {
            keys[i] = bins.innerEdge(i);
            // The last point closes the last bin (a step graph holds each value to the next key).
            const int bin = bins.firstInner() + std::min(i, bins.count - 1);
            counts[i] = h ? double(h->counts[std::size_t(bin)]) : std::nan("");
            if (h) highest = std::max(highest, counts[i]);
        }
        graph->setData(keys, counts, true);
    };
    const bool showInitial = initial && d.initial != d.current;
    fill(m_current, now);
    fill(m_initial, showInitial ? initial : nullptr);
    m_initial->setVisible(showInitial);
    if (showInitial) m_initial->addToLegend();
    else m_initial->removeFromLegend();
    m_current->setName(tr("step %1").arg(d.current->step + 1));
    histogramRect()->axis(QCPAxis::atBottom)->setRange(bins.innerEdge(0), bins.innerEdge(bins.count));
    histogramRect()->axis(QCPAxis::atLeft)->setRange(0, highest * 1.08);

    // What falls outside the inner bins is counted, not dropped: say how much, and where.
    QStringList lines;
    if (now) {
        const auto count = [&](int bin) { return now->counts[std::size_t(bin)]; };
        lines << tr("%1 values").arg(now->values);
        if (bins.logarithmic()) {
            if (count(bins.zeroBin()) > 0) lines << tr("exactly 0: %1").arg(count(bins.zeroBin()));
            if (count(bins.underflowBin()) > 0)
                lines << tr("below %1: %2").arg(edgeText(bins, bins.lo)).arg(count(bins.underflowBin()));
        } else if (count(0) > 0) {
            lines << tr("below %1: %2").arg(edgeText(bins, bins.lo)).arg(count(0));
        }
        if (count(bins.aboveBin()) > 0) lines << tr("%1 and above: %2").arg(edgeText(bins, bins.hi)).arg(count(bins.aboveBin()));
        if (count(bins.nanBin()) > 0) lines << tr("NaN: %1").arg(count(bins.nanBin()));
    }
    m_edgeCounts->setText(lines.join(QLatin1Char('\n')));
    m_edgeCounts->setVisible(!lines.isEmpty());
}

void DistributionsPlot::showZones(const core::LayerDistributions& d) {
    const std::size_t qi = core::quantityIndex(m_quantity);
    const core::HistogramBins& bins = d.bins[qi];
    const auto& perUnit = d.saturationZones[qi];
    const std::vector<core::ValueInterval> none;
    const auto& zones = m_unit <= int(perUnit.size()) ? perUnit[std::size_t(m_unit - 1)] : none;
    QCPAxisRect* top = histogramRect();
    while (m_zones.size() < qsizetype(zones.size())) {
        auto* r = new QCPItemRect(plot());
        r->setClipAxisRect(top);
        r->setLayer(QStringLiteral("grid"));  // under the histogram
        for (QCPItemPosition* corner : {r->topLeft, r->bottomRight}) {
            corner->setAxisRect(top);
            corner->setAxes(top->axis(QCPAxis::atBottom), top->axis(QCPAxis::atLeft));
            corner->setTypeX(QCPItemPosition::ptPlotCoords);
            corner->setTypeY(QCPItemPosition::ptAxisRectRatio);
        }
        r->setPen(Qt::NoPen);
        r->setBrush(m_zoneKey->brush());
        m_zones << r;
    }
    for (qsizetype i = 0; i < m_zones.size(); ++i) {
        QCPItemRect* r = m_zones[i];
        r->setVisible(i < qsizetype(zones.size()));
        if (!r->visible()) continue;
        double lo = zones[std::size_t(i)].lo, hi = zones[std::size_t(i)].hi;
        if (lo == hi) {
            // A single value (a dead ReLU's output, exactly 0): shade the bin that holds it.
            const int inner = bins.binOf(lo) - bins.firstInner();
            if (inner >= 0 && inner < bins.count) {
                lo = bins.innerEdge(inner);
                hi = bins.innerEdge(inner + 1);
            }
        }
        r->topLeft->setCoords(lo, 0.0);
        r->bottomRight->setCoords(hi, 1.0);
    }
    if (zones.empty()) m_zoneKey->removeFromLegend();
    else m_zoneKey->addToLegend();
}

void DistributionsPlot::showBands(const core::LayerDistributions& d) {
    const std::size_t qi = core::quantityIndex(m_quantity);
    const auto u = std::size_t(m_unit - 1);
    QVector<double> keys, values[7];
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    const auto add = [&](std::int64_t step, const core::PercentileBand& band) {
        if (band.numbers == 0) return;
        keys << double(step + 1);
        for (int j = 0; j < 7; ++j) {
            const double v = band.values[std::size_t(j)];
            const double c = std::isnan(v) ? v : axisCoordinate(v);
            values[j] << c;
            if (std::isfinite(c)) lo = std::min(lo, c), hi = std::max(hi, c);
        }
    };
    for (const auto& entry : d.history) {
        if (u < entry->bands[qi].size()) add(entry->step, entry->bands[qi][u]);
    }
    // The history keeps every n-th collection; the newest is always drawn.
    if (const core::UnitHistogram* now = d.histogram(d.current.get(), m_quantity, m_unit);
        now && (keys.isEmpty() || keys.back() < double(d.current->step + 1)))
        add(d.current->step, now->band);
    for (int j = 0; j < 7; ++j) m_bands[j]->setData(keys, values[j], true);
    QCPAxis* x = m_bandRect->axis(QCPAxis::atBottom);
    QCPAxis* y = m_bandRect->axis(QCPAxis::atLeft);
    if (keys.isEmpty()) return;
    x->setRange(keys.front(), std::max(keys.back(), keys.front() + 1.0));
    if (lo <= hi) {
        const double pad = std::max((hi - lo) * 0.08, core::isGradientQuantity(m_quantity) ? 0.5 : 1e-3);
        y->setRange(lo - pad, hi + pad);
    }
}

QString DistributionsPlot::toolTipAt(const QPoint& pos) const {
    if (!m_shown || !histogramRect()->rect().contains(pos) || !m_shown->missingReason(m_quantity, m_unit).empty())
        return PlotView::toolTipAt(pos);
    const core::LayerDistributions& d = *m_shown;
    const core::HistogramBins& bins = d.bins[core::quantityIndex(m_quantity)];
    const double key = histogramRect()->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
    const int inner = int(std::floor((key - bins.lo) / (bins.hi - bins.lo) * bins.count));
    if (inner < 0 || inner >= bins.count) return PlotView::toolTipAt(pos);
    const std::size_t bin = std::size_t(bins.firstInner() + inner);
    const QString range = tr("%1%2 to %3")
                              .arg(bins.logarithmic() ? tr("magnitude ") : QString(), edgeText(bins, bins.innerEdge(inner)),
                                   edgeText(bins, bins.innerEdge(inner + 1)));
    QString text = range;
    if (const core::UnitHistogram* now = d.histogram(d.current.get(), m_quantity, m_unit))
        text += tr("\n%1 of %2 values at step %3").arg(now->counts[bin]).arg(now->values).arg(d.current->step + 1);
    if (const core::UnitHistogram* initial = d.histogram(d.initial.get(), m_quantity, m_unit); initial && d.initial != d.current)
        text += tr("\n%1 at initialisation").arg(initial->counts[bin]);
    return text;
}

}  // namespace gradflow::ui
