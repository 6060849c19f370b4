#pragma once
// A plain-language verdict on the newest step's gradients, for a reader who does not yet
// know what to look for: vanishing, exploding, dead, diverged or healthy, with the numbers
// that decide it. The thresholds below are the documented ones (README, "The diagnosis
// line"); a test pins each verdict on a preset.

#include <optional>
#include <string>

#include "core/analysis/mean_field.h"
#include "core/config/experiment_config.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

enum class DiagnosisKind { NoData, Shallow, Diverged, Dead, Vanishing, Exploding, Healthy };

/// Gradients count as healthy while the first depth unit receives between 1/10 and 10
/// times the last one's ||dL/dh||: one decade across the whole depth, however deep.
inline constexpr double kHealthySpread = 10.0;
/// The net is called dead when at least this fraction of its hidden units output exactly
/// zero slope for every sample of the batch (a ReLU that never fires passes no gradient).
inline constexpr double kDeadUnitFraction = 0.5;
/// A layer of a saturating activation (sigmoid, tanh, softsign; gated cells) counts as
/// saturated when at least this fraction of its (unit, sample) pairs has phi' below 5% of
/// its maximum (LayerStats::saturation). A ReLU's off half is not saturation.
inline constexpr double kSaturatedLayerFraction = 0.5;

struct GradientDiagnosis {
    DiagnosisKind kind = DiagnosisKind::NoData;
    int units = 0;                      ///< depth units judged: hidden layers or time steps
    double spread = kNotApplicable;     ///< ||dL/dh_1|| / ||dL/dh_L||
    double perUnitFactor = kNotApplicable;  ///< spread^(1/(L-1)): the geometric-mean change per unit, output to input
    int saturatedUnits = 0;             ///< units at or above kSaturatedLayerFraction
    double deadFraction = kNotApplicable;  ///< of all hidden units; NaN where not measured (recurrent)
    std::optional<double> chi1;         ///< mean-field chi_1, where the theory applies to the config
    std::string divergence;             ///< the run's own "diverged at step N in layer k: ..." text
    std::string unitName = "layer";
};

/// The verdict for the newest statistics. `latest` empty gives NoData. Precedence:
/// diverged, then dead, then vanishing / exploding, then healthy.
GradientDiagnosis diagnoseGradients(const ExperimentConfig& config, const std::optional<StepStats>& latest,
                                    const DivergenceInfo& divergence, const MeanFieldPrediction& theory);

/// How much of the line a view has room for.
enum class DiagnosisDetail {
    Full,      ///< the verdict with its numbers, then chi_1 and the saturated layers
    Verdict,   ///< the verdict with its numbers
    Headline,  ///< the verdict and its one deciding number (half a comparison at 1366 px)
};

/// One line, e.g. "Vanishing: layer 1 receives 10^-7 of layer 20's dL/dh (x0.45 per
/// layer towards the input); chi_1 = 0.06; 14 of 20 layers saturated". It names dL/dh,
/// the backpropagated gradient, because bars of dL/dW can look flat while it grows (a
/// batch-norm net). Powers of ten are written 10^k, so a view can set them as superscripts.
std::string describeDiagnosis(const GradientDiagnosis& diagnosis, DiagnosisDetail detail = DiagnosisDetail::Full);

/// The verdict's first word, "Vanishing", "Healthy", ...
std::string diagnosisTitle(DiagnosisKind kind);

}  // namespace gradflow::core
