#include "command_line.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <set>
#include <string_view>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include "core/config/config_change.h"

namespace gradflow::app {
namespace {

using Setter = std::function<std::string(CommandLineOptions&, const std::string&)>;

struct OptionSpec {
    std::string_view name;       ///< without the leading "--"
    std::string_view valueName;  ///< empty for flags; "[VALUE]" for a value that may be left out
    OptionSection section;
    std::string_view help;  ///< what --help and the man page say; '\n' starts a new line
    Setter set;             ///< returns an error message or ""
};

template <typename Int>
std::string parseInteger(const std::string& text, Int lo, Int hi, Int& out) {
    Int value{};
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc() && ptr == end && !text.empty() && value >= lo && value <= hi) {
        out = value;
        return {};
    }
    return "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]; got '" + text + "'";
}

std::string parseReal(const std::string& text, double lo, double hi, double& out) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec == std::errc() && ptr == end && !text.empty() && std::isfinite(value) && value >= lo && value <= hi) {
        out = value;
        return {};
    }
    char range[64];
    std::snprintf(range, sizeof range, "[%g, %g]", lo, hi);
    return std::string("must be a number in ") + range + "; got '" + text + "'";
}

std::string parseSize(const std::string& text, CommandLineOptions& o) {
    const std::size_t x = text.find_first_of("xX");
    const std::string bad =
        "must be WIDTHxHEIGHT in pixels, each in [16, " + std::to_string(kMaxExportPixels) + "]; got '" + text + "'";
    if (x == std::string::npos) return bad;
    int w = 0, h = 0;
    if (!parseInteger(text.substr(0, x), 16, kMaxExportPixels, w).empty() ||
        !parseInteger(text.substr(x + 1), 16, kMaxExportPixels, h).empty())
        return bad;
    o.exportWidth = w;
    o.exportHeight = h;
    return {};
}

std::string nonEmpty(const std::string& value, std::string& out) {
    if (value.empty()) return "needs a non-empty value";
    out = value;
    return {};
}

/// A number of updates, 0..kMaxSteps, into its member.
template <std::optional<std::int64_t> CommandLineOptions::*member>
std::string stepCount(CommandLineOptions& o, const std::string& value) {
    std::int64_t n = 0;
    std::string error = parseInteger<std::int64_t>(value, 0, kMaxSteps, n);
    if (error.empty()) o.*member = n;
    return error;
}

/// A switch without a value: sets its member.
template <bool CommandLineOptions::*member>
std::string flag(CommandLineOptions& o, const std::string&) {
    o.*member = true;
    return {};
}

