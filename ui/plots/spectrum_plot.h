#pragma once
// View 3: the end-to-end Jacobian's singular values (pooled over probe inputs) as a
// histogram over log10(sigma), with sigma = 1 (isometry) marked and the summary figures;
// beside it, the selected unit's Jacobian eigenvalues in the complex plane against the
// unit circle (equal scales), with its largest singular value as a dashed circle.

#include "ui/plots/plot_view.h"

namespace gradflow::ui {

class SquareAxisRect;

class SpectrumPlot : public PlotView {
    Q_OBJECT
public:
    explicit SpectrumPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    bool redrawsFor(const Snapshot& shown, const Snapshot& next) const override;
    void clear() override;
    void setTheme(const Theme& theme) override;

    /// Narrowest histogram bin, in decades; wide spectra get wider bins (about 40 bins).
    static constexpr double kMinBinDecades = 0.25;
    /// The eigenvalue plane spans at most +-this: beyond, the unit circle is a dot.
    static constexpr double kMaxEigenRadius = 1e6;

    /// While comparing: both sides take the union of their log10 sigma spans (so their
    /// histograms have the same bin width and bin edges) and the larger eigenvalue extent
    /// (so both complex planes have the same scale). Call after both took their frame.
    static void shareScales(SpectrumPlot& a, SpectrumPlot& b);
    /// Width of the histogram's bins in decades; bins are centred on multiples of it.
    double binWidth() const { return m_binWidth; }

    QCPBars* histogram() const { return m_histogram; }
    QCPGraph* eigenvalues() const { return m_eigen; }
    QCPAxisRect* histogramRect() const;
    QCPAxisRect* eigenRect() const;

protected:
    void fitText(int width) override;
    /// The eigenvalue caption and the summary box, fitted to their panels.
    void fitToRects() override;

private:
    void fillHistogram(const Snapshot& s);
    void showSummary(bool show);
    void fillEigenvalues(const Snapshot& s);

    QCPBars* m_histogram = nullptr;
    QCPItemStraightLine* m_unitLine = nullptr;
    QCPItemRect* m_isometryBand = nullptr;
    QCPItemText* m_summary = nullptr;
    QCPItemText* m_histogramEmpty = nullptr;
    SquareAxisRect* m_eigenRect = nullptr;
    QCPGraph* m_eigen = nullptr;
    QCPGraph* m_singular = nullptr;
    QCPItemEllipse* m_unitCircle = nullptr;
    QCPItemEllipse* m_sigmaCircle = nullptr;
    QCPItemText* m_eigenText = nullptr;
    QCPTextElement* m_histTitle = nullptr;
    QCPTextElement* m_eigenTitle = nullptr;
    QString m_eigenTitleFull, m_eigenTitleShort;
    QStringList m_eigenLines;                     ///< the eigenvalue caption, one phrase per entry
    QString m_eigenJoin = QStringLiteral(" · ");  ///< between phrases on one line: " " for a sentence
    bool m_summaryWanted = false;
    std::uint64_t m_runId = 0;
    double m_xLo = -1.0, m_xHi = 1.0;  ///< log10 sigma range, only expands within a run
    double m_binWidth = kMinBinDecades;
    double m_eigenRadius = 1.25;
};

}  // namespace gradflow::ui
