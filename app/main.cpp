// gradflow: a thin dispatcher. Parsing, headless runs and the GUI live elsewhere.

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/command_line.h"
#include "app/headless_run.h"

#ifdef GRADFLOW_HAVE_UI
#include "app/gui_main.h"
#endif

namespace {

int dispatch(int argc, char** argv) {
    using namespace gradflow::app;
    const CommandLineParse parsed = parseCommandLine(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed.ok()) {
        std::cerr << "gradflow: " << parsed.error << " (see gradflow --help)\n";
        return kExitBadInput;
    }
    const CommandLineOptions& options = parsed.options;
    if (options.help) {
        std::cout << usageText();
        return kExitOk;
    }
    if (options.version) {
        std::cout << "gradflow " << GRADFLOW_VERSION << "\n";
        return kExitOk;
    }
    if (options.listPresets) return listPresets(std::cout, std::cerr);
#ifdef GRADFLOW_HAVE_UI
    if (!options.headless || options.wantsFigureExport()) return runGui(argc, argv, options);
#else
    if (!options.headless || options.wantsFigureExport()) {
        std::cerr << "gradflow: this build has no GUI (built with GRADFLOW_BUILD_UI=OFF); use --headless without "
                     "--export/--frames\n";
        return kExitBadInput;
    }
#endif
    return runHeadless(options, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return dispatch(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "gradflow: internal error: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "gradflow: internal error\n";
    }
    return gradflow::app::kExitFailure;
}
