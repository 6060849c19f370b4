#pragma once
// The network's output over a grid covering the data set, for the decision-boundary view
// (classification: predicted class and its probability; regression: the curve). Computed
// whole, or in pieces so a training loop never stalls on it.

#include <vector>

#include "core/training/trainer.h"

namespace gradflow::core {

/// Decision-boundary grid resolution (classification); regression uses kGridSize points.
/// 64^2 forward passes cost about as much as 60 training steps of a 64-wide net.
inline constexpr int kGridSize = 64;

struct PredictionGrid {
    int columns = 0, rows = 0;  ///< classification grid size; regression: columns points, rows = 1
    double xMin = 0, xMax = 0, yMin = 0, yMax = 0;
    std::vector<int> predictedClass;  ///< rows x columns, row-major (classification)
    std::vector<double> confidence;   ///< max class probability, or regression y per column
};

/// Whether the data set has a picture at all: 2-D inputs (classification) or 1-D
/// (regression), and no sequences.
bool canShowPrediction(const Trainer& trainer);

/// The network's output on a grid covering the data set (with a margin), in evaluation
/// mode. Synchronous; cost is one forward pass of kGridSize^2 samples.
PredictionGrid computePredictionGrid(const Trainer& trainer, int columns = kGridSize, int rows = kGridSize);
/// The same in pieces: the grid's frame (ranges, size) with no values yet, then up to
/// `maxRows` more rows per call (regression: the whole curve at once); true when full.
PredictionGrid beginPredictionGrid(const Trainer& trainer, int columns = kGridSize, int rows = kGridSize);
bool advancePredictionGrid(const Trainer& trainer, PredictionGrid& grid, int maxRows);

}  // namespace gradflow::core