const std::vector<OptionSpec>& optionTable() {
    using O = CommandLineOptions;
    using S = const std::string&;
    using enum OptionSection;
    static const std::vector<OptionSpec> table = {
        {"config", "FILE", Experiment, "the experiment file to open or run (a FILE.json argument means the same)",
         [](O& o, S v) { return nonEmpty(v, o.configPath); }},
        {"preset", "NAME", Experiment, "a built-in lesson (see --list-presets)",
         [](O& o, S v) { return nonEmpty(v, o.presetName); }},
        {"headless", "", Headless, "train without a window and write the files asked for", flag<&O::headless>},
        {"steps", "N", Headless, "updates to perform (default: the lesson's suggested steps, else 200)", stepCount<&O::steps>},
        {"seed", "S", Headless, "override the experiment's seed",
         [](O& o, S v) {
             std::uint64_t s = 0;
             std::string e = parseInteger<std::uint64_t>(v, 0, UINT64_MAX, s);
             if (e.empty()) o.seed = s;
             return e;
         }},
        {"metrics", "FILE.csv", Headless,
         "per step and layer: step,layer,weight_grad_norm,bias_grad_norm,\n"
         "activation_grad_norm,weight_norm,update_ratio,saturation\n"
         "(layer 1..L hidden, L+1 output)",
         [](O& o, S v) { return nonEmpty(v, o.metricsPath); }},
        {"log", "FILE.csv", Headless,
         "per step: step,loss,accuracy,grad_norm,grad_norm_clipped,clipped,diverged,\n"
         "learning_rate,test_loss,test_accuracy (test columns every data.test_every steps)",
         [](O& o, S v) { return nonEmpty(v, o.logPath); }},
        {"spectrum", "FILE.csv", Headless,
         "end-to-end Jacobian singular values: step,input,index,singular_value\n(input = probe 0..7, index 0 = largest)",
         [](O& o, S v) { return nonEmpty(v, o.spectrumPath); }},
        {"spectrum-every", "K", Headless, "take the spectrum every K steps (default 10)",
         [](O& o, S v) { return parseInteger(v, 1, 1'000'000'000, o.spectrumEvery); }},
        {"histograms", "FILE.csv", Headless,
         "per layer, histograms of preactivation, activation, weight,\n"
         "weight_grad, activation_grad: step,layer,quantity,bin_lo,bin_hi,count\n"
         "(bins fixed for the run; gradients by magnitude on log10 bins)",
         [](O& o, S v) { return nonEmpty(v, o.histogramsPath); }},
        {"histograms-every", "K", Headless, "histograms every K steps and at the last (default 10)",
         [](O& o, S v) { return parseInteger(v, 1, 1'000'000'000, o.histogramsEvery); }},
        {"theory", "[FILE.csv]", Headless,
         "print the mean-field prediction (q*, chi_1, depth scale); with FILE.csv\n"
         "also the prediction per layer and statistic:\n"
         "layer,statistic,predicted,band_lo,band_hi (predicted and band relative to\n"
         "the last hidden layer, where predicted = 1)",
         [](O& o, S v) {
             o.theory = true;
             o.theoryPath = v;
             return std::string();
         }},
        {"export", "FILE", Figures, "the dashboard (or --view NAME) as .png, .svg or .pdf",
         [](O& o, S v) { return nonEmpty(v, o.exportPath); }},
        {"size", "WxH", Figures, "figure size in pixels", [](O& o, S v) { return parseSize(v, o); }},
        {"scale", "S", Figures, "pixel ratio 1..4", [](O& o, S v) { return parseReal(v, 1.0, 4.0, o.exportScale); }},
        {"diagnosis", "", Figures, "the verdict line over the gradient view (\"Vanishing: ...\")", flag<&O::diagnosis>},
        {"view", "NAME", Figures,
         "one view instead of the dashboard: gradients, heatmap, spectrum, loss,\ndecision, health, phase, distributions, network",
         [](O& o, S v) { return nonEmpty(v, o.viewName); }},
        {"frames", "DIR", Figures, "numbered PNG frames every --every K steps",
         [](O& o, S v) { return nonEmpty(v, o.framesDir); }},
        {"every", "K", Figures, "the step interval of --frames (default 10)",
         [](O& o, S v) { return parseInteger(v, 1, 1'000'000'000, o.framesEvery); }},
        {"at", "STEP", Figures,
         "--export draws the run as it stood after STEP updates (0 = as\n"
         "initialised); the run still trains all --steps for its other outputs",
         stepCount<&O::exportAtStep>},
        {"compare", "CHANGE", Figures,
         "side by side with one change, trained in lockstep (also opens\n"
         "the GUI comparing): batch-norm-on, relu-he, residual-on, clip-on,\n"
         "init-he, cell-lstm, ... (every id: see the error for an unknown one)",
         [](O& o, S v) {
             const auto ids = core::allChangeIds();
             if (std::find(ids.begin(), ids.end(), v) == ids.end()) {
                 std::string known;
                 for (const std::string& id : ids) known += (known.empty() ? "" : ", ") + id;
                 return "must be one of " + known + "; got '" + v + "'";
             }
             o.compareChange = v;
             return std::string();
         }},
        {"list-presets", "", Information, "list the built-in lessons, one per line", flag<&O::listPresets>},
        {"help", "", Information, "print this help", flag<&O::help>},
        {"version", "", Information, "print the version", flag<&O::version>},
    };
    return table;
}

const OptionSpec* findOption(std::string_view name) {
    for (const OptionSpec& spec : optionTable()) {
        if (spec.name == name) return &spec;
    }
    return nullptr;
}

bool valueIsOptional(const OptionSpec& spec) { return spec.valueName.size() > 2 && spec.valueName.front() == '['; }

/// An option whose value may be left out ("--theory" alone stays the switch it was) in the
/// one spelling QCommandLineParser reads, "--name=VALUE" or "--name=" for none. The next
/// argument is its value unless it is an option or an experiment file (FILE.json), so an
/// earlier "--theory experiment.json" still opens that experiment.
std::vector<std::string> joinOptionalValues(const std::vector<std::string>& arguments);

/// Combinations that make no sense, checked once every option is known.
std::string checkCombinations(const CommandLineOptions& o, const std::set<std::string_view>& given) {
    if (o.help || o.version || o.listPresets) return {};
    if (!o.configPath.empty() && !o.presetName.empty()) return "give either --config or --preset, not both";
    if (o.headless && !o.hasExperiment()) return "--headless needs --config FILE or --preset NAME";
    if (!o.headless) {
        for (std::string_view option :
             {"steps", "seed", "metrics", "log", "spectrum", "spectrum-every", "histograms", "histograms-every", "theory"}) {
            if (given.count(option) != 0) return "--" + std::string(option) + " is only used with --headless";
        }
    }
    if (given.count("spectrum-every") != 0 && o.spectrumPath.empty()) return "--spectrum-every needs --spectrum FILE.csv";
    if (given.count("histograms-every") != 0 && o.histogramsPath.empty()) return "--histograms-every needs --histograms FILE.csv";
    if (!o.wantsFigureExport()) {
        for (std::string_view option : {"size", "scale", "view", "diagnosis"}) {
            if (given.count(option) != 0) return "--" + std::string(option) + " needs --export FILE or --frames DIR";
        }
    }
    if (given.count("every") != 0 && o.framesDir.empty()) return "--every needs --frames DIR";
    if (o.exportAtStep && o.exportPath.empty()) return "--at needs --export FILE";
    if (o.exportAtStep && o.steps && *o.exportAtStep > *o.steps)
        return "--at " + std::to_string(*o.exportAtStep) + " is after the run's last step (--steps " + std::to_string(*o.steps) + ")";
    if (!o.compareChange.empty() && o.headless && !o.wantsFigureExport())
        return "--compare with --headless needs --export FILE or --frames DIR (the comparison is a figure)";
    if (!o.compareChange.empty() && !o.viewName.empty()) return "--compare exports the whole dashboard (both sides); drop --view";
    if (o.wantsFigureExport() && !o.hasExperiment()) return "figure export needs --config FILE or --preset NAME";
    return {};
}

/// What QCommandLineParser reads differently from this command line: it takes "-steps" for
/// "--steps", "--" for the end of the options, and the argument after an option as its
/// value even when that is another option. Checked in argument order before it parses,
/// up to the first unknown option (which the checks after parsing report, as before).
std::string checkSpelling(const std::vector<std::string>& arguments) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const bool longOption = argument.size() >= 3 && argument.compare(0, 2, "--") == 0;
        if (!longOption) {
            if (!argument.empty() && argument[0] == '-' && argument != "-")
                return "unknown option '" + argument + "' (options start with --)";
            continue;
        }
        const std::size_t equals = argument.find('=');
        const std::string_view name = std::string_view(argument).substr(2, equals == std::string::npos ? equals : equals - 2);
        const OptionSpec* spec = findOption(name);
        if (spec == nullptr) return {};
        if (equals != std::string::npos || spec->valueName.empty() || valueIsOptional(*spec)) continue;
        if (i + 1 == arguments.size() || arguments[i + 1].compare(0, 2, "--") == 0)
            return "--" + std::string(spec->name) + " needs a value (" + std::string(spec->valueName) + ")";
        ++i;  // its value, whatever it looks like
    }
    return {};
}

std::vector<std::string> joinOptionalValues(const std::vector<std::string>& arguments) {
    std::vector<std::string> joined;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        const OptionSpec* spec = argument.size() > 2 && argument.compare(0, 2, "--") == 0 ? findOption(argument.substr(2)) : nullptr;
        if (spec == nullptr || !valueIsOptional(*spec)) {
            joined.push_back(argument);
            // A required value is never an optional value's candidate.
            if (spec != nullptr && !spec->valueName.empty() && i + 1 < arguments.size()) joined.push_back(arguments[++i]);
            continue;
        }
        const bool nextIsValue = i + 1 < arguments.size() && !arguments[i + 1].empty() && arguments[i + 1][0] != '-' &&
                                 !(arguments[i + 1].size() >= 5 && arguments[i + 1].compare(arguments[i + 1].size() - 5, 5, ".json") == 0);
        joined.push_back(argument + "=" + (nextIsValue ? arguments[++i] : std::string()));
    }
    return joined;
}

QString toQString(std::string_view text) { return QString::fromUtf8(text.data(), qsizetype(text.size())); }

/// Whether the first positional argument comes before the first --config (they set the
/// same thing; the second one is the error). Values of options are not positional.
bool positionalBeforeConfig(const std::vector<std::string>& arguments) {
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string& argument = arguments[i];
        if (argument.size() < 3 || argument.compare(0, 2, "--") != 0) return true;
        const std::string name = argument.substr(2, argument.find('=') - 2);
        if (name == "config") return false;
        const OptionSpec* spec = findOption(name);
        if (spec != nullptr && !spec->valueName.empty() && argument.find('=') == std::string::npos) ++i;
    }
    return false;
}

}  // namespace

CommandLineParse parseCommandLine(const std::vector<std::string>& givenArguments) {
    const std::vector<std::string> arguments = joinOptionalValues(givenArguments);
    CommandLineParse result;
    CommandLineOptions& o = result.options;
    result.error = checkSpelling(arguments);
    if (!result.error.empty()) return result;

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const OptionSpec& spec : optionTable()) {
        QCommandLineOption option(toQString(spec.name));
        if (!spec.valueName.empty()) option.setValueName(toQString(spec.valueName));
        parser.addOption(option);
    }
    QStringList qtArguments{QStringLiteral("gradflow")};
    for (const std::string& argument : arguments) qtArguments << QString::fromStdString(argument);
    // Its own messages ("Unknown option 'x'.") are not this command line's: the checks
    // below say what went wrong, in the words the documentation and the tests use.
    parser.parse(qtArguments);

    if (const QStringList unknown = parser.unknownOptionNames(); !unknown.isEmpty()) {
        result.error = "unknown option '--" + unknown.front().toStdString() + "'";
        return result;
    }
    // A positional argument is the experiment file, as --config is: after either has named
    // a file, another one is an error.
    const QStringList positional = parser.positionalArguments();
    const bool configOption = parser.isSet(QStringLiteral("config"));
    const bool configFirst = configOption && !positionalBeforeConfig(arguments);
    if (!positional.isEmpty() && configOption && !configFirst) {
        result.error = "--config given more than once";
        return result;
    }
    std::string file = configFirst ? parser.value(QStringLiteral("config")).toStdString() : std::string();
    for (const QString& argument : positional) {
        if (!file.empty()) {
            result.error = "unexpected argument '" + argument.toStdString() + "' (one experiment file at most)";
            return result;
        }
        file = argument.toStdString();
    }

    std::set<std::string_view> given;
    if (!positional.isEmpty()) {
        o.configPath = file;  // "gradflow my-experiment.json" opens that file
        given.insert("config");
    }
    for (const QString& qtName : parser.optionNames()) {
        const std::string name = qtName.toStdString();
        const OptionSpec* spec = findOption(name);
        if (spec == nullptr) continue;  // cannot happen: unknown names were refused above
        if (!given.insert(spec->name).second) {
            result.error = "--" + name + " given more than once";
            return result;
        }
        const QStringList values = parser.values(qtName);
        if (spec->valueName.empty()) {
            const std::string withValue = "--" + name + "=";
            if (std::any_of(arguments.begin(), arguments.end(),
                            [&](const std::string& a) { return a.compare(0, withValue.size(), withValue) == 0; })) {
                result.error = "--" + name + " takes no value";
                return result;
            }
        } else if (values.isEmpty() && !valueIsOptional(*spec)) {
            result.error = "--" + name + " needs a value (" + std::string(spec->valueName) + ")";
            return result;
        }
        const std::string value = values.isEmpty() ? std::string() : values.front().toStdString();
        if (std::string error = spec->set(o, value); !error.empty()) {
            result.error = "--" + name + " " + error;
            return result;
        }
    }
    result.error = checkCombinations(o, given);
    return result;
}

std::vector<OptionHelp> optionHelp() {
    std::vector<OptionHelp> help;
    for (const OptionSpec& spec : optionTable()) help.push_back({spec.name, spec.valueName, spec.section, spec.help});
    return help;
}

std::string_view sectionTitle(OptionSection section) {
    switch (section) {
    case OptionSection::Experiment: return "The experiment";
    case OptionSection::Headless: return "Headless runs";
    case OptionSection::Figures: return "Figures (GUI build)";
    case OptionSection::Information: return "Information";
    }
    return {};
}

std::string usageText() {
    // Appended piece by piece: g++ 12 warns wrongly (-Wrestrict) about "literal" + string.
    constexpr std::size_t kPurposeColumn = 59;
    constexpr std::size_t kTextColumn = 24;
    const auto padTo = [](std::string& line, std::size_t column, std::size_t minimumGap) {
        line.append(line.size() + minimumGap <= column ? column - line.size() : minimumGap, ' ');
    };
    std::string text = "Usage:\n";
    for (const SynopsisLine& synopsis : kSynopsis) {
        std::string line = "  gradflow ";
        line.append(synopsis.arguments);
        if (!synopsis.purpose.empty()) {
            padTo(line, kPurposeColumn, 2);
            line.append(synopsis.purpose);
        }
        text.append(line).append("\n");
    }
    for (OptionSection section : kOptionSections) {
        text.append("\n").append(sectionTitle(section)).append(":\n");
        for (const OptionHelp& option : optionHelp()) {
            if (option.section != section) continue;
            std::string line = "  --";
            line.append(option.name);
            if (!option.valueName.empty()) line.append(" ").append(option.valueName);
            padTo(line, kTextColumn, 1);
            std::string_view rest = option.text;
            for (;;) {
                const std::size_t newline = rest.find('\n');
                line.append(rest.substr(0, newline));
                text.append(line).append("\n");
                if (newline == std::string_view::npos) break;
                rest.remove_prefix(newline + 1);
                line.assign(kTextColumn, ' ');
            }
        }
    }
    text.append("\n").append(kExitStatusText).append("\n");
    return text;
}

}  // namespace gradflow::app
