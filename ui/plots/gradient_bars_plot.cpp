#include "ui/plots/gradient_bars_plot.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QToolTip>

#include "core/analysis/gradient_diagnosis.h"
#include "ui/plots/opening_statistic.h"

namespace gradflow::ui {

namespace {
QString capitalised(const std::string& s) {
    QString q = QString::fromStdString(s);
    if (!q.isEmpty()) q[0] = q[0].toUpper();
    return q;
}

/// The mean-field profile of `statistic`, or null where the theory predicts none.
const std::vector<double>* theoryProfile(const core::GradientProfiles& profiles, UnitStatistic statistic) {
    switch (statistic) {
    case UnitStatistic::WeightGradient: return &profiles.weightGradient;
    case UnitStatistic::ActivationGradient: return &profiles.activationGradient;
    case UnitStatistic::UpdateRatio:
    case UnitStatistic::Saturation: break;
    }
    return nullptr;
}

/// The finite-width band of `statistic`, or null where there is none.
const core::ProfileBand* theoryBand(const core::GradientProfiles& profiles, UnitStatistic statistic) {
    switch (statistic) {
    case UnitStatistic::WeightGradient: return &profiles.weightBand;
    case UnitStatistic::ActivationGradient: return &profiles.activationBand;
    case UnitStatistic::UpdateRatio:
    case UnitStatistic::Saturation: break;
    }
    return nullptr;
}

/// The legend's note when no line is drawn ("" when a line is expected but the anchor is
/// not finite: the bars then show why).
QString noTheoryText(const core::GradientProfiles& profiles, UnitStatistic statistic) {
    switch (statistic) {
    case UnitStatistic::UpdateRatio: return GradientBarsPlot::tr("no mean-field line for update ratios");
    case UnitStatistic::Saturation: return GradientBarsPlot::tr("no mean-field line for saturation");
    case UnitStatistic::WeightGradient:
    case UnitStatistic::ActivationGradient: break;
    }
    std::string reason = profiles.unavailableReason;
    if (reason.empty() && statistic == UnitStatistic::WeightGradient) reason = profiles.weightUnavailableReason;
    if (reason.empty()) return {};
    return GradientBarsPlot::tr("no mean-field line for %1").arg(QString::fromStdString(reason));
}

/// The engine's plain text set for a plot label: "10^-7" as 10⁻⁷, "chi_1" as χ₁.
QString typeset(const std::string& plain) {
    static const QString superscripts = QStringLiteral("⁰¹²³⁴⁵⁶⁷⁸⁹");
    static const QRegularExpression power(QStringLiteral("10\\^(-?)(\\d+)"));
    QString text = QString::fromStdString(plain);
    text.replace(QStringLiteral("chi_1"), QStringLiteral("χ₁"));
    text.replace(QStringLiteral("dL/dh"), QStringLiteral("‖∂L/∂h‖"));
    QRegularExpressionMatch match;
    while ((match = power.match(text)).hasMatch()) {
        QString exponent = match.captured(1).isEmpty() ? QString() : QStringLiteral("⁻");
        for (const QChar digit : match.captured(2)) exponent += superscripts[digit.digitValue()];
        text.replace(match.capturedStart(), match.capturedLength(), QStringLiteral("10") + exponent);
    }
    return text;
}

QColor verdictColor(core::DiagnosisKind kind, const Theme& theme) {
    switch (kind) {
    case core::DiagnosisKind::Healthy: return theme.categorical.value(2);
    case core::DiagnosisKind::Vanishing: return theme.categorical.value(0);
    case core::DiagnosisKind::Exploding:
    case core::DiagnosisKind::Diverged:
    case core::DiagnosisKind::Dead: return theme.warning;
    case core::DiagnosisKind::Shallow:
    case core::DiagnosisKind::NoData: break;
    }
    return theme.mutedText;
}

}  // namespace

GradientBarsPlot::GradientBarsPlot(QWidget* parent)
    : PlotView(QStringLiteral("gradients"), tr("Gradient magnitude per layer"), parent) {
    setShortTitle(tr("Gradient per layer"));
    auto* label = new QLabel(tr("Statistic:"), this);
    m_statisticBox = new QComboBox(this);
    m_statisticBox->addItem(tr("Weight gradient ‖∂L/∂W‖"), int(UnitStatistic::WeightGradient));
    m_statisticBox->addItem(tr("Activation gradient ‖∂L/∂h‖"), int(UnitStatistic::ActivationGradient));
    m_statisticBox->addItem(tr("Update ratio ‖ΔW‖/‖W‖"), int(UnitStatistic::UpdateRatio));
    m_statisticBox->addItem(tr("Saturation (fraction of units)"), int(UnitStatistic::Saturation));
    m_statisticBox->setToolTip(
        tr("Which per-layer number the bars show. Gradients on a log axis: equal steps between bars\n"
           "mean geometric decay with depth (vanishing) or growth (exploding)."));
    toolRow()->addWidget(label);
    toolRow()->addWidget(m_statisticBox);
    toolRow()->addStretch(1);
    connect(m_statisticBox, &QComboBox::currentIndexChanged, this,
            [this](int) { setStatistic(UnitStatistic(m_statisticBox->currentData().toInt())); });

    QCustomPlot* p = plot();
    // Bars are opaque and not antialiased: translucent AA bars cost 40x more per replot.
    p->setNotAntialiasedElements(QCP::aePlottables);
    m_bars = new QCPBars(p->xAxis, p->yAxis);
    m_bars->setWidth(0.72);
    m_selectedBar = new QCPBars(p->xAxis, p->yAxis);
    m_selectedBar->setWidth(0.72);
    m_selectedBar->setName(tr("selected"));
    // The band first, so the line is drawn over its fill.
    m_bandLow = p->addGraph();
    m_bandLow->setPen(Qt::NoPen);
    m_bandLow->removeFromLegend();
    m_bandHigh = p->addGraph();
    m_bandHigh->setPen(Qt::NoPen);
    m_bandHigh->setChannelFillGraph(m_bandLow);
    m_bandHigh->setName(tr("one net at this width: ±2σ"));
    m_theory = p->addGraph();
    m_theory->setName(tr("mean-field prediction"));
    // A legend entry only: no data, no pen, so its icon is blank.
    m_noTheory = p->addGraph();
    m_noTheory->setPen(Qt::NoPen);
    m_noTheory->setLineStyle(QCPGraph::lsNone);
    m_overflow = p->addGraph();
    m_overflow->setLineStyle(QCPGraph::lsNone);
    m_overflow->setName(tr("overflow / NaN (not finite)"));
    m_underflow = p->addGraph();
    m_underflow->setLineStyle(QCPGraph::lsNone);
    m_underflow->setName(tr("0: underflow or exactly 0"));
    m_reference = new QCPItemStraightLine(p);
    m_reference->setVisible(false);
    m_status = new QCPItemText(p);
    m_status->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_status->position->setCoords(0.5, 0.96);
    m_status->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    m_status->setPadding(QMargins(8, 4, 8, 4));
    p->xAxis->setTicker(integerTicker());
    p->xAxis->grid()->setVisible(false);
    // Bars stand on the axis floor, not on 0 (minus infinity on a log axis: drawn through
    // the x axis and the caption wherever the painter does not clip, as in SVG), also
    // when a comparison widens the range to the other side's after this view set it.
    connect(p->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, [this](const QCPRange& range) {
        for (QCPBars* bars : {m_bars, m_selectedBar}) bars->setBaseValue(range.lower);
    });
    // A row of its own under the title, so the verdict never covers bars or legend.
    m_diagnosis = new QCPTextElement(p, QString());
    p->plotLayout()->insertRow(1);
    p->plotLayout()->addElement(1, 0, m_diagnosis);
    p->plotLayout()->setRowStretchFactor(1, 0.001);
    p->legend->setVisible(true);
    placeLegendAbove();
    p->setMouseTracking(true);
    connect(p, &QCustomPlot::mouseMove, this, &GradientBarsPlot::onMouseMove);
    connect(p, &QCustomPlot::mousePress, this, &GradientBarsPlot::onMousePress);
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

void GradientBarsPlot::setTheme(const Theme& theme) {
    PlotView::setTheme(theme);
    m_bars->setPen(Qt::NoPen);
    m_bars->setBrush(theme.accent);
    m_selectedBar->setPen(Qt::NoPen);
    m_selectedBar->setBrush(theme.categorical.value(3));
    m_theory->setPen(QPen(theme.theory, theme.lineWidth, Qt::DashLine));
    m_theory->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, theme.theory, theme.background, theme.markerSize * 0.8));
    // Light enough that the bars under it keep their colour, on either background.
    QColor band = theme.theory;
    band.setAlpha(theme.kind == ThemeKind::Dark ? 70 : 45);
    m_bandHigh->setBrush(band);
    m_overflow->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(theme.warning, 1.5), theme.warning, theme.markerSize * 1.6));
    m_underflow->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssTriangleInverted, QPen(theme.warning, 1.5), theme.background, theme.markerSize * 1.6));
    m_reference->setPen(QPen(theme.mutedText, 1.2, Qt::DotLine));
    m_diagnosis->setFont(theme.font(1.0, true));
    m_statusFont = theme.font(1.05, true);
    m_status->setFont(m_statusFont);
    m_status->setColor(theme.warning);
    m_status->setBrush(theme.panel);
    m_status->setPen(QPen(theme.warning));
    rebuild();
}

