#pragma once
// The shipped lessons in the order a course meets them: the problem (vanishing, then
// exploding gradients), its remedies, then recurrent nets. The Lessons menu and the
// lesson picker both list them this way, under their section's heading.

#include <QList>
#include <QString>

namespace gradflow::ui {

struct LessonEntry {
    QString name;     ///< preset name, e.g. "deep-sigmoid-vanishing"
    QString title;    ///< the lesson's title (the name if it has none)
    QString section;  ///< "Vanishing gradients", "Exploding gradients", "Remedies", ...
};

/// Every shipped preset exactly once, in teaching order. A preset the order does not
/// know yet comes last, under "More lessons", so a new file is never hidden.
QList<LessonEntry> lessonsInTeachingOrder();

}  // namespace gradflow::ui
