#pragma once
// What crosses the thread boundary from the training worker to the GUI: the engine's
// immutable AnalysisSnapshot (core/analysis/analysis_snapshot.h), published as
// std::shared_ptr<const Snapshot>. Plots read only this (and the GUI-side TrainingHistory
// built from it); they never touch the model or the worker. The names below are the GUI's
// words for it, so views and their signals need not spell out the engine's.

#include "core/analysis/analysis_snapshot.h"

namespace gradflow::ui {

using PredictionGrid = core::PredictionGrid;
using Snapshot = core::AnalysisSnapshot;
using SnapshotPtr = core::AnalysisSnapshotPtr;

}  // namespace gradflow::ui
