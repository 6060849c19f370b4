#pragma once
// The network at one step as the Network view draws it: the stack as a graph, input side
// first. A narrow layer (at most kMaxDrawnUnits units and inputs) keeps copies of its
// weights and weight gradients and each unit's saturated share and death, so every weight
// can be an edge and every unit a node; a wide layer keeps summaries only. Read during the
// step (layer_values.h) like the distributions, so W, dW and the activations describe the
// same weights. The colour scales are chosen once per run, at the first picture (the
// initialised network), and every later picture carries the same ones: a scale refitted
// each frame would paint a gradient that shrank a thousand-fold in the same colour.

#include <cstdint>
#include <memory>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/training/layer_values.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

/// The most units (or inputs) a layer may have to be drawn unit by unit.
inline constexpr int kMaxDrawnUnits = 16;

/// One depth unit: a dense layer of a feed-forward net (the output layer last) or one
/// time step of a recurrent cell.
struct PictureLayer {
    int units = 0;   ///< width: rows of W, or the cell's hidden size
    int inputs = 0;  ///< columns of W (fan-in); 0 for a time step, whose weights every step shares
    /// units and inputs <= kMaxDrawnUnits: the vectors below hold every weight and unit.
    bool detailed = false;
    /// W and dL/dW (units x inputs, column-major: W(i, j) at i + j units); empty unless detailed.
    std::vector<double> weights, weightGrads;
    /// Per unit: the share of the batch with phi'(y) < 5% of max phi' (as LayerStats), and
    /// whether phi' is exactly 0 on every sample (a dead ReLU). Empty for more than
    /// kMaxDrawnUnits units, or without an activation function (the output layer, a gated cell).
    std::vector<double> unitSaturation;
    std::vector<std::uint8_t> unitDead;
    /// Over the layer: saturated (unit, sample) share and dead-unit share; kNotApplicable
    /// without an activation function.
    double saturation = kNotApplicable;
    double deadFraction = kNotApplicable;
    /// RMS over the batch of each sample's ||dl/dh|| (LayerStats::activationGradNorm).
    double activationGradNorm = kNotApplicable;
    /// RMS of the elements of W and dL/dW: what a typical edge of a wide layer carries.
    double weightRms = kNotApplicable;
    double weightGradRms = kNotApplicable;
    /// 1-based depth unit whose output a residual skip adds to this one's, 0 for none.
    int skipFrom = 0;
};

/// Fixed for the run (see the file comment).
struct PictureScale {
    /// Magnitudes (|dL/dW| of an edge, ||dL/dh|| of a block) map to colours by log10 from
    /// log10Low (the darkest) to log10High; beyond either end they take the end's colour.
    double log10Low = -6.0;
    double log10High = 0.0;
    /// |w| drawn at full width; larger weights are drawn at full width too.
    double weightMax = 1.0;
};

struct NetworkPicture {
    std::int64_t step = -1;  ///< 0-based step index, as StepStats::step
    bool unrolled = false;   ///< depth units are time steps of one recurrent cell
    int inputDimension = 0;
    int outputDimension = 0;
    std::vector<PictureLayer> layers;  ///< depth units, input side first
    PictureScale scale;
};

using NetworkPicturePtr = std::shared_ptr<const NetworkPicture>;

/// The scale rule, applied to the first picture: colours span whole decades from the 2nd
/// percentile of the coloured magnitudes (a few weights near 0 do not stretch it) to one
/// decade above the largest (room to grow), 4 to 12 decades; weights up to max |w| rounded
/// up to 1, 2 or 5 times a power of ten.
PictureScale choosePictureScale(const std::vector<double>& magnitudes, double largestWeight);

class NetworkPictureCollector {
public:
    /// Layer widths, dimensions and the model kind come from `config`, which the values
    /// passed to take() must have been computed with.
    explicit NetworkPictureCollector(const ExperimentConfig& config);

    /// The picture of the step `values` describes; the first call fixes the scale.
    NetworkPicturePtr take(std::int64_t step, const LayerValues& values);

private:
    void describeUnits(PictureLayer& layer, const LayerValues& values, int unit);

    ExperimentConfig m_config;
    bool m_scaleChosen = false;
    PictureScale m_scale;
    std::vector<double> m_scratch;
};

}  // namespace gradflow::core
