// Cost of the live spectrum views: computeEndToEndSpectrum and computeUnitSummaries on
// random tanh-like chains, against the cost of the training steps they interrupt.
// Build in Release; run without arguments.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/analysis/jacobian_spectrum.h"
#include "core/data/random.h"

using namespace gradflow::core;

namespace {

JacobianChain randomChain(int depth, int width, int probes, Random& rng) {
    JacobianChain chain;
    chain.probes = probes;
    for (int l = 0; l < depth; ++l) {
        Eigen::MatrixXd w(width, width);
        for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.normal() / std::sqrt(width);
        Eigen::MatrixXd d(width, probes);
        for (Eigen::Index i = 0; i < d.size(); ++i) d.data()[i] = rng.uniform(0.05, 1.0);  // tanh' at init
        chain.weights.push_back(std::move(w));
        chain.derivatives.push_back(std::move(d));
    }
    return chain;
}

template <typename F>
double medianMilliseconds(int repeats, F&& f) {
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int main() {
    struct Case {
        int depth, width, probes, repeats;
    };
    const Case cases[] = {{50, 64, 8, 9}, {20, 256, 8, 5}, {20, 128, 8, 7}, {100, 32, 8, 9}};
    constexpr int kBatch = 64;
    std::printf("GradFlow spectrum benchmark (double, single thread, median of repeats)\n");
    std::printf("%-26s %10s %10s %12s %14s %14s\n", "case", "spectrum", "per probe", "unit summ.", "train step*",
                "spectrum/step");
    for (const Case& c : cases) {
        Random rng(42);
        const JacobianChain chain = randomChain(c.depth, c.width, c.probes, rng);
        double sink = 0.0;
        const double spectrumMs = medianMilliseconds(c.repeats, [&] {
            const JacobianSpectrum s = computeEndToEndSpectrum(chain);
            sink += s.summary.meanLog10;
        });
        const double unitMs = medianMilliseconds(c.repeats, [&] { sink += computeUnitSummaries(chain)[0].spectralRadius; });
        // A training step costs ~ 6 * batch * sum(fan_in * fan_out) flops (forward, and two
        // backward products); at ~75 GFLOP/s (the notes' 50-100 range) that is:
        const double stepFlops = 6.0 * kBatch * c.depth * double(c.width) * c.width;
        const double stepMs = stepFlops / 75e9 * 1e3;
        char name[64];
        std::snprintf(name, sizeof name, "depth %d width %d P=%d", c.depth, c.width, c.probes);
        std::printf("%-26s %8.2f ms %7.2f ms %9.2f ms %11.3f ms %13.0fx\n", name, spectrumMs, spectrumMs / c.probes, unitMs,
                    stepMs, spectrumMs / stepMs);
        if (!std::isfinite(sink)) std::printf("  (non-finite summary)\n");
    }
    std::printf("* estimated: 6 * batch %d * depth * width^2 flops at 75 GFLOP/s.\n", kBatch);
    std::printf("  Keeping training within 20%% of full speed needs a spectrum at most every\n");
    std::printf("  5 x (spectrum/step) training steps, i.e. spectrum time <= 20%% of wall time.\n");
    return 0;
}
