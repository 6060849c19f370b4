#include "core/data/test_split.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/config/experiment_validation.h"
#include "core/data/fashion_mnist.h"

namespace gradflow::core {

namespace {

// FNV-1a over every time step's input column: equal inputs hash equal; a hash match is then
// checked value by value.
std::uint64_t inputHash(const Dataset& set, int sample) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (const Eigen::MatrixXd& step : set.inputs) {
        for (Eigen::Index r = 0; r < step.rows(); ++r) {
            const double value = step(r, sample);
            unsigned char bytes[sizeof value];
            std::memcpy(bytes, &value, sizeof value);
            for (unsigned char b : bytes) hash = (hash ^ b) * 1099511628211ULL;
        }
    }
    return hash;
}

bool sameInput(const Dataset& a, int i, const Dataset& b, int j) {
    for (std::size_t t = 0; t < a.inputs.size(); ++t)
        if (a.inputs[t].col(i) != b.inputs[t].col(j)) return false;
    return true;
}

Dataset keepSamples(const Dataset& set, const std::vector<int>& keep) {
    Dataset kept = set;
    const Eigen::Index n = static_cast<Eigen::Index>(keep.size());
    for (std::size_t t = 0; t < set.inputs.size(); ++t) {
        kept.inputs[t].resize(set.inputDimension, n);
        for (Eigen::Index j = 0; j < n; ++j) kept.inputs[t].col(j) = set.inputs[t].col(keep[std::size_t(j)]);
    }
    kept.targets.resize(set.outputDimension, n);
    kept.labels.clear();
    for (Eigen::Index j = 0; j < n; ++j) {
        kept.targets.col(j) = set.targets.col(keep[std::size_t(j)]);
        if (!set.labels.empty()) kept.labels.push_back(set.labels[std::size_t(keep[std::size_t(j)])]);
    }
    return kept;
}

Dataset withoutTrainingInputs(const Dataset& test, const Dataset& training) {
    std::unordered_multimap<std::uint64_t, int> seen;
    seen.reserve(static_cast<std::size_t>(training.samples()));
    for (int i = 0; i < training.samples(); ++i) seen.emplace(inputHash(training, i), i);
    std::vector<int> keep;
    for (int j = 0; j < test.samples(); ++j) {
        const auto [first, last] = seen.equal_range(inputHash(test, j));
        if (std::none_of(first, last, [&](const auto& entry) { return sameInput(test, j, training, entry.second); }))
            keep.push_back(j);
    }
    if (static_cast<int>(keep.size()) == test.samples()) return test;
    return keepSamples(test, keep);
}

}  // namespace

int requestedTestSamples(const DataSpec& spec) {
    if (!dataKindInfo(spec.kind).classification || !(spec.testFraction > 0.0)) return 0;
    const double wanted = std::round(spec.samples * spec.testFraction / (1.0 - spec.testFraction));
    const double cap = spec.kind == DataKind::FashionMnist ? kFashionMnistTestImages : double(ExperimentLimits::maxSamples);
    return static_cast<int>(std::clamp(wanted, 0.0, cap));
}

Dataset generateTestSet(const DataSpec& spec, std::uint64_t testSeed, const Dataset& training) {
    const int count = requestedTestSamples(spec);
    if (spec.kind == DataKind::FashionMnist) return fashionMnistDataset(spec, true, count, &training);
    DataSpec testSpec = spec;
    testSpec.samples = std::max(count, 1);
    Dataset test = generateDataset(testSpec, testSeed);
    if (count == 0) return keepSamples(test, {});
    return withoutTrainingInputs(test, training);
}

}  // namespace gradflow::core
