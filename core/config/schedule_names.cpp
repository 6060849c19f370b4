#include "core/config/schedule_names.h"

#include <sstream>

namespace gradflow::core {

std::string describeSchedule(const ScheduleSpec& s) {
    // One stream rather than chains of operator+: GCC 12 warns (-Wrestrict) on
    // "literal" + std::string in some inlining contexts.
    std::ostringstream out;
    out.imbue(std::locale::classic());
    if (s.warmupSteps > 0) {
        out << "warmup over " << s.warmupSteps << " steps";
        if (s.kind == ScheduleKind::Constant) return out.str();
        out << ", then ";
    } else {
        out << (s.kind == ScheduleKind::Constant ? "constant learning rate" : "learning rate ");
    }
    switch (s.kind) {
    case ScheduleKind::Constant: break;
    case ScheduleKind::StepDecay: out << "x" << s.decayFactor << " every " << s.decayEvery << " steps"; break;
    case ScheduleKind::Cosine:
        out << "cosine decay over " << s.cosineSteps << " steps";
        if (s.finalFraction > 0.0) out << " to " << s.finalFraction << "x";
        break;
    }
    return out.str();
}

}  // namespace gradflow::core
