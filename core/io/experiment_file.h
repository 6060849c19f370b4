#pragma once
// The experiment file: versioned, human-writable JSON (see README "Experiment files").
// Parsing never throws and never trusts its input: sizes, nesting and numbers are
// bounded, and every problem names the field.

#include <string>
#include <string_view>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/config/experiment_validation.h"

namespace gradflow::core {

struct ExperimentLoadResult {
    ExperimentConfig config;
    std::vector<ConfigIssue> errors;  ///< empty = config is valid and usable
    bool ok() const { return errors.empty(); }
    /// All errors, one per line.
    std::string errorText() const;
};

/// Largest experiment file accepted, in bytes.
inline constexpr std::size_t kMaxExperimentFileBytes = 1 << 20;

/// Parses and validates (validateExperiment is applied too).
ExperimentLoadResult parseExperiment(std::string_view json);
ExperimentLoadResult loadExperimentFile(const std::string& path);

/// Serialises with "repeat" groups for runs of identical layers; parseExperiment of the
/// result gives back an equal config.
std::string serializeExperiment(const ExperimentConfig& config);
/// The same fields on one line (no newline at all), for a chat message or a forum post.
std::string serializeExperimentOneLine(const ExperimentConfig& config);

/// Writes to a temporary file beside `path`, then renames, so a crash mid-save never
/// destroys the previous file. Returns an empty string or the error message.
std::string saveExperimentFile(const std::string& path, const ExperimentConfig& config);

}  // namespace gradflow::core
