#include "core/analysis/gradient_diagnosis.h"

#include <cmath>
#include <cstdio>

namespace gradflow::core {

namespace {

/// The hidden layers of a feed-forward net (its last depth unit is the readout, whose
/// "activation gradient" is dL/dlogits, not a hidden state's), or every time step.
int judgedUnits(const ExperimentConfig& config, const StepStats& stats) {
    const int units = static_cast<int>(stats.layers.size());
    return config.model == ModelKind::FeedForward ? units - 1 : units;
}

/// Whether a flat derivative means "saturated" for this activation: its slope dies in
/// both tails. Half of a ReLU layer's (unit, sample) pairs are off by design; that is not
/// saturation, and the dead-unit count speaks for ReLUs that never come back.
bool saturates(ActivationKind kind) {
    return kind == ActivationKind::Sigmoid || kind == ActivationKind::Tanh || kind == ActivationKind::Softsign;
}

bool unitSaturates(const ExperimentConfig& config, int unit) {
    if (config.model == ModelKind::FeedForward) return saturates(config.layers[static_cast<std::size_t>(unit)].activation.kind);
    // Gated cells saturate through their tanh and sigmoid gates.
    return config.recurrent.cell != CellKind::Vanilla || saturates(config.recurrent.activation.kind);
}

/// 10^k for the nearest integer k, or a plain number when it reads better (0.2 .. 50).
std::string magnitude(double value) {
    char text[32];
    if (value >= 0.2 && value < 50) {
        std::snprintf(text, sizeof text, "%.2g", value);
    } else {
        std::snprintf(text, sizeof text, "10^%d", static_cast<int>(std::lround(std::log10(value))));
    }
    return text;
}

std::string fixed(double value, const char* format) {
    char text[32];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

}  // namespace

GradientDiagnosis diagnoseGradients(const ExperimentConfig& config, const std::optional<StepStats>& latest,
                                    const DivergenceInfo& divergence, const MeanFieldPrediction& theory) {
    GradientDiagnosis d;
    d.unitName = config.model == ModelKind::FeedForward ? "layer" : "time step";
    if (theory.available && std::isfinite(theory.chi1)) d.chi1 = theory.chi1;
    if (divergence.diverged) {
        d.kind = DiagnosisKind::Diverged;
        d.divergence = divergence.message;
        return d;
    }
    if (!latest) return d;
    const StepStats& stats = *latest;
    d.units = judgedUnits(config, stats);
    if (d.units < 2) {
        d.kind = DiagnosisKind::Shallow;
        return d;
    }

    double deadUnits = 0, hiddenUnits = 0;
    for (int i = 0; i < d.units; ++i) {
        const LayerStats& s = stats.layers[static_cast<std::size_t>(i)];
        if (s.saturation >= kSaturatedLayerFraction && unitSaturates(config, i)) ++d.saturatedUnits;
        if (config.model == ModelKind::FeedForward && std::isfinite(s.deadFraction)) {
            const double width = config.layers[static_cast<std::size_t>(i)].width;
            deadUnits += s.deadFraction * width;
            hiddenUnits += width;
        }
    }
    if (hiddenUnits > 0) d.deadFraction = deadUnits / hiddenUnits;

    const double first = stats.layers.front().activationGradNorm;
    const double last = stats.layers[static_cast<std::size_t>(d.units - 1)].activationGradNorm;
    // A zero last-layer gradient (every unit dead) has no ratio; the dead test below still speaks.
    if (std::isfinite(first) && std::isfinite(last) && last > 0) {
        d.spread = first / last;
        d.perUnitFactor = std::pow(d.spread, 1.0 / (d.units - 1));
    }

    if (std::isfinite(d.deadFraction) && d.deadFraction >= kDeadUnitFraction) {
        d.kind = DiagnosisKind::Dead;
    } else if (!std::isfinite(d.spread) || d.spread < 1.0 / kHealthySpread) {
        d.kind = DiagnosisKind::Vanishing;
    } else if (d.spread > kHealthySpread) {
        d.kind = DiagnosisKind::Exploding;
    } else {
        d.kind = DiagnosisKind::Healthy;
    }
    return d;
}

std::string diagnosisTitle(DiagnosisKind kind) {
    switch (kind) {
        case DiagnosisKind::NoData: return "No gradients yet";
        case DiagnosisKind::Shallow: return "Too shallow to judge";
        case DiagnosisKind::Diverged: return "Diverged";
        case DiagnosisKind::Dead: return "Dead";
        case DiagnosisKind::Vanishing: return "Vanishing";
        case DiagnosisKind::Exploding: return "Exploding";
        case DiagnosisKind::Healthy: return "Healthy";
    }
    return "";
}

std::string describeDiagnosis(const GradientDiagnosis& d, DiagnosisDetail detail) {
    const std::string title = diagnosisTitle(d.kind) + ": ";
    const std::string last = d.unitName + " " + std::to_string(d.units);
    const std::string inward = d.unitName == "layer" ? " towards the input" : " back in time";
    std::string text;
    switch (d.kind) {
        case DiagnosisKind::NoData: return title + "train a step to see a verdict";
        case DiagnosisKind::Shallow: return title + "a gradient can only vanish or explode across two or more " + d.unitName + "s";
        case DiagnosisKind::Diverged:
            // The run's own wording already starts "diverged at step N".
            text = d.divergence;
            if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
            return text;
        case DiagnosisKind::Dead:
            // chi_1 would mislead here: the mean-field line leaves out the bias mean that
            // usually kills them.
            return title + fixed(100 * d.deadFraction, "%.0f") + "% of the ReLUs never fire on this batch";
        case DiagnosisKind::Vanishing:
            if (!std::isfinite(d.spread)) return title + d.unitName + " 1 receives no gradient at all";
            text = title + d.unitName + " 1 receives " + magnitude(d.spread) + " of " + last + "'s dL/dh";
            if (detail == DiagnosisDetail::Headline) return text;
            text += " (x" + fixed(d.perUnitFactor, "%.2g") + " per " + d.unitName + inward + ")";
            break;
        case DiagnosisKind::Exploding:
            text = title + "dL/dh grows " + fixed(d.perUnitFactor, "%.2g") + "x per " + d.unitName + inward;
            if (detail == DiagnosisDetail::Headline) return text;
            text += " (" + d.unitName + " 1 receives " + magnitude(d.spread) + " times " + last + "'s)";
            break;
        case DiagnosisKind::Healthy: {
            const double within = d.spread >= 1 ? d.spread : 1.0 / d.spread;
            text = title + "dL/dh within " + fixed(within, "%.2g") + "x across " + std::to_string(d.units) + " " + d.unitName + "s";
            break;
        }
    }
    if (detail != DiagnosisDetail::Full) return text;
    if (d.chi1) text += "; chi_1 = " + fixed(*d.chi1, "%.3g");
    if (d.saturatedUnits > 0) {
        text += "; " + std::to_string(d.saturatedUnits) + " of " + std::to_string(d.units) + " " + d.unitName + "s saturated";
    }
    return text;
}

}  // namespace gradflow::core
