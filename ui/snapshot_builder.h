#pragma once
// The snapshot builder lives in the engine (core/analysis/snapshot_builder.h), where the
// command line's figures and the GUI's worker share it; views and tests name it here.

#include "core/analysis/snapshot_builder.h"
#include "ui/snapshot.h"

namespace gradflow::ui {

using core::advancePredictionGrid;
using core::beginPredictionGrid;
using core::buildFullSnapshot;
using core::computePredictionGrid;
using core::kGridSize;
using core::kSpectrumProbes;
using core::SnapshotBuilder;

}  // namespace gradflow::ui
