#include "core/io/preset_library.h"

namespace gradflow::core {

std::span<const Preset> presets() { return detail::embeddedPresets(); }

const Preset* findPreset(std::string_view name) {
    for (const Preset& preset : presets()) {
        if (preset.name == name) return &preset;
    }
    return nullptr;
}

}  // namespace gradflow::core
