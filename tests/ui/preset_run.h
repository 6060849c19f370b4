#pragma once
// A lesson preset trained the way `gradflow --headless --preset NAME --steps N` trains it,
// with the snapshot and history its figure export renders (app/gui_main.cpp builds them
// the same way), and, with a change id, side B of `--compare CHANGE` in lockstep.

#include <QString>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config_change.h"
#include "core/io/experiment_file.h"
#include "core/io/preset_library.h"
#include "core/training/lockstep.h"
#include "core/training/trainer.h"
#include "core/training/training_history.h"
#include "ui/figure_export.h"
#include "ui/snapshot_builder.h"

namespace gradflow::ui::testdata {

struct PresetRun {
    SnapshotPtr snapshot;
    core::TrainingHistory history;
    // Side B of a comparison (empty without one).
    SnapshotPtr comparisonSnapshot;
    core::TrainingHistory comparisonHistory;
    QString baseLabel, changeLabel;
    QString error;  ///< why the run could not be made, if it could not

    bool comparing() const { return comparisonSnapshot != nullptr; }
    HeadlessComparison comparison() const {
        return {comparisonSnapshot, comparing() ? &comparisonHistory : nullptr, baseLabel, changeLabel};
    }
};

inline std::unique_ptr<PresetRun> runPreset(const std::string& name, int steps, const std::string& change = {}) {
    auto run = std::make_unique<PresetRun>();
    const core::Preset* preset = core::findPreset(name);
    if (!preset) {
        run->error = QStringLiteral("no preset %1").arg(QString::fromStdString(name));
        return run;
    }
    const core::ExperimentLoadResult loaded = core::parseExperiment(preset->json);
    if (!loaded.ok()) {
        run->error = QStringLiteral("preset %1 does not load").arg(QString::fromStdString(name));
        return run;
    }
    std::unique_ptr<core::Trainer> a = core::Trainer::create(loaded.config), b;
    if (!change.empty()) {
        const auto changed = core::applyChange(loaded.config, change);
        const auto described = core::describeChange(loaded.config, change);
        if (!changed || !described) {
            run->error =
                QStringLiteral("%1 does not apply to %2").arg(QString::fromStdString(change), QString::fromStdString(name));
            return run;
        }
        b = core::Trainer::create(*changed);
        run->baseLabel = QString::fromStdString(described->baseLabel);
        run->changeLabel = QString::fromStdString(described->label);
    }
    core::StepStats lastA, lastB;
    core::Lockstep lockstep;  // the sides step as the headless --compare steps them
    lockstep.addLane(*a);
    if (b) lockstep.addLane(*b);
    for (int k = 0; k < steps; ++k) {
        const std::vector<const core::StepStats*>& stepped = lockstep.step();
        lastA = *stepped[0];
        run->history.append(lastA);
        if (b && stepped[1]) {
            lastB = *stepped[1];
            run->comparisonHistory.append(lastB);
        }
        if (lastA.diverged || a->divergence().diverged) break;  // as the headless run stops
    }
    run->snapshot = buildFullSnapshot(*a, a->stepsDone() > 0 ? &lastA : nullptr, 1);
    if (b) run->comparisonSnapshot = buildFullSnapshot(*b, b->stepsDone() > 0 ? &lastB : nullptr, 1);
    return run;
}

}  // namespace gradflow::ui::testdata
