#pragma once
// The distribution of one quantity (pre-activations, activations, weights, weight or
// activation gradients) of one layer: on top its histogram at the newest collected step,
// the one at initialisation faint behind, the activation's saturation zones shaded; below,
// TensorBoard's percentile bands of the same layer over the run. Bins are fixed for the run
// (core/analysis/histogram_bins.h), gradients by magnitude on log10 bins. Everything is
// computed on the worker thread; this view only copies one layer's numbers into graphs.

#include "core/training/layer_values.h"
#include "ui/plots/plot_view.h"

class QComboBox;
class QLabel;
class QSpinBox;

namespace gradflow::ui {

class DistributionsPlot : public PlotView {
    Q_OBJECT
public:
    explicit DistributionsPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    bool redrawsFor(const Snapshot& shown, const Snapshot& next) const override;
    void clear() override;
    void setTheme(const Theme& theme) override;
    QString toolTipAt(const QPoint& pos) const override;

    core::LayerQuantity quantity() const { return m_quantity; }
    /// 1-based depth unit shown.
    int unit() const { return m_unit; }
    QCPGraph* currentGraph() const { return m_current; }
    QCPGraph* initialGraph() const { return m_initial; }
    QCPGraph* medianGraph() const { return m_bands[3]; }
    bool panelsSideBySide() const { return m_sideBySide; }
    /// Saturation zones drawn (for tests).
    int shadedZones() const;
    /// The histogram panel and the bands panel.
    QCPAxisRect* histogramRect() const;
    QCPAxisRect* bandRect() const { return m_bandRect; }

public slots:
    /// Both selectors; the other side of a comparison follows through selectionChanged.
    void setSelection(core::LayerQuantity quantity, int unit);
    /// A layer clicked elsewhere (0-based, as GradientBarsPlot::unitSelected).
    void selectUnit(int zeroBasedUnit);

signals:
    void selectionChanged(core::LayerQuantity quantity, int unit);

protected:
    void fitText(int width) override;

private:
    /// Stacked (histogram above bands) or, in a wide and short view (a presenter's tab),
    /// side by side, so neither panel is squeezed to a sliver.
    void arrangePanels(bool sideBySide);
    /// Every graph, zone and readout emptied; the axes stay.
    void clearData();
    void rebuild();
    void showHistogram(const core::LayerDistributions& d);
    void showBands(const core::LayerDistributions& d);
    void showZones(const core::LayerDistributions& d);
    /// Axis coordinate of a value: itself, or log10 of a gradient's magnitude.
    double axisCoordinate(double value) const;

    QComboBox* m_quantityBox = nullptr;
    QLabel* m_unitLabel = nullptr;
    QSpinBox* m_unitBox = nullptr;
    core::LayerQuantity m_quantity = core::LayerQuantity::Activation;
    int m_unit = 1;

    QCPGraph* m_initial = nullptr;
    QCPGraph* m_current = nullptr;
    QCPBars* m_zoneKey = nullptr;  ///< legend entry for the shaded zones; holds no data
    QList<QCPItemRect*> m_zones;
    QCPItemText* m_edgeCounts = nullptr;  ///< counts outside the inner bins
    QCPAxisRect* m_bandRect = nullptr;
    QCPLayoutGrid* m_panels = nullptr;  ///< the histogram and the bands, below the legend
    bool m_sideBySide = true;           ///< so the constructor's arrangePanels(false) lays out
    QCPGraph* m_bands[7] = {};
    core::LayerDistributionsPtr m_shown;
};

}  // namespace gradflow::ui
