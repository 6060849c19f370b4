#include "core/analysis/prediction_grid.h"

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace gradflow::core {

namespace {

/// [min, max] of one input coordinate over the data set, widened by a margin so the
/// decision boundary is visible around the outermost points.
std::pair<double, double> paddedRange(const Dataset& data, int row) {
    if (data.inputs.empty() || data.inputs.front().cols() == 0) return {-1.0, 1.0};
    const auto values = data.inputs.front().row(row);
    double lo = values.minCoeff(), hi = values.maxCoeff();
    if (!std::isfinite(lo) || !std::isfinite(hi)) return {-1.0, 1.0};
    const double margin = std::max(0.1 * (hi - lo), 1e-3);
    return {lo - margin, hi + margin};
}

}  // namespace

bool canShowPrediction(const Trainer& trainer) {
    const Dataset& data = trainer.dataset();
    if (data.sequenceLength() != 1) return false;  // sequence tasks have no 2-D picture
    return data.classification ? data.inputDimension == 2 : data.inputDimension == 1;
}

PredictionGrid beginPredictionGrid(const Trainer& trainer, int columns, int rows) {
    PredictionGrid grid;
    const Dataset& data = trainer.dataset();
    std::tie(grid.xMin, grid.xMax) = paddedRange(data, 0);
    grid.columns = columns;
    if (data.classification) {
        std::tie(grid.yMin, grid.yMax) = paddedRange(data, 1);
        grid.rows = rows;
    } else {
        grid.rows = 1;
        const auto targets = data.targets.row(0);
        grid.yMin = targets.size() ? targets.minCoeff() : -1.0;
        grid.yMax = targets.size() ? targets.maxCoeff() : 1.0;
    }
    return grid;
}

bool advancePredictionGrid(const Trainer& trainer, PredictionGrid& grid, int maxRows) {
    const int columns = grid.columns;
    const auto xAt = [&](int c) { return grid.xMin + (grid.xMax - grid.xMin) * c / std::max(columns - 1, 1); };
    if (!trainer.dataset().classification) {
        if (grid.confidence.empty()) {
            Eigen::MatrixXd points(1, columns);
            for (int c = 0; c < columns; ++c) points(0, c) = xAt(c);
            const Eigen::MatrixXd values = trainer.predict({points});
            grid.confidence.assign(values.data(), values.data() + values.cols());
        }
        return true;
    }
    const int first = columns > 0 ? static_cast<int>(grid.predictedClass.size()) / columns : grid.rows;
    const int last = std::min(grid.rows, first + std::max(maxRows, 1));
    if (first >= last) return true;
    Eigen::MatrixXd points(2, (last - first) * columns);
    for (int r = first; r < last; ++r) {
        const double y = grid.yMin + (grid.yMax - grid.yMin) * r / std::max(grid.rows - 1, 1);
        for (int c = 0; c < columns; ++c) {
            points(0, (r - first) * columns + c) = xAt(c);
            points(1, (r - first) * columns + c) = y;
        }
    }
    const Eigen::MatrixXd probabilities = trainer.predict({points});
    for (Eigen::Index i = 0; i < points.cols(); ++i) {
        Eigen::Index best = 0;
        const double p = probabilities.col(i).maxCoeff(&best);
        // A non-finite output has no class: -1 lets the view paint it as such.
        grid.predictedClass.push_back(std::isfinite(p) ? static_cast<int>(best) : -1);
        grid.confidence.push_back(p);
    }
    return last == grid.rows;
}

PredictionGrid computePredictionGrid(const Trainer& trainer, int columns, int rows) {
    PredictionGrid grid = beginPredictionGrid(trainer, columns, rows);
    advancePredictionGrid(trainer, grid, rows);
    return grid;
}

}  // namespace gradflow::core
