#pragma once
// `gradflow --headless`: load, validate, train for N steps, stream CSVs, and
// `gradflow --list-presets`. Plain standard C++ over core, so the command line works
// in builds without the UI; the GUI build hooks figure export in through HeadlessHooks.

#include <functional>
#include <iosfwd>
#include <string>

#include "app/command_line.h"
#include "core/analysis/layer_distributions.h"
#include "core/config/experiment_config.h"
#include "core/training/step_stats.h"

namespace gradflow::core {
class Trainer;
}

namespace gradflow::app {

/// Exit codes of the gradflow executable.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   ///< an internal error (a bug)
inline constexpr int kExitBadInput = 2;  ///< bad arguments, experiment file or output path

/// Extension points for a front end that adds output (figures, frames). Each returns an
/// error message (empty = carry on); an error ends the run with kExitBadInput.
struct HeadlessHooks {
    /// After the config is loaded and every output opened, before the trainer is built:
    /// check export paths here so a bad one fails before any training.
    std::function<std::string(const core::ExperimentConfig&)> beforeRun;
    /// Side B of a comparison, asked once after beforeRun: a trainer stepped in lockstep
    /// with the run's (core::Lockstep) until the run ends, or null for none.
    std::function<core::Trainer*()> comparison;
    /// After every step side B took, before afterStep of the same step.
    std::function<void(const core::StepStats&)> afterComparisonStep;
    /// After every step (including the diverged one).
    std::function<std::string(const core::Trainer&, const core::StepStats&)> afterStep;
    /// When set, the run collects per-layer distributions (as --histograms does, at its
    /// steps) and passes each collection here; figures draw the newest.
    std::function<void(core::LayerDistributionsPtr)> afterDistributions;
    /// When the trainer has done --at STEP updates (before the first step for 0), after
    /// that step's afterStep; not called when the run ends earlier (it diverged).
    std::function<std::string(const core::Trainer&)> atExportStep;
    /// Once training stops.
    std::function<std::string(const core::Trainer&)> afterRun;
};

/// The experiment named by --config or --preset, with --seed applied and validated.
/// On failure returns false with a one-line `error`.
bool loadExperiment(const CommandLineOptions& options, core::ExperimentConfig& config, std::string& error);

int runHeadless(const CommandLineOptions& options, std::ostream& out, std::ostream& err, const HeadlessHooks& hooks = {});

/// One line per preset: name, padding, title.
int listPresets(std::ostream& out, std::ostream& err);

}  // namespace gradflow::app
