#include "ui/plots/spectrum_plot.h"

#include <algorithm>
#include <cmath>

#include "ui/plots/plot_helpers.h"

namespace gradflow::ui {

/// An axis rect that keeps x and y at the same scale (circles stay round) by widening
/// one range after the layout has sized it, including during export at any size.
class SquareAxisRect : public QCPAxisRect {
public:
    using QCPAxisRect::QCPAxisRect;
    void setHalfExtent(double r) { m_half = r; }
    void update(UpdatePhase phase) override {
        QCPAxisRect::update(phase);
        if (phase != upLayout || width() <= 0 || height() <= 0) return;
        const double aspect = double(width()) / double(height());
        QCPAxis* x = axis(QCPAxis::atBottom);
        QCPAxis* y = axis(QCPAxis::atLeft);
        if (aspect >= 1.0) {
            y->setRange(-m_half, m_half);
            x->setRange(-m_half * aspect, m_half * aspect);
        } else {
            x->setRange(-m_half, m_half);
            y->setRange(-m_half / aspect, m_half / aspect);
        }
    }

private:
    double m_half = 1.25;
};

SpectrumPlot::SpectrumPlot(QWidget* parent) : PlotView(QStringLiteral("spectrum"), tr("Jacobian spectrum"), parent) {
    setShortTitle(tr("Spectrum"));
    QCustomPlot* p = plot();
    p->setNotAntialiasedElements(QCP::aePlottables);
    m_isometryBand = new QCPItemRect(p);
    m_isometryBand->setLayer(QStringLiteral("background"));
    m_isometryBand->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_isometryBand->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
    m_isometryBand->topLeft->setCoords(-std::log10(2.0), 0.0);
    m_isometryBand->bottomRight->setCoords(std::log10(2.0), 1.0);
    m_histogram = new QCPBars(p->xAxis, p->yAxis);
    m_histogram->setWidth(kMinBinDecades * 0.92);
    m_histogram->setName(tr("end-to-end J"));
    m_unitLine = new QCPItemStraightLine(p);
    m_unitLine->point1->setCoords(0, 0);
    m_unitLine->point2->setCoords(0, 1);
    m_summary = new QCPItemText(p);
    m_summary->setClipToAxisRect(true);
    m_summary->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_summary->position->setCoords(0.02, 0.03);
    m_summary->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_summary->setTextAlignment(Qt::AlignLeft);
    m_summary->setPadding(QMargins(6, 4, 6, 4));
    m_histogramEmpty = new QCPItemText(p);
    m_histogramEmpty->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_histogramEmpty->position->setCoords(0.5, 0.5);
    m_histogramEmpty->setTextAlignment(Qt::AlignCenter);
    p->xAxis->setTicker(QSharedPointer<Log10Ticker>::create());
    p->xAxis->setLabel(tr("singular value σ of ∂h_L/∂h_1"));
    p->yAxis->setLabel(tr("fraction of σ per ¼ decade"));
    p->yAxis->setNumberFormat("f");
    p->yAxis->setNumberPrecision(2);

    m_eigenRect = new SquareAxisRect(p);
    body()->addElement(0, 1, m_eigenRect);
    // Sub-titles above both panels (a row of their own, so they never cover data).
    body()->insertRow(0);
    m_histTitle = new QCPTextElement(p, tr("end-to-end Jacobian ∂h_L/∂h_1, all probes"));
    m_eigenTitle = new QCPTextElement(p, tr("selected layer: eigenvalues λ"));
    body()->addElement(0, 0, m_histTitle);
    body()->addElement(0, 1, m_eigenTitle);
    body()->setRowStretchFactor(0, 0.001);
    body()->setColumnStretchFactors({1.3, 1.0});
    QCPAxis* ex = m_eigenRect->axis(QCPAxis::atBottom);
    QCPAxis* ey = m_eigenRect->axis(QCPAxis::atLeft);
    ex->setLabel(tr("Re λ"));
    ey->setLabel(tr("Im λ"));
    for (QCPAxis* a : {ex, ey}) a->ticker()->setTickCount(4);
    m_unitCircle = new QCPItemEllipse(p);
    m_sigmaCircle = new QCPItemEllipse(p);
    for (QCPItemEllipse* e : {m_unitCircle, m_sigmaCircle}) {
        e->setClipAxisRect(m_eigenRect);
        for (auto* pos : {e->topLeft, e->bottomRight}) pos->setAxes(ex, ey);
        e->setBrush(Qt::NoBrush);
    }
    m_unitCircle->topLeft->setCoords(-1, 1);
    m_unitCircle->bottomRight->setCoords(1, -1);
    m_singular = new QCPGraph(ex, ey);
    m_singular->setLineStyle(QCPGraph::lsNone);
    m_singular->setName(tr("singular values"));
    m_eigen = new QCPGraph(ex, ey);
    m_eigen->setLineStyle(QCPGraph::lsNone);
    m_eigen->setName(tr("eigenvalues"));
    m_eigen->setAdaptiveSampling(false);
    m_eigenText = new QCPItemText(p);
    m_eigenText->setClipAxisRect(m_eigenRect);
    m_eigenText->position->setAxisRect(m_eigenRect);
    m_eigenText->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_eigenText->position->setCoords(0.5, 0.97);
    m_eigenText->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
    m_eigenText->setTextAlignment(Qt::AlignLeft);
    m_eigenText->setPadding(QMargins(5, 3, 5, 3));
    setTheme(Theme::make(ThemeKind::Light, false));
    clear();
}

QCPAxisRect* SpectrumPlot::histogramRect() const { return plot()->axisRect(0); }
QCPAxisRect* SpectrumPlot::eigenRect() const { return m_eigenRect; }

void SpectrumPlot::setTheme(const Theme& theme) {
    PlotView::setTheme(theme);
    m_histogram->setPen(Qt::NoPen);
    m_histogram->setBrush(theme.accent);
    QColor band = theme.secondary;
    band = QColor::fromRgbF(0.82 * theme.background.redF() + 0.18 * band.redF(),
                            0.82 * theme.background.greenF() + 0.18 * band.greenF(),
                            0.82 * theme.background.blueF() + 0.18 * band.blueF());
    m_isometryBand->setBrush(band);  // opaque blend, cheaper than alpha
    m_isometryBand->setPen(Qt::NoPen);
    m_unitLine->setPen(QPen(theme.critical, theme.lineWidth * 0.8, Qt::DashLine));
    for (QCPItemText* t : {m_summary, m_eigenText}) {
        t->setFont(theme.font(0.9));
        t->setColor(theme.foreground);
        t->setBrush(theme.panel);
        t->setPen(QPen(theme.grid));
    }
    for (QCPTextElement* e : {m_histTitle, m_eigenTitle}) {
        e->setFont(theme.font(0.95));
        e->setTextColor(theme.mutedText);
        e->setMargins(QMargins(4, 2, 4, 2));
    }
    m_histogramEmpty->setFont(theme.font(1.05));
    m_histogramEmpty->setColor(theme.mutedText);
    m_unitCircle->setPen(QPen(theme.critical, theme.lineWidth * 0.8));
    m_sigmaCircle->setPen(QPen(theme.theory, theme.lineWidth * 0.8, Qt::DashLine));
    m_eigen->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, theme.accent, theme.markerSize));
    m_singular->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCross, QPen(theme.theory, 1.5), Qt::NoBrush, theme.markerSize * 1.2));
}

