#include "core/data/dataset.h"

#include <array>
#include <cmath>
#include <numbers>

#include "core/config/name_registry.h"
#include "core/data/fashion_mnist.h"
#include "core/data/random.h"

namespace gradflow::core {

namespace {

constexpr double kPi = std::numbers::pi;

constexpr std::array<DataKindInfo, 10> kDataKindRegistry{{
    {DataKind::Spiral, "spiral", "Spiral", false, true, true},
    {DataKind::Circles, "circles", "Circles", false, true, false},
    {DataKind::Xor, "xor", "XOR", false, true, false},
    {DataKind::Moons, "moons", "Two moons", false, true, false},
    {DataKind::Blobs, "blobs", "Gaussian blobs", false, true, true},
    {DataKind::Sine, "sine", "Sine (regression)", false, false, false},
    {DataKind::Adding, "adding", "Adding problem (sequence)", true, false, false},
    {DataKind::CopyFirst, "copy_first", "Remember the first symbol (sequence)", true, true, true},
    {DataKind::Parity, "parity", "XOR over time (sequence)", true, true, false},
    {DataKind::FashionMnist, "fashion_mnist", "Fashion-MNIST (images)", false, true, false},
}};

struct Builder {
    Dataset set;
    Random rng;
    Builder(DataKind kind, int inputDim, int outputDim, bool classification, int samples, int steps, std::uint64_t seed)
        : rng(seed) {
        set.kind = kind;
        set.inputDimension = inputDim;
        set.outputDimension = outputDim;
        set.classification = classification;
        set.inputs.assign(steps, Eigen::MatrixXd::Zero(inputDim, samples));
        set.targets = Eigen::MatrixXd::Zero(outputDim, samples);
        if (classification) {
            set.labels.assign(samples, 0);
            set.chanceAccuracy = 1.0 / outputDim;
        } else {
            set.chanceAccuracy = std::numeric_limits<double>::quiet_NaN();
        }
    }
    void label(int sample, int cls) {
        set.labels[sample] = cls;
        set.targets(cls, sample) = 1.0;
    }
    void point(int sample, double x, double y, double noise) {
        set.inputs[0](0, sample) = x + noise * rng.normal();
        set.inputs[0](1, sample) = y + noise * rng.normal();
    }
};

// Classes interleave (sample i has class i % classes) so every prefix is balanced.
Dataset spiral(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Spiral, 2, s.classes, true, s.samples, 1, seed);
    for (int i = 0; i < s.samples; ++i) {
        const int k = i % s.classes;
        const double t = b.rng.uniform();
        const double angle = 2.0 * kPi * k / s.classes + 3.0 * kPi * t;
        b.label(i, k);
        b.point(i, t * std::cos(angle), t * std::sin(angle), s.noise);
    }
    return b.set;
}

Dataset circles(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Circles, 2, 2, true, s.samples, 1, seed);
    for (int i = 0; i < s.samples; ++i) {
        const int k = i % 2;
        const double angle = 2.0 * kPi * b.rng.uniform();
        const double radius = k == 0 ? 1.0 : 0.45;
        b.label(i, k);
        b.point(i, radius * std::cos(angle), radius * std::sin(angle), s.noise);
    }
    return b.set;
}

Dataset xorSet(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Xor, 2, 2, true, s.samples, 1, seed);
    for (int i = 0; i < s.samples; ++i) {
        const double x = b.rng.uniform(-1.0, 1.0), y = b.rng.uniform(-1.0, 1.0);
        b.label(i, (x > 0) != (y > 0) ? 1 : 0);
        b.point(i, x, y, s.noise);
    }
    return b.set;
}

Dataset moons(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Moons, 2, 2, true, s.samples, 1, seed);
    for (int i = 0; i < s.samples; ++i) {
        const int k = i % 2;
        const double t = kPi * b.rng.uniform();
        const double x = k == 0 ? std::cos(t) : 1.0 - std::cos(t);
        const double y = k == 0 ? std::sin(t) : 0.5 - std::sin(t);
        b.label(i, k);
        b.point(i, x - 0.5, y - 0.25, s.noise);  // centred on the origin
    }
    return b.set;
}

