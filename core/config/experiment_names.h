#pragma once
// The words the experiment file uses for each enum of a configuration that has no registry
// of its own in core/model or core/data (activations, initialisers and data sets do), shared
// by the file's reader and writer, the command line and the GUI.

#include <string_view>

#include "core/config/experiment_config.h"
#include "core/config/name_registry.h"
#include "core/config/optimizer_names.h"

namespace gradflow::core {

inline constexpr EnumName<Precision> kPrecisionNames[] = {{Precision::Float64, "float64"}, {Precision::Float32, "float32"}};
inline constexpr EnumName<ModelKind> kModelKindNames[] = {{ModelKind::FeedForward, "feedforward"},
                                                          {ModelKind::Recurrent, "recurrent"}};
inline constexpr EnumName<LossKind> kLossNames[] = {{LossKind::CrossEntropy, "cross_entropy"},
                                                    {LossKind::MeanSquaredError, "mse"}};
inline constexpr EnumName<ClipMode> kClipModeNames[] = {
    {ClipMode::Off, "off"}, {ClipMode::Norm, "norm"}, {ClipMode::Value, "value"}};
inline constexpr EnumName<UnitStatisticKind> kUnitStatisticNames[] = {
    {UnitStatisticKind::WeightGradient, "weight_gradient"},
    {UnitStatisticKind::ActivationGradient, "activation_gradient"},
    {UnitStatisticKind::UpdateRatio, "update_ratio"},
    {UnitStatisticKind::Saturation, "saturation"}};

/// Residual branch scaling (model.residual.branch_scale); the formula is the block's output.
inline constexpr RuleName<BranchScaleKind> kBranchScaleRegistry[] = {
    {BranchScaleKind::None, "none", "unscaled", "h + F(h)"},
    {BranchScaleKind::ReZero, "rezero", "ReZero",
     "h + \u03b1\u00b7F(h), one learnable \u03b1 per block starting at 0: every block starts as the identity "
     "(Bachlechner et al. 2020, ReZero; De & Smith 2020, SkipInit)"},
    {BranchScaleKind::InverseSqrtBlocks, "inverse_sqrt_blocks", "1/\u221aB",
     "h + F(h)/\u221aB, B the number of residual blocks: the blocks' variances add up to a bounded total at any depth "
     "(as in Fixup's and SkipInit's analyses)"}};

/// Recurrent cells: file name and the words descriptions use.
struct CellInfo {
    CellKind kind;
    std::string_view name;   ///< file name, e.g. "lstm"
    std::string_view label;  ///< e.g. "LSTM", as in "an LSTM cell"
};

inline constexpr CellInfo kCellNames[] = {
    {CellKind::Vanilla, "vanilla", "vanilla RNN"}, {CellKind::Lstm, "lstm", "LSTM"}, {CellKind::Gru, "gru", "GRU"}};

}  // namespace gradflow::core