void SpectrumPlot::shareScales(SpectrumPlot& a, SpectrumPlot& b) {
    const double lo = std::min(a.m_xLo, b.m_xLo), hi = std::max(a.m_xHi, b.m_xHi);
    const double radius = std::max(a.m_eigenRadius, b.m_eigenRadius);
    for (SpectrumPlot* side : {&a, &b}) {
        if (side->m_xLo != lo || side->m_xHi != hi) {
            side->m_xLo = lo;
            side->m_xHi = hi;
            // Rebinned on the wider span; a side with no spectrum yet only takes the axis.
            const SnapshotPtr shown = side->snapshot();
            if (shown && (shown->latest || shown->spectrum)) side->fillHistogram(*shown);
            else side->plot()->xAxis->setRange(lo - 0.25, hi + 0.25);
        }
        side->m_eigenRadius = radius;
        side->m_eigenRect->setHalfExtent(radius);
    }
}

void SpectrumPlot::clear() {
    m_xLo = -1.0;
    m_xHi = 1.0;
    m_binWidth = kMinBinDecades;
    m_eigenRadius = 1.25;
    m_histogram->data()->clear();
    m_eigen->data()->clear();
    m_singular->data()->clear();
    showSummary(false);
    m_sigmaCircle->setVisible(false);
    plot()->xAxis->setRange(m_xLo - 0.25, m_xHi + 0.25);
    plot()->yAxis->setRange(0, 1);
    m_eigenRect->setHalfExtent(m_eigenRadius);
    m_histogramEmpty->setVisible(false);
    m_eigenLines = {tr("Click a bar in the gradient"), tr("view to see that layer's"), tr("eigenvalues")};
    m_eigenJoin = QStringLiteral(" ");
    m_eigenText->setText(m_eigenLines.join(QLatin1Char('\n')));
    rememberSnapshot(nullptr);
    setEmptyMessage(tr("Press Train to start\nthe Jacobian spectrum appears here"));
}

