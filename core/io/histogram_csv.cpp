#include "core/io/histogram_csv.h"

namespace gradflow::core {

void appendHistogramRows(std::string& out, const LayerDistributions& distributions) {
    if (!distributions.current) return;
    const std::string step = std::to_string(distributions.current->step);
    for (int unit = 1; unit <= distributions.depthUnits; ++unit) {
        const std::string prefix = step + "," + std::to_string(unit) + ",";
        for (LayerQuantity q : kLayerQuantities) {
            const UnitHistogram* h = distributions.histogram(distributions.current.get(), q, unit);
            if (h == nullptr) continue;
            const HistogramBins& bins = distributions.bins[quantityIndex(q)];
            for (std::size_t i = 0; i < h->counts.size(); ++i) {
                if (h->counts[i] == 0) continue;
                out += prefix;
                out += layerQuantityName(q);
                out += ',';
                out += formatCsvNumber(bins.valueLow(static_cast<int>(i)));
                out += ',';
                out += formatCsvNumber(bins.valueHigh(static_cast<int>(i)));
                out += ',';
                out += std::to_string(h->counts[i]);
                out += '\n';
            }
        }
    }
}

void HistogramCsvWriter::append(const LayerDistributions& distributions) {
    std::string rows;
    appendHistogramRows(rows, distributions);
    write(rows);
}

}  // namespace gradflow::core