void GradientBarsPlot::clear() {
    m_snapshot.reset();
    m_range.reset();
    m_selected = -1;
    rememberSnapshot(nullptr);
    rebuild();
}

void GradientBarsPlot::setStatistic(UnitStatistic statistic) {
    if (statistic == m_statistic) return;
    m_statistic = statistic;
    m_range.reset();
    const int index = m_statisticBox->findData(int(statistic));
    if (index >= 0 && index != m_statisticBox->currentIndex()) m_statisticBox->setCurrentIndex(index);
    rebuild();
    requestReplot();
    emit statisticChanged(statistic);
}

void GradientBarsPlot::setSelectionShown(bool shown) { m_selectedBar->setVisible(shown); }

void GradientBarsPlot::setDiagnosisShown(bool shown) {
    if (shown == m_diagnosisShown) return;
    m_diagnosisShown = shown;
    fitText(m_fittedWidth > 0 ? m_fittedWidth : plot()->width());
}

QString GradientBarsPlot::diagnosisText() const { return m_diagnosis->text(); }

void GradientBarsPlot::updateDiagnosis() {
    const Snapshot* s = m_snapshot.get();
    m_diagnosisFull.clear();
    m_diagnosisVerdict.clear();
    m_diagnosisHeadline.clear();
    // Before the first step the empty-state message says what to do; no verdict yet.
    if (s && s->latest) {
        const core::GradientDiagnosis d = core::diagnoseGradients(s->config, s->latest, s->divergence, s->theory);
        m_diagnosisFull = typeset(core::describeDiagnosis(d));
        m_diagnosisVerdict = typeset(core::describeDiagnosis(d, core::DiagnosisDetail::Verdict));
        m_diagnosisHeadline = typeset(core::describeDiagnosis(d, core::DiagnosisDetail::Headline));
        m_diagnosis->setTextColor(verdictColor(d.kind, theme()));
    }
    fitText(m_fittedWidth > 0 ? m_fittedWidth : plot()->width());
}