void SpectrumPlot::showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory&) {
    if (!snapshot) return;
    if (snapshot->runId != m_runId) {
        m_runId = snapshot->runId;
        clear();
    }
    rememberSnapshot(snapshot);
    if (!snapshot->latest && !snapshot->spectrum) return;
    setEmptyMessage(QString());
    fillHistogram(*snapshot);
    fillEigenvalues(*snapshot);
}

bool SpectrumPlot::redrawsFor(const Snapshot& shown, const Snapshot& next) const {
    // The selected layer's eigenvalues are computed with the spectrum (a new pointer).
    return next.runId != shown.runId || next.spectrum != shown.spectrum || next.selectedUnit != shown.selectedUnit ||
           next.divergence.diverged != shown.divergence.diverged || next.latest.has_value() != shown.latest.has_value();
}

void SpectrumPlot::fillHistogram(const Snapshot& s) {
    const core::JacobianSpectrum* spec = s.spectrum.get();
    if (!spec || !spec->available) {
        m_histogram->data()->clear();
        showSummary(false);
        m_histogramEmpty->setVisible(true);
        m_histogramEmpty->setText(spec ? tr("No end-to-end spectrum:\n%1").arg(QString::fromStdString(spec->unavailableReason))
                                  : s.divergence.diverged ? tr("No spectrum: the run diverged\n(the Jacobian is not finite)")
                                                          : tr("Spectrum not computed yet"));
        return;
    }
    m_histogramEmpty->setVisible(false);
    // Bin log10(sigma) on a fixed quarter-decade grid (aligned to 0, so sigma = 1 sits on
    // a bin centre); log values stay finite even for sigma = 1e-300.
    std::vector<double> logs;
    for (const auto& probe : spec->log10SingularValues)
        for (double v : probe)
            if (std::isfinite(v)) logs.push_back(v);
    if (logs.empty()) {
        m_histogram->data()->clear();
        return;
    }
    const auto [mn, mx] = std::minmax_element(logs.begin(), logs.end());
    m_xLo = std::min(m_xLo, std::floor(*mn));
    m_xHi = std::max(m_xHi, std::ceil(*mx));
    // Bin width from the axis span (which only expands), so bars stay readable for a
    // 40-decade spectrum and fine for a near-isometric one: 1/4, 1/2, 1, 2, 5 ... decades.
    // A comparison shares the span (shareScales), hence the width and the bin edges.
    double bin = kMinBinDecades;
    for (double w : {0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0})
        if ((m_xHi - m_xLo) / bin > 48) bin = w;
    m_binWidth = bin;
    m_histogram->setWidth(bin * 0.9);
    const int firstBin = int(std::floor(*mn / bin + 0.5));
    const int lastBin = int(std::floor(*mx / bin + 0.5));
    QVector<double> keys, counts(lastBin - firstBin + 1, 0.0);
    for (double v : logs) counts[int(std::floor(v / bin + 0.5)) - firstBin] += 1.0;
    double peak = 0;
    for (int b = 0; b < counts.size(); ++b) {
        keys << (firstBin + b) * bin;
        counts[b] /= double(logs.size());
        peak = std::max(peak, counts[b]);
    }
    m_histogram->setData(keys, counts, true);
    plot()->yAxis->setLabel(bin == kMinBinDecades ? tr("fraction of σ per ¼ decade")
                            : bin == 0.5          ? tr("fraction of σ per ½ decade")
                                                  : tr("fraction of σ per %1 decade%2").arg(bin).arg(bin > 1 ? "s" : ""));
    // Wide bins are centred on multiples of their width, so the outer bars can reach past
    // the data's whole decades: the range holds them whole (nothing crosses the axes).
    const double barHalf = m_histogram->width() / 2;
    plot()->xAxis->setRange(std::min(m_xLo - 0.25, keys.front() - barHalf), std::max(m_xHi + 0.25, keys.back() + barHalf));
    plot()->yAxis->setRange(0, std::max(0.1, std::ceil(peak * 1.25 * 10) / 10));
    const auto& sum = spec->summary;
    m_summary->setText(tr("mean log₁₀σ  %1\nmax log₁₀σ   %2\nwithin ×2 of 1  %3%\nlog₁₀ condition  %4\nstep %5")
                           .arg(sum.meanLog10, 0, 'f', 2)
                           .arg(sum.maxLog10, 0, 'f', 2)
                           .arg(100.0 * sum.isometricFraction, 0, 'f', 0)
                           .arg(sum.log10Condition, 0, 'f', 1)
                           .arg(s.spectrumStep));
    // Keep the summary out of the bars' way: put it on the emptier side.
    const bool barsLeft = sum.meanLog10 < (m_xLo + m_xHi) / 2;
    m_summary->position->setCoords(barsLeft ? 0.98 : 0.02, 0.03);
    m_summary->setPositionAlignment((barsLeft ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
    showSummary(true);
}

void SpectrumPlot::fillEigenvalues(const Snapshot& s) {
    m_eigen->data()->clear();
    m_singular->data()->clear();
    m_sigmaCircle->setVisible(false);
    const QString unitName = QString::fromStdString(s.depthUnitName);
    m_eigenTitleFull = s.selectedUnit < 0 ? tr("selected %1: eigenvalues λ").arg(unitName)
                                          : tr("%1 %2 Jacobian: eigenvalues λ").arg(unitName).arg(s.selectedUnit + 1);
    m_eigenTitleShort = s.selectedUnit < 0 ? tr("eigenvalues λ") : tr("%1 %2: λ").arg(unitName).arg(s.selectedUnit + 1);
    m_eigenTitle->setText(m_eigenTitleFull);
    if (s.selectedUnit < 0 || !s.selectedUnitSpectrum) {
        m_eigenLines = s.selectedUnit < 0    ? QStringList{tr("Click a bar in the"), tr("gradient view")}
                       : s.selectedUnit == 0 ? QStringList{tr("%1 1 has no").arg(unitName), tr("%1-to-%1 Jacobian").arg(unitName)}
                                             : QStringList{tr("not available"), tr("at this step")};
        m_eigenJoin = QStringLiteral(" ");
        m_eigenText->setText(m_eigenLines.join(QLatin1Char('\n')));
        return;
    }
    const core::UnitSpectrum& u = *s.selectedUnitSpectrum;
    QVector<double> re, im;
    double radius = 1.0;
    for (const auto& e : u.eigenvalues) {
        if (!std::isfinite(e.real()) || !std::isfinite(e.imag())) continue;
        re << e.real();
        im << e.imag();
        radius = std::max(radius, std::abs(e));
    }
    const double sigmaMax = u.maxSingularValue;
    const bool sigmaDrawn = std::isfinite(sigmaMax) && sigmaMax > 0 && sigmaMax <= kMaxEigenRadius;
    if (sigmaDrawn) radius = std::max(radius, sigmaMax);
    if (u.eigenvalues.empty()) {
        // Not square: show the singular values on the positive real axis instead.
        for (double sv : u.singularValues) {
            if (!std::isfinite(sv)) continue;
            re << sv;
            im << 0.0;
            radius = std::max(radius, sv);
        }
    }
    // The plane spans at most kMaxEigenRadius: beyond, the unit circle would be a dot.
    // Points and circles outside it are left out (the caption gives the numbers), never
    // drawn off the panel.
    m_eigenRadius = std::min(kMaxEigenRadius, radius * 1.12);
    m_eigenRect->setHalfExtent(m_eigenRadius);
    QVector<double> shownRe, shownIm;
    for (qsizetype i = 0; i < re.size(); ++i) {
        if (std::hypot(re[i], im[i]) > m_eigenRadius) continue;
        shownRe << re[i];
        shownIm << im[i];
    }
    // Unsorted keys are fine: no line is drawn.
    (u.eigenvalues.empty() ? m_singular : m_eigen)->setData(shownRe, shownIm);
    m_sigmaCircle->setVisible(sigmaDrawn);
    if (sigmaDrawn) {
        m_sigmaCircle->topLeft->setCoords(-sigmaMax, sigmaMax);
        m_sigmaCircle->bottomRight->setCoords(sigmaMax, -sigmaMax);
    }
    m_eigenLines = u.eigenvalues.empty()
                       ? QStringList{tr("not square: × = singular values"), tr("σ_max %1 (dashed)").arg(formatValue(sigmaMax))}
                       : QStringList{tr("radius ρ %1").arg(formatValue(u.spectralRadius)),
                                     tr("σ_max %1").arg(formatValue(sigmaMax)), tr("solid |λ| = 1"), tr("dashed σ_max")};
    if (re.size() > shownRe.size())
        m_eigenLines << tr("%n beyond ±%1 not drawn", "", int(re.size() - shownRe.size())).arg(m_eigenRadius, 0, 'g', 2);
    m_eigenJoin = QStringLiteral(" · ");
    m_eigenText->setText(m_eigenLines.join(QLatin1Char('\n')));
}

}  // namespace gradflow::ui

namespace gradflow::ui {

void SpectrumPlot::showSummary(bool show) {
    m_summaryWanted = show;
    m_summary->setVisible(show);
}

void SpectrumPlot::fitText(int width) {
    // The two panels share the width 1.3 : 1 (see the column stretch factors).
    const double histWidth = width * 1.3 / 2.3 - 60, eigenWidth = width / 2.3 - 40;
    // Decade ticks come in steps of 1, 2, 5, 10, 20, 50: two ticks over a 40-decade span
    // (a narrow side of a comparison) take a 50-decade step and leave one label. Three
    // labels of "10⁻⁴⁰" still fit the narrowest panel.
    QCPAxisTicker* decades = plot()->xAxis->ticker().data();
    decades->setTickCount(std::max(3, decades->tickCount()));
    const auto fits = [](const QCPTextElement* e, const QString& text, double room) {
        return QFontMetrics(e->font()).horizontalAdvance(text) + 8 <= room;
    };
    const QString axisFull = tr("singular value σ of ∂h_L/∂h_1");
    const bool axisFits = QFontMetrics(plot()->xAxis->labelFont()).horizontalAdvance(axisFull) + 8 <= histWidth;
    plot()->xAxis->setLabel(axisFits ? axisFull : tr("σ of ∂h_L/∂h_1"));
    const QString histFull = tr("end-to-end Jacobian ∂h_L/∂h_1, all probes");
    m_histTitle->setText(fits(m_histTitle, histFull, histWidth + 60) ? histFull : tr("end-to-end ∂h_L/∂h_1"));
    if (m_eigenTitleFull.isEmpty()) m_eigenTitleFull = m_eigenTitle->text();
    if (m_eigenTitleShort.isEmpty()) m_eigenTitleShort = tr("eigenvalues λ");
    m_eigenTitle->setText(fits(m_eigenTitle, m_eigenTitleFull, eigenWidth + 40) ? m_eigenTitleFull : m_eigenTitleShort);
}

void SpectrumPlot::fitToRects() {
    // The caption under the eigenvalues: pairs of phrases joined where the panel is wide
    // enough, one per line where it is not, and none where even that would be cut.
    const QFontMetrics eigenFont(m_eigenText->font());
    const QMargins pad = m_eigenText->padding();
    const int room = m_eigenRect->width() - pad.left() - pad.right() - 4;
    QStringList rows;
    bool fits = true;
    for (qsizetype i = 0; i < m_eigenLines.size(); ++i) {
        const QString joined = rows.isEmpty() || i % 2 == 0 ? QString() : rows.last() + m_eigenJoin + m_eigenLines[i];
        if (!joined.isEmpty() && eigenFont.horizontalAdvance(joined) <= room) rows.last() = joined;
        else rows << m_eigenLines[i];
        fits &= eigenFont.horizontalAdvance(m_eigenLines[i]) <= room;
    }
    const int textHeight = eigenFont.lineSpacing() * int(rows.size()) + pad.top() + pad.bottom();
    m_eigenText->setText(rows.join(QLatin1Char('\n')));
    m_eigenText->setVisible(fits && textHeight <= m_eigenRect->height() * 0.6);
    // The summary box: drawn only where it leaves the bars room and fits whole.
    const QSize box = QFontMetrics(m_summary->font()).size(0, m_summary->text()).grownBy(m_summary->padding());
    const QRect hist = histogramRect()->rect();
    m_summary->setVisible(m_summaryWanted && box.width() * 1.6 <= hist.width() && box.height() + 8 <= hist.height());
}

}  // namespace gradflow::ui
