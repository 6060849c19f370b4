#pragma once
// The one-line configuration caption under exported figures, e.g.
// "20 x 64 · Sigmoid · Xavier normal (gain 1) · batch norm, clip norm 1 · SGD lr 0.05 · step 1200".

#include <QString>

#include "ui/snapshot.h"

namespace gradflow::ui {

QString figureCaption(const Snapshot& snapshot);
/// Mitigations in use ("batch norm, residual every 2, clip norm 1"), or "none".
QString mitigationsText(const core::ExperimentConfig& config);

}  // namespace gradflow::ui