void GradientBarsPlot::fitText(int width) {
    m_fittedWidth = width;
    QString text;
    if (m_diagnosisShown && !m_diagnosisFull.isEmpty()) {
        const QFontMetrics metrics(m_diagnosis->font());
        const int room = width - 16;
        // The longest form that fits; only a very narrow view cuts the headline.
        text = metrics.elidedText(m_diagnosisHeadline, Qt::ElideRight, room);
        for (const QString* form : {&m_diagnosisFull, &m_diagnosisVerdict}) {
            if (metrics.horizontalAdvance(*form) <= room) {
                text = *form;
                break;
            }
        }
    }
    m_diagnosis->setText(text);
    // Hidden, the row takes no height: an empty text with no margins measures 0.
    m_diagnosis->setMargins(text.isEmpty() ? QMargins() : QMargins(6, 1, 6, 2));
}

void GradientBarsPlot::selectUnit(int unit) {
    m_selected = unit;
    rebuild();
    requestReplot();
    emit unitSelected(unit);
}

void GradientBarsPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    bool newLesson = false;
    if (snapshot && snapshot->runId != m_runId) {
        m_runId = snapshot->runId;
        m_range.reset();
        m_selected = -1;
        // A new lesson opens on the statistic that shows its point; a Reset or an edit of
        // the same experiment keeps whatever the user picked, and so does the first run
        // shown unless its lesson names a statistic.
        newLesson = m_lesson ? *m_lesson != snapshot->config.lesson : snapshot->config.lesson.statistic.has_value();
        m_lesson = snapshot->config.lesson;
    }
    m_snapshot = snapshot;
    rememberSnapshot(snapshot);
    if (snapshot && snapshot->selectedUnit >= 0) m_selected = snapshot->selectedUnit;
    if (newLesson && openingStatistic(*m_lesson) != m_statistic) {
        setStatistic(openingStatistic(*m_lesson));
        return;
    }
    rebuild();
}

