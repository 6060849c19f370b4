// Training-engine speed: steps per second and GFLOP/s for the configurations of the
// engine issue, each step including every per-layer statistic. Build Release; run alone.
//   bench_engine [--quick] [--precision float32|float64]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/training/trainer.h"

namespace {

using namespace gradflow::core;
using Clock = std::chrono::steady_clock;

struct Case {
    int depth, width, batch;
    double pytorchTanh, pytorchRelu;  // single-threaded PyTorch 1.13 steps/s on the reference machine
};

ExperimentConfig makeConfig(const Case& c, ActivationKind activation, Precision precision) {
    ExperimentConfig config;
    config.seed = 1;
    config.precision = precision;
    config.data.kind = DataKind::Spiral;
    config.data.samples = std::max(4096, c.batch * 4);
    LayerSpec layer;
    layer.width = c.width;
    layer.activation.kind = activation;
    layer.init.kind = activation == ActivationKind::Relu ? InitKind::HeNormal : InitKind::XavierNormal;
    config.layers.assign(c.depth, layer);
    config.training.batchSize = c.batch;
    config.training.optimizer.learningRate = 0.01;
    return config;
}

double flopsPerStep(const ExperimentConfig& config) {
    double sum = 0.0;
    int fanIn = config.inputDimension();
    for (const auto& layer : config.layers) {
        sum += double(fanIn) * layer.width;
        fanIn = layer.width;
    }
    sum += double(fanIn) * config.outputDimension();
    return 6.0 * config.training.batchSize * sum;
}

// Median of several timed windows, each after the same warm-up.
double stepsPerSecond(const ExperimentConfig& config, double windowSeconds, int windows) {
    auto trainer = Trainer::create(config);
    for (int i = 0; i < 3; ++i) trainer->step();
    std::vector<double> rates;
    for (int w = 0; w < windows; ++w) {
        const auto start = Clock::now();
        int steps = 0;
        double elapsed = 0.0;
        while (elapsed < windowSeconds) {
            trainer->step();
            ++steps;
            elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        }
        rates.push_back(steps / elapsed);
    }
    std::sort(rates.begin(), rates.end());
    return rates[rates.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    Precision precision = Precision::Float32;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        if (!std::strcmp(argv[i], "--precision") && i + 1 < argc)
            precision = std::strcmp(argv[++i], "float64") == 0 ? Precision::Float64 : Precision::Float32;
    }
    const std::vector<Case> cases = {
        {10, 64, 64, 1417, 1612}, {50, 64, 64, 320, 374},   {100, 32, 32, 260, 220},
        {20, 256, 128, 77, 86},   {8, 1024, 256, 6.8, 8.2},
    };
    const double window = quick ? 0.3 : 1.5;
    const int windows = quick ? 3 : 5;
    std::printf("GradFlow engine benchmark (%s, single thread, SGD, cross-entropy, per-layer statistics on)\n",
                precision == Precision::Float32 ? "float32" : "float64");
    std::printf("%-16s %-6s %12s %10s %14s %8s\n", "depth x width", "act", "steps/s", "GFLOP/s", "PyTorch 1.13", "ratio");
    for (const Case& c : cases) {
        for (const auto activation : {ActivationKind::Tanh, ActivationKind::Relu}) {
            const ExperimentConfig config = makeConfig(c, activation, precision);
            const double rate = stepsPerSecond(config, window, windows);
            const double torch = activation == ActivationKind::Tanh ? c.pytorchTanh : c.pytorchRelu;
            char shape[32];
            std::snprintf(shape, sizeof shape, "%dx%d, b%d", c.depth, c.width, c.batch);
            std::printf("%-16s %-6s %12.1f %10.1f %14.1f %7.2fx\n", shape, activation == ActivationKind::Tanh ? "tanh" : "relu",
                        rate, rate * flopsPerStep(config) / 1e9, torch, rate / torch);
            std::fflush(stdout);
        }
    }
    return 0;
}
