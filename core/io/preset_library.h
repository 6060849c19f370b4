#pragma once
// Lesson presets: the experiment files in resources/presets/, embedded into the library
// at build time (core/embed_presets.cmake), so every front end has them without Qt
// resources or an installed data directory.

#include <span>
#include <string_view>

namespace gradflow::core {

struct Preset {
    std::string_view name;  ///< file stem, e.g. "deep-sigmoid-vanishing"
    std::string_view json;  ///< the experiment file's text; parse with parseExperiment()
};

/// Every embedded preset, sorted by name.
std::span<const Preset> presets();
/// The preset of that name, or nullptr.
const Preset* findPreset(std::string_view name);

/// The preset the README demo and a first launch open.
inline constexpr std::string_view kDefaultPresetName = "deep-sigmoid-vanishing";

namespace detail {
std::span<const Preset> embeddedPresets();  ///< defined in the generated preset_data.cpp
}

}  // namespace gradflow::core
