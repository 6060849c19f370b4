#include "ui/figure_caption.h"

#include <QStringList>
#include <algorithm>

#include "core/config/experiment_names.h"
#include "core/config/schedule_names.h"
#include "core/model/activation.h"
#include "core/model/initializer.h"
#include "core/training/divergence.h"
#include "ui/registry_combos.h"

namespace gradflow::ui {

namespace {

QString number(double v) { return QString::number(v, 'g', 3); }

QString initText(const core::InitSpec& init) {
    QString s = QString::fromUtf8(core::initializerInfo(init.kind).label.data(),
                                  qsizetype(core::initializerInfo(init.kind).label.size()));
    if (init.gain != 1.0) s += QStringLiteral(" (gain %1)").arg(number(init.gain));
    return s;
}

QString activationText(const core::ActivationSpec& a) {
    const auto label = core::activationInfo(a.kind).label;
    return QString::fromUtf8(label.data(), qsizetype(label.size()));
}

QString optimizerText(const core::TrainingSpec& t) {
    const core::OptimizerInfo* info = core::findEntry(core::kOptimizerRegistry, t.optimizer.kind);
    QString text = QStringLiteral("%1 lr %2").arg(info ? fromView(info->label) : QString(), number(t.optimizer.learningRate));
    if (t.schedule != core::ScheduleSpec{})
        text += QStringLiteral(" (%1)").arg(QString::fromStdString(core::describeSchedule(t.schedule)));
    return text;
}

}  // namespace

QString mitigationsText(const core::ExperimentConfig& c) {
    QStringList parts;
    if (c.model == core::ModelKind::FeedForward) {
        const auto bn = std::count_if(c.layers.begin(), c.layers.end(), [](const auto& l) { return l.batchNorm; });
        if (bn == qsizetype(c.layers.size()) && bn > 0) parts << QStringLiteral("batch norm");
        else if (bn > 0) parts << QStringLiteral("batch norm on %1 layers").arg(bn);
        const auto ln = std::count_if(c.layers.begin(), c.layers.end(), [](const auto& l) { return l.layerNorm; });
        if (ln == qsizetype(c.layers.size()) && ln > 0) parts << QStringLiteral("layer norm");
        else if (ln > 0) parts << QStringLiteral("layer norm on %1 layers").arg(ln);
        if (c.residual.every > 0) parts << QStringLiteral("residual every %1").arg(c.residual.every);
        if (c.residual.every > 0 && c.residual.branchScale == core::BranchScaleKind::ReZero) parts << QStringLiteral("ReZero");
        else if (c.residual.every > 0 && c.residual.branchScale == core::BranchScaleKind::InverseSqrtBlocks)
            parts << QStringLiteral("branches / \u221a%1").arg(c.residualBlocks());
        if (c.residual.every > 0 && c.residual.fixup) parts << QStringLiteral("Fixup");
        if (c.lsuv) parts << QStringLiteral("LSUV");
        const auto dropped = std::count_if(c.layers.begin(), c.layers.end(), [](const auto& l) { return l.dropout > 0; });
        if (dropped == qsizetype(c.layers.size()) && dropped > 0 &&
            std::all_of(c.layers.begin(), c.layers.end(), [&](const auto& l) { return l.dropout == c.layers.front().dropout; }))
            parts << QStringLiteral("dropout %1").arg(number(c.layers.front().dropout));
        else if (dropped > 0) parts << QStringLiteral("dropout on %1 layers").arg(dropped);
    }
    if (c.training.clip.mode == core::ClipMode::Norm)
        parts << QStringLiteral("clip norm %1").arg(number(c.training.clip.threshold));
    else if (c.training.clip.mode == core::ClipMode::Value)
        parts << QStringLiteral("clip value %1").arg(number(c.training.clip.threshold));
    return parts.isEmpty() ? QStringLiteral("no mitigations") : parts.join(QStringLiteral(", "));
}

QString figureCaption(const Snapshot& s) {
    const core::ExperimentConfig& c = s.config;
    QStringList parts;
    if (!c.lesson.title.empty()) parts << QString::fromStdString(c.lesson.title);
    if (c.model == core::ModelKind::Recurrent) {
        const core::CellInfo* info = core::findEntry(core::kCellNames, c.recurrent.cell);
        QString cell = info ? QString::fromUtf8(info->label.data(), qsizetype(info->label.size())) : QString();
        if (c.recurrent.cell == core::CellKind::Vanilla)
            cell += QStringLiteral(" (%1)").arg(activationText(c.recurrent.activation));
        parts << QStringLiteral("%1, hidden %2, %3 time steps").arg(cell).arg(c.recurrent.hiddenSize).arg(c.data.sequenceLength);
        parts << QStringLiteral("recurrent init %1").arg(initText(c.recurrent.recurrentInit));
    } else if (!c.layers.empty()) {
        const auto [mn, mx] =
            std::minmax_element(c.layers.begin(), c.layers.end(), [](const auto& a, const auto& b) { return a.width < b.width; });
        const int depth = int(c.layers.size());
        parts << (mn->width == mx->width ? QStringLiteral("depth %1 × width %2").arg(depth).arg(mn->width)
                                         : QStringLiteral("depth %1, widths %2–%3").arg(depth).arg(mn->width).arg(mx->width));
        // Layer 2 is representative (layer 1 only projects the input), as in the theory.
        const core::LayerSpec& l = c.layers.size() > 1 ? c.layers[1] : c.layers[0];
        parts << activationText(l.activation) << initText(l.init);
    }
    parts << mitigationsText(c) << optimizerText(c.training);
    parts << QStringLiteral("step %1").arg(s.stepsDone);
    if (s.divergence.diverged) parts << QString::fromStdString(core::divergedAtStep(s.divergence.step));
    return parts.join(QStringLiteral("  ·  "));
}

}  // namespace gradflow::ui