Dataset blobs(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Blobs, 2, s.classes, true, s.samples, 1, seed);
    const double spread = std::max(s.noise, 0.01);
    for (int i = 0; i < s.samples; ++i) {
        const int k = i % s.classes;
        const double angle = 2.0 * kPi * k / s.classes;
        b.label(i, k);
        b.point(i, std::cos(angle), std::sin(angle), spread);
    }
    return b.set;
}

Dataset sine(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Sine, 1, 1, false, s.samples, 1, seed);
    for (int i = 0; i < s.samples; ++i) {
        const double x = b.rng.uniform(-kPi, kPi);
        b.set.inputs[0](0, i) = x;
        b.set.targets(0, i) = std::sin(x) + s.noise * b.rng.normal();
    }
    return b.set;
}

// Two marked steps, one in each half of the sequence (Le et al. 2015's version of
// Hochreiter & Schmidhuber 1997): the answer needs the early one, T/2 steps back at least.
std::pair<int, int> markedSteps(Random& rng, int length) {
    const int half = std::max(1, length / 2);
    const int first = rng.below(half);
    const int second = std::min(length - 1, half + rng.below(std::max(1, length - half)));
    return {first, second};
}

Dataset adding(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Adding, 2, 1, false, s.samples, s.sequenceLength, seed);
    for (int i = 0; i < s.samples; ++i) {
        for (int t = 0; t < s.sequenceLength; ++t) b.set.inputs[t](0, i) = b.rng.uniform();
        const auto [first, second] = markedSteps(b.rng, s.sequenceLength);
        b.set.inputs[first](1, i) = 1.0;
        b.set.inputs[second](1, i) = 1.0;
        b.set.targets(0, i) = b.set.inputs[first](0, i) + b.set.inputs[second](0, i);
    }
    return b.set;
}

// Step 0 shows the symbol to remember; every later step shows a random distractor symbol.
Dataset copyFirst(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::CopyFirst, s.classes, s.classes, true, s.samples, s.sequenceLength, seed);
    for (int i = 0; i < s.samples; ++i) {
        const int symbol = i % s.classes;
        b.set.inputs[0](symbol, i) = 1.0;
        for (int t = 1; t < s.sequenceLength; ++t) b.set.inputs[t](b.rng.below(s.classes), i) = 1.0;
        b.label(i, symbol);
    }
    return b.set;
}

// Random +-1 bits with two marked steps; the class is the XOR of the two marked bits.
Dataset parity(const DataSpec& s, std::uint64_t seed) {
    Builder b(DataKind::Parity, 2, 2, true, s.samples, s.sequenceLength, seed);
    for (int i = 0; i < s.samples; ++i) {
        for (int t = 0; t < s.sequenceLength; ++t) b.set.inputs[t](0, i) = b.rng.below(2) ? 1.0 : -1.0;
        const auto [first, second] = markedSteps(b.rng, s.sequenceLength);
        b.set.inputs[first](1, i) = 1.0;
        b.set.inputs[second](1, i) = 1.0;
        b.label(i, (b.set.inputs[first](0, i) > 0) != (b.set.inputs[second](0, i) > 0) ? 1 : 0);
    }
    return b.set;
}

}  // namespace

std::span<const DataKindInfo> dataKindRegistry() { return kDataKindRegistry; }

const DataKindInfo& dataKindInfo(DataKind kind) { return kDataKindRegistry[static_cast<std::size_t>(kind)]; }

bool dataKindFromName(std::string_view name, DataKind& out) { return enumFromName(kDataKindRegistry, name, out); }

Dataset generateDataset(const DataSpec& spec, std::uint64_t seed) {
    switch (spec.kind) {
    case DataKind::Spiral: return spiral(spec, seed);
    case DataKind::Circles: return circles(spec, seed);
    case DataKind::Xor: return xorSet(spec, seed);
    case DataKind::Moons: return moons(spec, seed);
    case DataKind::Blobs: return blobs(spec, seed);
    case DataKind::Sine: return sine(spec, seed);
    case DataKind::Adding: return adding(spec, seed);
    case DataKind::CopyFirst: return copyFirst(spec, seed);
    case DataKind::Parity: return parity(spec, seed);
    // A subset is the file's first images: the same pictures whatever the seed.
    case DataKind::FashionMnist: return fashionMnistDataset(spec, false, spec.samples);
    }
    return spiral(spec, seed);
}

}  // namespace gradflow::core
