#include "headless_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "core/analysis/layer_distributions.h"
#include "core/analysis/mean_field.h"
#include "core/analysis/trainer_spectrum.h"
#include "core/config/experiment_validation.h"
#include "core/data/idx_file.h"
#include "core/io/experiment_file.h"
#include "core/io/histogram_csv.h"
#include "core/io/metrics_csv.h"
#include "core/io/preset_library.h"
#include "core/io/theory_csv.h"
#include "core/training/divergence.h"
#include "core/training/lockstep.h"
#include "core/training/trainer.h"

namespace gradflow::app {
namespace {

constexpr std::int64_t kDefaultSteps = 200;

/// Several validation errors, one line (the command line promises one-line errors).
std::string joinIssues(const std::vector<core::ConfigIssue>& issues) {
    std::string text;
    for (const core::ConfigIssue& issue : issues) {
        if (!text.empty()) text += "; ";
        text += issue.text();
    }
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

std::string number(double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6g", value);
    return buffer;
}

void printTheory(const core::ExperimentConfig& config, std::ostream& out) {
    const core::MeanFieldPrediction p = core::predictMeanField(config);
    out << "mean-field theory at initialisation (Poole et al. 2016; Schoenholz et al. 2017)\n"
        << "sigma_w^2 = " << number(p.sigmaW2) << "\n"
        << "sigma_b^2 = " << number(p.sigmaB2) << "\n"
        << "q* = " << (p.converged ? number(p.qStar) : std::string("inf (the variance map diverges)")) << "\n"
        << "chi_1 = " << number(p.chi1) << "  ("
        << (std::abs(p.chi1 - 1.0) < 1e-3 ? "critical"
            : p.chi1 < 1.0                ? "vanishing"
                                          : "exploding")
        << ")\n"
        << "depth scale = " << (std::isinf(p.depthScale) ? std::string("inf") : number(p.depthScale)) << " layers\n";
}

/// The CSV outputs of a run, opened before training so a bad path costs nothing.
struct Outputs {
    core::MetricsCsvWriter metrics;
    core::StepLogCsvWriter log;
    core::SpectrumCsvWriter spectrum;
    core::HistogramCsvWriter histograms;
    core::TheoryCsvWriter theory;

    std::string open(const CommandLineOptions& o) {
        std::string error;
        if (!o.metricsPath.empty() && !metrics.open(o.metricsPath, error)) return "--metrics: " + error;
        if (!o.logPath.empty() && !log.open(o.logPath, error)) return "--log: " + error;
        if (!o.spectrumPath.empty() && !spectrum.open(o.spectrumPath, error)) return "--spectrum: " + error;
        if (!o.histogramsPath.empty() && !histograms.open(o.histogramsPath, error)) return "--histograms: " + error;
        if (!o.theoryPath.empty() && !theory.open(o.theoryPath, error)) return "--theory: " + error;
        return {};
    }

    std::string finish() {
        std::string error;
        for (core::CsvFileWriter* writer :
             {static_cast<core::CsvFileWriter*>(&metrics), static_cast<core::CsvFileWriter*>(&log),
              static_cast<core::CsvFileWriter*>(&spectrum), static_cast<core::CsvFileWriter*>(&histograms),
              static_cast<core::CsvFileWriter*>(&theory)}) {
            std::string e;
            if (!writer->finish(e) && error.empty()) error = e;
        }
        return error;
    }
};

std::string divergenceText(const core::Trainer& trainer, const core::StepStats& stats) {
    const core::DivergenceInfo& d = trainer.divergence();
    if (!d.message.empty()) return d.message;
    return core::divergenceMessage(d.diverged ? d.step : stats.step, trainer.depthUnitName(), d.layer, {});
}

/// The training loop proper; returns the exit code.
int train(const CommandLineOptions& o, core::Trainer& trainer, std::int64_t steps, Outputs& outputs, const HeadlessHooks& hooks,
          std::ostream& out, std::ostream& err) {
    bool spectrumNoted = false;
    const core::StepStats* last = nullptr;
    // Distributions are read during a step (layer_values.h), so the collector rides along:
    // every K steps from step 0 (the initialised network, which fixes the bins), and the
    // last step, so a file and a figure end where the run ends.
    // A figure --at STEP must equal the figure of a run that stops at STEP, which collected
    // its last step too: a copy of the collector takes that step for the figure alone, so
    // the CSV and later collections do not see it.
    const std::int64_t figureStep = o.exportAtStep.value_or(steps);
    std::optional<core::DistributionCollector> distributions;
    if (outputs.histograms.isOpen() || hooks.afterDistributions) {
        distributions.emplace(trainer.config());
        const std::int64_t every = std::max(1, o.histogramsEvery);
        trainer.setStepInspector([&, every, steps, figureStep](std::int64_t k, const core::LayerValues& values) {
            if (k % every != 0 && k != steps - 1) {
                if (k == figureStep - 1 && hooks.afterDistributions) {
                    core::DistributionCollector asAtTheEnd = *distributions;
                    asAtTheEnd.collect(k, values);
                    hooks.afterDistributions(asAtTheEnd.latest());
                }
                return;
            }
            distributions->collect(k, values);
            if (outputs.histograms.isOpen()) outputs.histograms.append(*distributions->latest());
            if (hooks.afterDistributions) hooks.afterDistributions(distributions->latest());
        });
    }
    // The inspector above refers to this frame's locals.
    struct StopInspecting {
        core::Trainer& trainer;
        ~StopInspecting() { trainer.setStepInspector({}); }
    } stopInspecting{trainer};
    const auto reachedFigureStep = [&]() -> std::string {
        if (!o.exportAtStep || trainer.stepsDone() != figureStep || !hooks.atExportStep) return {};
        return hooks.atExportStep(trainer);
    };
    if (std::string e = reachedFigureStep(); !e.empty()) {
        err << "gradflow: " << e << "\n";
        return kExitBadInput;
    }
    core::Lockstep lockstep;
    lockstep.addLane(trainer);
    if (core::Trainer* sideB = hooks.comparison ? hooks.comparison() : nullptr) lockstep.addLane(*sideB);
    for (std::int64_t k = 0; k < steps; ++k) {
        // Before the update, so the spectrum of step k belongs to the same weights as
        // step k's gradients (step 0 = initialisation).
        if (outputs.spectrum.isOpen() && k % o.spectrumEvery == 0) {
            const core::JacobianSpectrum spectrum = core::endToEndSpectrum(trainer);
            if (!spectrum.available && !spectrumNoted) {
                err << "gradflow: no Jacobian spectrum: " << spectrum.unavailableReason << "\n";
                spectrumNoted = true;
            }
            outputs.spectrum.append(k, spectrum);
        }
        // The run's own trainer has not diverged here (the loop ends when it does), so it steps.
        const std::vector<const core::StepStats*>& stepped = lockstep.step();
        const core::StepStats& stats = *stepped[0];
        last = &stats;
        if (stepped.size() > 1 && stepped[1] && hooks.afterComparisonStep) hooks.afterComparisonStep(*stepped[1]);
        if (outputs.metrics.isOpen()) outputs.metrics.append(stats);
        if (outputs.log.isOpen()) outputs.log.append(stats);
        if (hooks.afterStep) {
            if (std::string e = hooks.afterStep(trainer, stats); !e.empty()) {
                err << "gradflow: " << e << "\n";
                return kExitBadInput;
            }
        }
        if (std::string e = reachedFigureStep(); !e.empty()) {
            err << "gradflow: " << e << "\n";
            return kExitBadInput;
        }
        if (stats.diverged || trainer.divergence().diverged) {
            // A diverging demo is a valid result: say so, keep what was written, exit 0.
            err << divergenceText(trainer, stats) << "\n";
            break;
        }
    }
    if (last != nullptr && !last->diverged) {
        out << "trained " << trainer.stepsDone() << " steps: loss " << number(last->loss);
        if (!std::isnan(last->accuracy)) out << ", batch accuracy " << number(last->accuracy);
        out << "\n";
    }
    return kExitOk;
}

}  // namespace

bool loadExperiment(const CommandLineOptions& options, core::ExperimentConfig& config, std::string& error) {
    core::ExperimentLoadResult loaded;
    std::string source;
    if (!options.presetName.empty()) {
        const core::Preset* preset = core::findPreset(options.presetName);
        if (preset == nullptr) {
            error = "unknown preset '" + options.presetName + "' (gradflow --list-presets shows them)";
            return false;
        }
        loaded = core::parseExperiment(preset->json);
        source = "preset '" + options.presetName + "'";
    } else {
        loaded = core::loadExperimentFile(options.configPath);
        source = "'" + options.configPath + "'";
    }
    if (!loaded.ok()) {
        error = "bad experiment " + source + ": " + joinIssues(loaded.errors);
        return false;
    }
    config = loaded.config;
    if (options.seed) config.seed = *options.seed;
    return true;
}

int runHeadless(const CommandLineOptions& options, std::ostream& out, std::ostream& err, const HeadlessHooks& hooks) {
    core::ExperimentConfig config;
    std::string error;
    if (!loadExperiment(options, config, error)) {
        err << "gradflow: " << error << "\n";
        return kExitBadInput;
    }
    // A prediction the theory cannot make fails before any file is opened, so no
    // header-only file passes for one.
    if (!options.theoryPath.empty()) {
        if (const std::string reason = core::profileUnavailableReason(config); !reason.empty()) {
            err << "gradflow: --theory: no mean-field prediction for " << reason
                << " (it covers feed-forward stacks without normalisation, with or without skips, and vanilla"
                   " recurrent nets); nothing written\n";
            return kExitBadInput;
        }
    }
    Outputs outputs;
    if (error = outputs.open(options); !error.empty()) {
        err << "gradflow: " << error << "\n";
        return kExitBadInput;
    }
    if (hooks.beforeRun) {
        if (error = hooks.beforeRun(config); !error.empty()) {
            err << "gradflow: " << error << "\n";
            return kExitBadInput;
        }
    }
    const std::int64_t steps =
        options.steps ? *options.steps : (config.lesson.suggestedSteps > 0 ? config.lesson.suggestedSteps : kDefaultSteps);
    if (options.exportAtStep && *options.exportAtStep > steps) {
        err << "gradflow: --at " << *options.exportAtStep << " is after the run's last step (" << steps << " steps, "
            << (config.lesson.suggestedSteps > 0 ? "the lesson's suggested length" : "the default") << "; raise it with --steps)\n";
        return kExitBadInput;
    }

    std::unique_ptr<core::Trainer> trainer;
    try {
        trainer = core::Trainer::create(config);
    } catch (const core::DataFileError& e) {
        // Missing or damaged data files: the message names the file (and package or byte offset).
        err << "gradflow: " << e.what() << "\n";
        return kExitBadInput;
    } catch (const std::exception& e) {
        // The config validated, so this is a model the engine cannot build yet.
        err << "gradflow: cannot build this experiment: " << e.what() << "\n";
        return kExitBadInput;
    }
    if (options.theory) printTheory(config, out);
    if (outputs.theory.isOpen()) {
        // At initialisation, from the training set's own second moment, as the overlay.
        outputs.theory.append(core::predictGradientProfiles(config, core::meanSquare(trainer->dataset().inputs)));
    }
    int code = train(options, *trainer, steps, outputs, hooks, out, err);
    if (code == kExitOk && hooks.afterRun) {
        if (error = hooks.afterRun(*trainer); !error.empty()) {
            err << "gradflow: " << error << "\n";
            code = kExitBadInput;
        }
    }
    if (error = outputs.finish(); !error.empty()) {
        err << "gradflow: " << error << "\n";
        return kExitBadInput;
    }
    return code;
}

int listPresets(std::ostream& out, std::ostream& err) {
    std::size_t width = 0;
    for (const core::Preset& preset : core::presets()) width = std::max(width, preset.name.size());
    int code = kExitOk;
    for (const core::Preset& preset : core::presets()) {
        const core::ExperimentLoadResult loaded = core::parseExperiment(preset.json);
        out << preset.name << std::string(width + 2 - preset.name.size(), ' ') << loaded.config.lesson.title << "\n";
        if (!loaded.ok()) {
            err << "gradflow: preset " << preset.name << " is invalid: " << joinIssues(loaded.errors) << "\n";
            code = kExitFailure;
        }
    }
    return code;
}

}  // namespace gradflow::app
