#include "ui/lesson_catalog.h"

#include <QCoreApplication>
#include <array>

#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"

namespace gradflow::ui {

namespace {

struct Section {
    const char* title;
    std::array<const char*, 12> presets;  ///< unused slots are null
};

// Each section builds on the one before: see the problem, see it the other way round,
// fix it, see both on real images, then meet it again along time in recurrent nets.
constexpr std::array<Section, 5> kSections{{
    {QT_TRANSLATE_NOOP("LessonCatalog", "Vanishing gradients"),
     {"deep-sigmoid-vanishing", "tanh-small-weights", "relu-xavier-vs-he", "saturating-large-lr", "dead-relu-negative-bias"}},
    {QT_TRANSLATE_NOOP("LessonCatalog", "Exploding gradients"), {"exploding-large-weights"}},
    {QT_TRANSLATE_NOOP("LessonCatalog", "Remedies"),
     {"he-relu-healthy", "orthogonal-tanh-isometry", "batchnorm-rescue", "layernorm-rescue", "residual-rescue",
      "rezero-deep-residual", "fixup-deep-residual", "lsuv-gelu-any-gain", "clipping-tames-explosion", "warmup-large-learning-rate",
      "dropout-overfitting"}},
    {QT_TRANSLATE_NOOP("LessonCatalog", "Real images: Fashion-MNIST"),
     {"fashion-deep-sigmoid", "fashion-he-relu", "fashion-batchnorm-rescue"}},
    {QT_TRANSLATE_NOOP("LessonCatalog", "Recurrent nets"),
     {"rnn-adding-forgets", "rnn-exploding-clipped", "irnn-identity-relu", "lstm-adding-remembers", "gru-adding-remembers"}},
}};

LessonEntry entryFor(const core::Preset& preset, const QString& section) {
    const core::ExperimentLoadResult parsed = core::parseExperiment(preset.json);
    const QString name = QString::fromUtf8(preset.name.data(), qsizetype(preset.name.size()));
    const QString title = parsed.config.lesson.title.empty() ? name : QString::fromStdString(parsed.config.lesson.title);
    return {name, title, section};
}

}  // namespace

QList<LessonEntry> lessonsInTeachingOrder() {
    QList<LessonEntry> out;
    QList<std::string_view> placed;
    for (const Section& section : kSections) {
        const QString heading = QCoreApplication::translate("LessonCatalog", section.title);
        for (const char* name : section.presets) {
            if (!name) continue;
            if (const core::Preset* preset = core::findPreset(name)) {
                out << entryFor(*preset, heading);
                placed << preset->name;
            }
        }
    }
    const QString more = QCoreApplication::translate("LessonCatalog", "More lessons");
    for (const core::Preset& preset : core::presets())
        if (!placed.contains(preset.name)) out << entryFor(preset, more);
    return out;
}

}  // namespace gradflow::ui
