// libFuzzer target: arbitrary bytes into the experiment-file reader. parseExperiment must
// never crash, hang or trip a sanitizer, and whatever it accepts must survive a round
// trip (serialise, parse again, same config), since saving and reopening an experiment
// is exactly that. Built only with -DGRADFLOW_FUZZ=ON and clang; see tests/fuzz/README.md.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/config/experiment_validation.h"
#include "core/io/experiment_file.h"

using namespace gradflow::core;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const ExperimentLoadResult loaded = parseExperiment(text);
    if (!loaded.ok()) {
        // Every refusal must say what is wrong, or the user is left guessing.
        if (loaded.errorText().empty()) std::abort();
        return 0;
    }
    // parseExperiment validates; a config it accepts must validate on its own too.
    if (!validateExperiment(loaded.config).empty()) std::abort();
    const ExperimentLoadResult reloaded = parseExperiment(serializeExperiment(loaded.config));
    if (!reloaded.ok() || !(reloaded.config == loaded.config)) {
        std::fprintf(stderr, "round trip changed the config:\n%s\n", reloaded.errorText().c_str());
        std::abort();
    }
    return 0;
}
