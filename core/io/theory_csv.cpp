#include "core/io/theory_csv.h"

namespace gradflow::core {

void appendTheoryRows(std::string& out, const GradientProfiles& profiles) {
    struct Statistic {
        std::string_view name;
        const std::vector<double>& predicted;
        const ProfileBand& band;
    };
    const Statistic statistics[] = {{"weight_grad_norm", profiles.weightGradient, profiles.weightBand},
                                    {"activation_grad_norm", profiles.activationGradient, profiles.activationBand}};
    const std::size_t units = profiles.activationGradient.size();
    for (std::size_t l = 0; l < units; ++l) {
        for (const Statistic& s : statistics) {
            if (s.predicted.size() != units) continue;
            out += std::to_string(l + 1);
            out += ',';
            out += s.name;
            out += ',';
            out += formatCsvNumber(s.predicted[l]);
            out += ',';
            const bool banded = s.band.lo.size() == units;
            if (banded) out += formatCsvNumber(s.band.lo[l]);
            out += ',';
            if (banded) out += formatCsvNumber(s.band.hi[l]);
            out += '\n';
        }
    }
}

void TheoryCsvWriter::append(const GradientProfiles& profiles) {
    std::string rows;
    appendTheoryRows(rows, profiles);
    write(rows);
}

}  // namespace gradflow::core