void GradientBarsPlot::configureValueAxis() {
    QCPAxis* y = plot()->yAxis;
    if (statisticIsLog(m_statistic)) {
        if (y->scaleType() != QCPAxis::stLogarithmic) makeLogAxis(y);
    } else if (y->scaleType() != QCPAxis::stLinear) {
        y->setScaleType(QCPAxis::stLinear);
        y->setTicker(QSharedPointer<QCPAxisTicker>::create());
        y->setNumberFormat("g");
        y->setNumberPrecision(2);
    }
    y->setLabel(statisticLabel(m_statistic));
}

void GradientBarsPlot::fitToRects() {
    if (m_status->visible()) m_status->setFont(fontToFit(*m_status, m_statusFont, plot()->axisRect()->width() - 12));
}

void GradientBarsPlot::rebuild() {
    configureValueAxis();
    QCustomPlot* p = plot();
    const Snapshot* s = m_snapshot.get();
    const QString unitName = s ? QString::fromStdString(s->depthUnitName) : QStringLiteral("layer");
    p->xAxis->setLabel(tr("%1 (input side → output)").arg(capitalised(unitName.toStdString())));
    QVector<double> keys, values, selKeys, selValues, overKeys, underKeys, theoryKeys, theoryValues, bandKeys, bandLow, bandHigh;
    const bool logScale = statisticIsLog(m_statistic);
    int units = 0;
    if (s && s->latest) {
        const auto& layers = s->latest->layers;
        units = int(layers.size());
        for (int i = 0; i < units; ++i) {
            const double v = statisticValue(layers[i], m_statistic);
            const ValueClass c = logScale ? classify(v) : (std::isfinite(v) ? ValueClass::Finite : ValueClass::NotANumber);
            // Not-applicable entries (e.g. no update ratio yet) are NaN in the stats: a plain gap.
            if (c == ValueClass::Overflow || (c == ValueClass::NotANumber && s->latest->diverged)) overKeys << i + 1;
            if (c == ValueClass::Underflow) underKeys << i + 1;
            if (c != ValueClass::Finite) continue;
            keys << i + 1;
            values << v;
            if (logScale) m_range.include(v);
            if (i == m_selected) selKeys << i + 1, selValues << v;
        }
        // The prediction of exactly the statistic on screen, relative to the last hidden
        // layer: anchored to the measured bar there.
        const std::vector<double>* profile = theoryProfile(s->predictedProfiles, m_statistic);
        const int anchor = profile ? int(profile->size()) - 1 : -1;
        if (anchor >= 0 && anchor < units) {
            const double measured = statisticValue(layers[anchor], m_statistic);
            const double scale = measured / (*profile)[anchor];
            if (std::isfinite(logSafe(measured)) && std::isfinite(scale) && scale > 0) {
                for (int i = 0; i <= anchor; ++i) {
                    const double v = logSafe((*profile)[i] * scale);
                    theoryKeys << i + 1;
                    theoryValues << v;
                    m_range.include(v);
                }
                const core::ProfileBand* band = theoryBand(s->predictedProfiles, m_statistic);
                if (band && int(band->lo.size()) == anchor + 1) {
                    for (int i = 0; i <= anchor; ++i) {
                        const double lo = logSafe(band->lo[i] * scale), hi = logSafe(band->hi[i] * scale);
                        if (!std::isfinite(lo) || !std::isfinite(hi)) continue;
                        bandKeys << i + 1;
                        bandLow << lo;
                        bandHigh << hi;
                        m_range.include(lo);
                        m_range.include(hi);
                    }
                }
            }
        }
    }
    // Explicit ranges: rescaleAxes() ignores Inf in 2.1.0 and log data <= 0.
    const QCPRange yRange = logScale ? m_range.range() : QCPRange(0.0, 1.0);
    const QCPRange xRange(0.4, std::max(units, 1) + 0.6);
    p->yAxis->setRange(yRange);
    p->xAxis->setRange(xRange);
    // Bars end at the axis' ceiling; values beyond it are marked as overflow below. (They
    // stand on its floor: see the constructor.)
    for (QVector<double>* series : {&values, &selValues})
        for (double& v : *series) v = clampTo(v, yRange);
    m_bars->setData(keys, values, true);
    m_selectedBar->setData(selKeys, selValues, true);
    const Polyline theory = clipPolyline(theoryKeys, theoryValues, xRange, yRange, logScale);
    m_theory->setData(theory.keys, theory.values, true);
    // Clamped, not clipped: a fill cut at the axis edge is still the band inside it.
    for (QVector<double>* series : {&bandLow, &bandHigh})
        for (double& v : *series) v = clampTo(v, yRange);
    m_bandLow->setData(bandKeys, bandLow, true);
    m_bandHigh->setData(bandKeys, bandHigh, true);
    if (s) {
        QString name = tr("mean-field prediction (χ₁ = %1)").arg(s->theory.chi1, 0, 'g', 3);
        // A line without its band says why, so a missing band does not read as an exact one.
        if (bandKeys.isEmpty() && !s->predictedProfiles.bandUnavailableReason.empty())
            name += tr("; no width band for %1").arg(QString::fromStdString(s->predictedProfiles.bandUnavailableReason));
        m_theory->setName(name);
        m_noTheory->setName(noTheoryText(s->predictedProfiles, m_statistic));
    }
    QVector<double> overValues(overKeys.size(), logScale ? yRange.upper / std::pow(yRange.upper / yRange.lower, 0.04) : 0.96);
    QVector<double> underValues(underKeys.size(), logScale ? yRange.lower * std::pow(yRange.upper / yRange.lower, 0.04) : 0.04);
    m_overflow->setData(overKeys, overValues, true);
    m_underflow->setData(underKeys, underValues, true);

    // Legend lists only what is drawn.
    auto legendIf = [](QCPAbstractPlottable* pl, bool show) {
        if (show) pl->addToLegend();
        else pl->removeFromLegend();
    };
    m_bars->setName(tr("measured, step %1").arg(s && s->latest ? core::stepNumber(s->latest->step) : 0));
    // Always listed: an empty legend squeezes the plot to a strip before the first step.
    legendIf(m_bars, true);
    legendIf(m_selectedBar, false);
    legendIf(m_bandHigh, !bandKeys.isEmpty());
    legendIf(m_theory, !theoryKeys.isEmpty());
    // Without a line the legend says why, so a missing prediction is not mistaken for a flat one.
    legendIf(m_noTheory, s && s->latest && theoryKeys.isEmpty() && !m_noTheory->name().isEmpty());
    legendIf(m_overflow, !overKeys.isEmpty());
    legendIf(m_underflow, !underKeys.isEmpty());
    // The legend stays "visible" even when empty: a hidden element in the layout row
    // above squeezed the axis rect (seen in the empty-state export).

    // Update ratios near 1e-3 are the usual healthy size (Karpathy's rule of thumb).
    m_reference->setVisible(m_statistic == UnitStatistic::UpdateRatio && units > 0);
    m_reference->point1->setCoords(0, 1e-3);
    m_reference->point2->setCoords(1, 1e-3);

    const bool diverged = s && s->divergence.diverged;
    m_status->setVisible(diverged);
    if (diverged) {
        // Where and why on two lines: on one, a long reason ran past both ends of the axes.
        QString text = QString::fromStdString(s->divergence.message);
        if (const auto colon = text.indexOf(QStringLiteral(": ")); colon > 0) text.replace(colon, 2, QStringLiteral(":\n"));
        m_status->setText(text);
    }
    updateDiagnosis();
    if (!s || !s->latest) {
        setEmptyMessage(tr("Press Train to start\nper-%1 gradient magnitudes appear here").arg(unitName));
    } else if (keys.isEmpty() && overKeys.isEmpty() && underKeys.isEmpty()) {
        setEmptyMessage(tr("No %1 values at this step").arg(statisticLabel(m_statistic)));
    } else {
        setEmptyMessage(QString());
    }
}

