#pragma once
// The words the experiment file uses for each enum, shared by its reader and writer (and
// available to front ends that show the same words). Registries in activation.h,
// initializer.h and dataset.h name their own kinds; these are the remaining enums.

#include <span>
#include <string>
#include <string_view>

#include "core/config/experiment_config.h"

namespace gradflow::core {

template <typename Enum>
struct EnumName {
    Enum value;
    std::string_view name;
};

inline constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::Float64, "float64"}, {Precision::Float32, "float32"}};
inline constexpr EnumName<ModelKind> kModelKindNames[] = {{ModelKind::FeedForward, "feedforward"},
                                                          {ModelKind::Recurrent, "recurrent"}};
inline constexpr EnumName<LossKind> kLossNames[] = {{LossKind::CrossEntropy, "cross_entropy"},
                                                    {LossKind::MeanSquaredError, "mse"}};
inline constexpr EnumName<OptimizerKind> kOptimizerNames[] = {{OptimizerKind::Sgd, "sgd"},
                                                              {OptimizerKind::Momentum, "momentum"},
                                                              {OptimizerKind::RmsProp, "rmsprop"},
                                                              {OptimizerKind::Adam, "adam"}};
inline constexpr EnumName<ClipMode> kClipModeNames[] = {{ClipMode::Off, "off"}, {ClipMode::Norm, "norm"}, {ClipMode::Value, "value"}};
inline constexpr EnumName<UnitStatisticKind> kUnitStatisticNames[] = {
    {UnitStatisticKind::WeightGradient, "weight_gradient"},
    {UnitStatisticKind::ActivationGradient, "activation_gradient"},
    {UnitStatisticKind::UpdateRatio, "update_ratio"},
    {UnitStatisticKind::Saturation, "saturation"}};
inline constexpr EnumName<CellKind> kCellNames[] = {{CellKind::Vanilla, "vanilla"}, {CellKind::Lstm, "lstm"}, {CellKind::Gru, "gru"}};

template <typename Enum>
std::string_view enumName(std::span<const EnumName<Enum>> names, Enum value) {
    for (const auto& entry : names) {
        if (entry.value == value) return entry.name;
    }
    return "?";
}

template <typename Enum>
bool enumFromName(std::span<const EnumName<Enum>> names, std::string_view name, Enum& out) {
    for (const auto& entry : names) {
        if (entry.name == name) {
            out = entry.value;
            return true;
        }
    }
    return false;
}

/// "a, b or c", for "allowed values" messages.
template <typename Enum>
std::string enumNameList(std::span<const EnumName<Enum>> names) {
    std::string list;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) list += i + 1 == names.size() ? " or " : ", ";
        list += names[i].name;
    }
    return list;
}

}  // namespace gradflow::core
