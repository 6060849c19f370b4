#pragma once
// "Compare with one change": the edits a comparison offers for a configuration. Each
// changes one idea (batch norm on, He initialisation, clipping on, ...) and leaves the
// rest — data, seed, batch order — alone, so whatever differs between the two runs is
// that change's doing. The GUI lists them in one menu; the command line applies one by id.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/experiment_config.h"

namespace gradflow::core {

struct ConfigChange {
    std::string id;           ///< stable, for scripts: "batch-norm-on", "init-he", ...
    std::string label;        ///< the changed side: "with batch norm"
    std::string baseLabel;    ///< the unchanged side, for this config: "without batch norm"
    std::string description;  ///< one sentence: what the comparison shows
};

/// The changes that apply to `config`: each yields a valid configuration different from
/// it. Order is a teaching order (remedies first).
std::vector<ConfigChange> changesFor(const ExperimentConfig& config);
/// The comparison one click offers: the experiment without a remedy it has (without
/// dropout, without clipping, unscaled residual branches, ...), since that remedy is what
/// a lesson built on it is about; else the first change. Empty when none applies.
std::optional<ConfigChange> oneClickChange(const ExperimentConfig& config);

/// `config` with the change `id` made, or nothing if `id` is unknown or does not apply
/// to it (then `changesFor(config)` does not list it either).
std::optional<ExperimentConfig> applyChange(const ExperimentConfig& config, std::string_view id);

/// The change `id` as it reads for `config`, if it applies.
std::optional<ConfigChange> describeChange(const ExperimentConfig& config, std::string_view id);

/// Every id any configuration can offer (for --help and error messages).
std::vector<std::string> allChangeIds();

}  // namespace gradflow::core
