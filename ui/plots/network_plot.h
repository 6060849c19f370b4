#pragma once
// The Network view: TF Playground's picture of the network, for the run that is training.
// The stack from input (left) to output (right); a narrow layer's units are nodes and its
// weights edges, a wide layer is one block. Edges show |dL/dW| (or the weight) by width and
// colour on a scale fixed for the run; nodes show how much of the batch saturates a unit
// (a cross: dead); blocks show ||dL/dh|| by colour and the saturated / dead share in a
// gauge. Residual skips are arcs, batch and layer norm marked boxes, clipping a note at the
// output side; a recurrent net is its hidden state unrolled over time. Everything drawn is
// the snapshot's NetworkPicture (core/analysis/network_picture.h); a click on a layer picks
// it in the other views.

#include "ui/plots/network_layout.h"
#include "ui/plots/plot_view.h"

class QComboBox;

namespace gradflow::ui {

class NetworkDiagram;

class NetworkPlot : public PlotView {
    Q_OBJECT
public:
    explicit NetworkPlot(QWidget* parent = nullptr);

    void showFrame(const SnapshotPtr& snapshot, const core::TrainingHistory& history) override;
    bool redrawsFor(const Snapshot& shown, const Snapshot& next) const override;
    void clear() override;
    void setTheme(const Theme& theme) override;
    void setSelectionShown(bool shown) override;
    QString toolTipAt(const QPoint& pos) const override;

    EdgeEncoding encoding() const { return m_encoding; }
    /// 0-based depth unit outlined, -1 none.
    int selectedUnit() const { return m_selected; }
    /// The layout of the last drawing, in plot pixels (tests, clicks).
    const NetworkLayout& diagramLayout() const;
    QCPColorScale* colorScale() const { return m_scale; }
    /// The picture on show, null before the first.
    core::NetworkPicturePtr picture() const { return m_picture; }

public slots:
    void setEncoding(gradflow::ui::EdgeEncoding encoding);
    /// A layer picked elsewhere (0-based, as GradientBarsPlot::unitSelected): outlined here.
    void setSelectedUnit(int unit);

signals:
    /// A layer (0-based depth unit) clicked in the diagram.
    void unitSelected(int unit);
    void encodingChanged(gradflow::ui::EdgeEncoding encoding);

protected:
    void fitText(int width) override;

private:
    void rebuild();
    void updateLegend();
    void onMousePress(QMouseEvent* event);
    QString clipNote(const Snapshot& snapshot, bool& clipped) const;

    QComboBox* m_encodingBox = nullptr;
    NetworkDiagram* m_diagram = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPTextElement* m_key = nullptr;
    EdgeEncoding m_encoding = EdgeEncoding::WeightGradient;
    core::NetworkPicturePtr m_picture;
    std::uint64_t m_runId = 0;
    int m_selected = -1;
    bool m_selectionShown = true;
};

}  // namespace gradflow::ui
