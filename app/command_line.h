#pragma once
// The gradflow command line as a plain options struct. Parsing never exits or throws:
// it returns the options or a one-line error, and main() turns that into exit code 2.
// To add an option: a field here and a row in command_line.cpp's option table, whose help
// text --help and the man page (app/man_page.cpp) both print.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gradflow::app {

struct CommandLineOptions {
    bool help = false;
    bool version = false;
    bool listPresets = false;
    bool headless = false;

    // The experiment: one of these (a positional argument counts as --config).
    std::string configPath;  ///< --config FILE
    std::string presetName;  ///< --preset NAME

    // Headless run.
    std::optional<std::int64_t> steps;  ///< --steps N (default: the lesson's suggested steps, else 200)
    std::optional<std::uint64_t> seed;  ///< --seed S, overrides the file's
    std::string metricsPath;            ///< --metrics FILE.csv
    std::string logPath;                ///< --log FILE.csv
    std::string spectrumPath;           ///< --spectrum FILE.csv
    int spectrumEvery = 10;             ///< --spectrum-every K
    std::string histogramsPath;         ///< --histograms FILE.csv
    int histogramsEvery = 10;           ///< --histograms-every K
    bool theory = false;                ///< --theory [FILE.csv]: print q*, chi_1, depth scale
    std::string theoryPath;             ///< its FILE.csv: the per-layer profile and band

    // Figure export (carried out by the GUI build; parsed and range-checked here).
    std::string exportPath;  ///< --export FILE (.png, .svg or .pdf)
    int exportWidth = 0;     ///< --size WxH; 0 = the view's default size
    int exportHeight = 0;
    double exportScale = 1.0;  ///< --scale S, 1..4
    bool diagnosis = false;    ///< --diagnosis: the gradient view's verdict line in the figure
    std::string viewName;      ///< --view NAME; empty = whole dashboard
    std::string framesDir;     ///< --frames DIR
    int framesEvery = 10;      ///< --every K
    /// --at STEP: --export renders the run as it stood after STEP updates (the run goes on
    /// to --steps for its CSVs and frames); the figure equals that of a run of STEP steps.
    std::optional<std::int64_t> exportAtStep;

    /// --compare CHANGE: side B is the experiment with this one change (core/config_change
    /// ids, e.g. batch-norm-on); the GUI opens comparing, figures show both sides.
    std::string compareChange;

    bool wantsFigureExport() const { return !exportPath.empty() || !framesDir.empty(); }
    bool hasExperiment() const { return !configPath.empty() || !presetName.empty(); }
};

struct CommandLineParse {
    CommandLineOptions options;
    std::string error;  ///< one line, empty when parsing succeeded
    bool ok() const { return error.empty(); }
};

/// Where an option is listed in --help and the man page, in this order.
enum class OptionSection { Experiment, Headless, Figures, Information };
inline constexpr std::array kOptionSections{OptionSection::Experiment, OptionSection::Headless, OptionSection::Figures,
                                            OptionSection::Information};
std::string_view sectionTitle(OptionSection section);

/// One row of the parser's option table as documentation sees it.
struct OptionHelp {
    std::string_view name;       ///< without the leading "--"
    std::string_view valueName;  ///< empty for flags; in [brackets] when the value may be left out
    OptionSection section;
    std::string_view text;  ///< '\n' separates lines
};
std::vector<OptionHelp> optionHelp();

/// The ways to call gradflow, for the usage lines and the man page's synopsis.
struct SynopsisLine {
    std::string_view arguments;
    std::string_view purpose;  ///< may be empty
};
inline constexpr std::array kSynopsis{
    SynopsisLine{"[FILE.json | --config FILE | --preset NAME]", "open the desktop app"},
    SynopsisLine{"--headless (--config FILE | --preset NAME) [options]", "train without a window"},
    SynopsisLine{"--list-presets | --help | --version", ""},
};
inline constexpr std::string_view kExitStatusText =
    "Exit status: 0 when the run completed or diverged (a diverging demo is a result),\n"
    "2 for bad arguments, a bad experiment file or an unwritable output.";

/// `arguments` excludes the program name.
CommandLineParse parseCommandLine(const std::vector<std::string>& arguments);

/// The --help text.
std::string usageText();

/// Bounds shared with the tests.
inline constexpr std::int64_t kMaxSteps = 1'000'000'000;
inline constexpr int kMaxExportPixels = 16384;

}  // namespace gradflow::app
