#include "app/man_page.h"

#include "app/command_line.h"

namespace gradflow::app {
namespace {

/// Text as roff prints it: backslashes and hyphens escaped (a bare '-' may become a
/// hyphen, and options must stay copyable), and a leading '.' or '\'' kept as text.
std::string roff(std::string_view text) {
    std::string out;
    if (!text.empty() && (text.front() == '.' || text.front() == '\'')) out += "\\&";
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    return out;
}

/// Each line of `text` as its own output line, as --help prints it.
std::string roffLines(std::string_view text) {
    std::string out;
    for (bool first = true;; first = false) {
        const std::size_t newline = text.find('\n');
        if (!first) out.append(".br\n");
        out.append(roff(text.substr(0, newline))).append("\n");
        if (newline == std::string_view::npos) break;
        text.remove_prefix(newline + 1);
    }
    return out;
}

}  // namespace

std::string manPage(std::string_view version) {
    // Appended piece by piece: g++ 12 warns wrongly (-Wrestrict) about "literal" + string.
    std::string page = ".TH GRADFLOW 1 \"\" \"GradFlow ";
    page.append(roff(version)).append("\" \"User Commands\"\n");
    // Left-aligned and unhyphenated: CSV headers and option names must read as typed.
    page.append(".ad l\n.nh\n");
    page.append(".SH NAME\ngradflow \\- see vanishing and exploding gradients as a neural network trains\n");
    page.append(".SH SYNOPSIS\n");
    for (bool first = true; const SynopsisLine& line : kSynopsis) {
        if (!first) page.append(".br\n");
        first = false;
        page.append(".B gradflow\n").append(roff(line.arguments)).append("\n");
    }
    page.append(
        ".SH DESCRIPTION\n"
        "GradFlow is a desktop application for teaching the vanishing\\- and exploding\\-gradient problems:\n"
        "stack layers, pick an activation, an initialisation and a remedy (batch normalisation, residual\n"
        "connections, gradient clipping, gated recurrent cells), train, and watch per\\-layer gradient\n"
        "magnitudes, the Jacobian spectrum and the mean\\-field prediction move live.\n"
        ".PP\n"
        "Without options it opens the desktop app on the default lesson; with an experiment file or\n"
        "a preset it opens that.\n"
        "With \\fB\\-\\-headless\\fR it trains without a window and writes CSV files and figures.\n"
        "Experiment files are JSON (format \\(lqgradflow\\-experiment\\(rq); every error names the field\n"
        "and the allowed range.\n");
    page.append(".SH OPTIONS\n");
    for (OptionSection section : kOptionSections) {
        page.append(".SS \"").append(roff(sectionTitle(section))).append("\"\n");
        for (const OptionHelp& option : optionHelp()) {
            if (option.section != section) continue;
            page.append(".TP\n.B \\-\\-").append(roff(option.name));
            if (!option.valueName.empty()) page.append(" \\fI").append(roff(option.valueName)).append("\\fR");
            page.append("\n").append(roffLines(option.text));
        }
    }
    page.append(".SH \"EXIT STATUS\"\n").append(roffLines(kExitStatusText));
    page.append(
        ".SH \"SEE ALSO\"\n"
        "The README of the GradFlow sources: the experiment file's fields and defaults, the CSV\n"
        "columns and the step numbering.\n");
    return page;
}

}  // namespace gradflow::app
