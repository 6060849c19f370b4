#include "ui/experiment_text.h"

namespace gradflow::ui {
namespace {

/// From the first '{' to the last '}': the object, without what a message puts around it.
QString outermostObject(const QString& text) {
    const qsizetype open = text.indexOf(QLatin1Char('{'));
    const qsizetype close = text.lastIndexOf(QLatin1Char('}'));
    if (open < 0 || close < open) return text.trimmed();
    return text.mid(open, close - open + 1);
}

QString withPlainQuotes(QString text) {
    for (QChar quote : {QChar(0x201C), QChar(0x201D), QChar(0x201E), QChar(0x2033)}) text.replace(quote, QLatin1Char('"'));
    text.replace(QChar(0x00A0), QLatin1Char(' '));
    text.replace(QChar(0x202F), QLatin1Char(' '));
    return text;
}

}  // namespace

QString experimentText(const core::ExperimentConfig& config, TextLayout layout) {
    return QString::fromStdString(layout == TextLayout::OneLine ? core::serializeExperimentOneLine(config)
                                                                : core::serializeExperiment(config));
}

core::ExperimentLoadResult parseExperimentText(const QString& text) {
    const QString object = outermostObject(text);
    core::ExperimentLoadResult result = core::parseExperiment(object.toStdString());
    if (result.ok()) return result;
    const QString plain = withPlainQuotes(object);
    if (plain != object) {
        core::ExperimentLoadResult retried = core::parseExperiment(plain.toStdString());
        if (retried.ok()) return retried;
    }
    return result;
}

}  // namespace gradflow::ui
