#pragma once
// An experiment as text that travels through a clipboard, a chat or a forum post: written
// as the file is (formatted, or on one line), and read back from whatever surrounds it.

#include <QString>

#include "core/config/experiment_config.h"
#include "core/io/experiment_file.h"

namespace gradflow::ui {

enum class TextLayout {
    Formatted,  ///< as the file: indented lines, for a post or an e-mail
    OneLine     ///< one line, for a chat whose Enter key sends
};

QString experimentText(const core::ExperimentConfig& config, TextLayout layout);

/// Parses the experiment in `text`, as opening a file does (the same validation and
/// messages). Around the JSON object may be anything without braces: a sentence before
/// it, a code fence around it. Typographic quotes and no-break spaces that chat programs
/// put in are read as plain ones, but only when the text as pasted does not parse.
core::ExperimentLoadResult parseExperimentText(const QString& text);

}  // namespace gradflow::ui
