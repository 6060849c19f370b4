#pragma once
// The mean-field prediction at initialisation as a CSV (--theory): per depth unit and
// gradient statistic, the predicted value relative to the last hidden layer (time step T
// in a recurrent net), where it is 1, and the finite-width band around it
// (core/analysis/finite_width_band.h). Statistic names are the --metrics columns'.

#include <string>
#include <string_view>

#include "core/analysis/mean_field.h"
#include "core/io/metrics_csv.h"

namespace gradflow::core {

inline constexpr std::string_view kTheoryCsvHeader = "layer,statistic,predicted,band_lo,band_hi";

/// Rows layer by layer (1-based), weight_grad_norm then activation_grad_norm, each ending
/// in '\n'; band_lo and band_hi are empty where the profiles have no band. A statistic
/// without a profile (ReZero's weight gradient) has no rows; empty profiles, none at all.
void appendTheoryRows(std::string& out, const GradientProfiles& profiles);

class TheoryCsvWriter : public CsvFileWriter {
public:
    TheoryCsvWriter() : CsvFileWriter(kTheoryCsvHeader) {}
    void append(const GradientProfiles& profiles);
};

}  // namespace gradflow::core
