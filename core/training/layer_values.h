#pragma once
// A read-only look at the values one training step computed, depth unit by depth unit:
// pre-activations, activations, weights, weight gradients and activation gradients. The
// trainer hands it to a StepInspector in the middle of step(), after backpropagation and
// before clipping and the update, so every quantity describes the same weights (the ones
// the step's gradients were computed with) and the weight gradients are those the
// --metrics norms describe. Nothing is recomputed: the view reads the nets' own caches.

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/config/activation_spec.h"

namespace gradflow::core {

enum class LayerQuantity { Preactivation, Activation, Weight, WeightGrad, ActivationGrad };

inline constexpr std::array<LayerQuantity, 5> kLayerQuantities = {LayerQuantity::Preactivation, LayerQuantity::Activation,
                                                                  LayerQuantity::Weight, LayerQuantity::WeightGrad,
                                                                  LayerQuantity::ActivationGrad};

/// The name in CSV files and on the command line.
constexpr std::string_view layerQuantityName(LayerQuantity q) {
    switch (q) {
    case LayerQuantity::Preactivation: return "preactivation";
    case LayerQuantity::Activation: return "activation";
    case LayerQuantity::Weight: return "weight";
    case LayerQuantity::WeightGrad: return "weight_grad";
    case LayerQuantity::ActivationGrad: return "activation_grad";
    }
    return "";
}

/// Gradients span hundreds of decades and their sign says little about vanishing or
/// exploding, so they are looked at by magnitude on a log scale; values by value.
constexpr bool isGradientQuantity(LayerQuantity q) {
    return q == LayerQuantity::WeightGrad || q == LayerQuantity::ActivationGrad;
}

class LayerValues {
public:
    virtual ~LayerValues() = default;
    /// 1-based depth units run 1..depthUnits(), as in StepStats.
    virtual int depthUnits() const = 0;
    /// Empty when `unit` has this quantity; otherwise why it has none (a recurrent net's
    /// weights are one matrix shared by every time step, an output layer has no
    /// activation function), so a front end can say so instead of drawing nothing.
    virtual std::string_view missingReason(LayerQuantity q, int unit) const = 0;
    /// The values, widened to double, into `out` (resized). Empty when missing.
    virtual void copy(LayerQuantity q, int unit, std::vector<double>& out) const = 0;
    /// The function from the unit's pre-activations to its activations, or null where
    /// there is none (an output layer) or not one (a gated cell's state).
    virtual const ActivationSpec* activation(int unit) const = 0;
    /// The unit's activations have a residual skip added, so they are not phi of its
    /// pre-activations alone.
    virtual bool addsSkip(int unit) const = 0;
};

/// Called by Trainer::step() with the 0-based step index (as StepStats::step) and the view,
/// which is valid only during the call.
using StepInspector = std::function<void(std::int64_t step, const LayerValues& values)>;

}  // namespace gradflow::core