int GradientBarsPlot::unitAt(const QPointF& pos) const {
    const QCustomPlot* p = plot();
    if (!p->axisRect()->rect().contains(pos.toPoint()) || !m_snapshot || !m_snapshot->latest) return -1;
    const int key = int(std::lround(p->xAxis->pixelToCoord(pos.x())));
    const int units = int(m_snapshot->latest->layers.size());
    return (key >= 1 && key <= units) ? key - 1 : -1;
}

void GradientBarsPlot::onMousePress(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return;
    const int unit = unitAt(event->position());
    if (unit >= 0) selectUnit(unit);
}

void GradientBarsPlot::onMouseMove(QMouseEvent* event) {
    const int unit = unitAt(event->position());
    if (unit < 0) {
        // Only the bar's own text: the view's explanations elsewhere stay up.
        if (m_barToolTip) QToolTip::hideText();
        m_barToolTip = false;
        return;
    }
    const core::LayerStats& st = m_snapshot->latest->layers[unit];
    const QString name = capitalised(m_snapshot->depthUnitName);
    // A share, not a magnitude: 0 means no saturated unit, never an underflow.
    const QString saturation =
        std::isfinite(st.saturation) ? tr("%1% of units").arg(100.0 * st.saturation, 0, 'f', 1) : tr("not applicable");
    QString text =
        tr("<b>%1 %2</b><br>‖∂L/∂W‖ = %3<br>‖∂L/∂h‖ = %4<br>update ratio = %5<br>saturation = %6")
            .arg(name)
            .arg(unit + 1)
            .arg(formatValue(st.weightGradNorm), formatValue(st.activationGradNorm), formatValue(st.updateRatio), saturation);
    // Summaries start at the Jacobian h_1 -> h_2, i.e. at depth unit 2 (0-based 1).
    const int summary = unit - 1;
    if (summary >= 0 && summary < int(m_snapshot->unitSummaries.size())) {
        const auto& u = m_snapshot->unitSummaries[summary];
        text += tr("<br>spectral radius = %1, σ<sub>max</sub> = %2")
                    .arg(formatValue(u.spectralRadius), formatValue(u.maxSingularValue));
    }
    text += tr("<br><i>click to see its Jacobian spectrum; F1: what these numbers mean</i>");
    QToolTip::showText(event->globalPosition().toPoint(), text, plot());
    m_barToolTip = true;
}

}  // namespace gradflow::ui
