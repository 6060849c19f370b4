// Recurrent-engine speed: steps per second of an LSTM and a vanilla RNN (hidden
// 64, length 100, batch 32) and a GRU of the same size, each step with full BPTT and every
// per-time-step statistic. Build Release; run alone.
//   bench_recurrent [--quick] [--precision float32|float64|both]   speed, then snapshot cost
//   bench_recurrent --learn [--steps N]   LSTM vs vanilla RNN on the adding problem, T = 50
// The learning comparison is here rather than in the test suite because it needs more than
// a few seconds of training; its figures are in tests/bench/README.md.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/analysis/jacobian_spectrum.h"
#include "core/config/experiment_config.h"
#include "core/training/trainer.h"

namespace {

using namespace gradflow::core;
using Clock = std::chrono::steady_clock;

ExperimentConfig speedConfig(CellKind cell, Precision precision) {
    ExperimentConfig config;
    config.seed = 1;
    config.precision = precision;
    config.model = ModelKind::Recurrent;
    config.data.kind = DataKind::Adding;
    config.data.samples = 1024;
    config.data.sequenceLength = 100;
    config.training.loss = LossKind::MeanSquaredError;
    config.training.batchSize = 32;
    config.training.optimizer.learningRate = 0.01;
    config.recurrent.cell = cell;
    config.recurrent.hiddenSize = 64;
    return config;
}

/// Multiply-adds of the cell's products, forward and backward (x2 flops, x3 passes:
/// forward, dL/dh_{t-1} and dL/dW): 6 G H (H + I) B T, plus the readout.
double flopsPerStep(const ExperimentConfig& c) {
    const double gates = c.recurrent.cell == CellKind::Lstm ? 4 : c.recurrent.cell == CellKind::Gru ? 3 : 1;
    const double h = c.recurrent.hiddenSize;
    return 6.0 * gates * h * (h + c.inputDimension()) * c.training.batchSize * c.data.sequenceLength;
}

double cpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Rate {
    double wall;  ///< steps per second of wall-clock time
    double cpu;   ///< steps per second of this process's CPU time: steadier on a shared machine
};

// Median of several timed windows, each after the same warm-up.
Rate stepsPerSecond(const ExperimentConfig& config, double windowSeconds, int windows) {
    auto trainer = Trainer::create(config);
    for (int i = 0; i < 3; ++i) trainer->step();
    std::vector<double> wall, cpu;
    for (int w = 0; w < windows; ++w) {
        const auto start = Clock::now();
        const double cpuStart = cpuSeconds();
        int steps = 0;
        double elapsed = 0.0;
        while (elapsed < windowSeconds) {
            trainer->step();
            ++steps;
            elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        }
        wall.push_back(steps / elapsed);
        cpu.push_back(steps / (cpuSeconds() - cpuStart));
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

const char* cellName(CellKind cell) { return cell == CellKind::Lstm ? "lstm" : cell == CellKind::Gru ? "gru" : "vanilla tanh"; }

void speed(bool quick, const std::vector<Precision>& precisions) {
    const double window = quick ? 0.3 : 1.5;
    const int windows = quick ? 3 : 5;
    std::printf(
        "GradFlow recurrent benchmark (single thread, SGD, MSE on the adding problem, full BPTT,\n"
        "per-time-step statistics on; hidden 64, length 100, batch 32; median of %d windows)\n",
        windows);
    std::printf("%-14s %-8s %10s %12s %12s %12s\n", "cell", "float", "steps/s", "steps/cpu-s", "GFLOP/cpu-s", "cpu-ms/step");
    for (const Precision precision : precisions) {
        for (const CellKind cell : {CellKind::Lstm, CellKind::Vanilla, CellKind::Gru}) {
            const ExperimentConfig config = speedConfig(cell, precision);
            const Rate rate = stepsPerSecond(config, window, windows);
            std::printf("%-14s %-8s %10.1f %12.1f %12.2f %12.3f\n", cellName(cell),
                        precision == Precision::Float32 ? "float32" : "float64", rate.wall, rate.cpu,
                        rate.cpu * flopsPerStep(config) / 1e9, 1e3 / rate.cpu);
            std::fflush(stdout);
        }
    }
}

// What a live spectrum snapshot costs for the same nets: the probes' forward pass and the
// per-step Jacobians (jacobianChain), then the end-to-end spectrum of their product.
void snapshots(Precision precision) {
    std::printf(
        "\nJacobian snapshot, 8 probes, same nets (%s): chain = jacobianChain(8), spectrum = "
        "computeEndToEndSpectrum\n%-14s %8s %12s %12s %14s\n",
        precision == Precision::Float32 ? "float32" : "float64", "cell", "units", "chain ms", "spectrum ms", "chain MiB");
    for (const CellKind cell : {CellKind::Lstm, CellKind::Vanilla, CellKind::Gru}) {
        auto trainer = Trainer::create(speedConfig(cell, precision));
        trainer->step();
        const auto start = Clock::now();
        const JacobianChain chain = trainer->jacobianChain(8);
        const auto built = Clock::now();
        const JacobianSpectrum spectrum = computeEndToEndSpectrum(chain);
        const auto done = Clock::now();
        double bytes = 0.0;
        for (const auto& perProbe : chain.explicitJacobians)
            for (const auto& m : perProbe) bytes += 8.0 * double(m.size());
        for (const auto& m : chain.weights) bytes += 8.0 * double(m.size());
        for (const auto& m : chain.derivatives) bytes += 8.0 * double(m.size());
        std::printf("%-14s %8d %12.1f %12.1f %14.1f%s\n", cellName(cell), chain.units(),
                    1e3 * std::chrono::duration<double>(built - start).count(),
                    1e3 * std::chrono::duration<double>(done - built).count(), bytes / (1024.0 * 1024.0),
                    spectrum.available ? "" : "  (spectrum unavailable)");
        std::fflush(stdout);
    }
}

ExperimentConfig learnConfig(CellKind cell) {
    ExperimentConfig config;
    config.seed = 7;
    config.model = ModelKind::Recurrent;
    config.data.kind = DataKind::Adding;
    config.data.samples = 4096;
    config.data.sequenceLength = 50;
    config.training.loss = LossKind::MeanSquaredError;
    config.training.batchSize = 32;
    config.training.optimizer.kind = OptimizerKind::Adam;
    config.training.optimizer.learningRate = 0.005;
    config.training.clip = {ClipMode::Norm, 1.0};
    config.recurrent.cell = cell;
    config.recurrent.hiddenSize = 32;
    return config;
}

// Loss averaged over the last `every` steps, printed every `every` steps: the adding
// problem's baseline (always answering 1) is the variance of the sum, 2/12 = 0.167.
void learn(int steps) {
    const int every = std::max(steps / 20, 1);
    std::printf("Adding problem, T = 50, hidden 32, Adam 0.005, clip 1, batch 32, float64, seed 7\n");
    std::printf("baseline (predict 1): 0.167\n%8s %14s %14s %14s\n", "step", "lstm", "gru", "vanilla tanh");
    std::vector<std::unique_ptr<Trainer>> trainers;
    for (const CellKind cell : {CellKind::Lstm, CellKind::Gru, CellKind::Vanilla})
        trainers.push_back(Trainer::create(learnConfig(cell)));
    std::vector<double> sums(trainers.size(), 0.0);
    const auto start = Clock::now();
    for (int k = 1; k <= steps; ++k) {
        for (std::size_t i = 0; i < trainers.size(); ++i) sums[i] += trainers[i]->step().loss;
        if (k % every == 0) {
            std::printf("%8d %14.4f %14.4f %14.4f\n", k, sums[0] / every, sums[1] / every, sums[2] / every);
            std::fflush(stdout);
            std::fill(sums.begin(), sums.end(), 0.0);
        }
    }
    std::printf("(%.1f s)\n", std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false, learning = false;
    int learnSteps = 3000;
    std::vector<Precision> precisions = {Precision::Float32, Precision::Float64};
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--quick")) quick = true;
        if (!std::strcmp(argv[i], "--learn")) learning = true;
        if (!std::strcmp(argv[i], "--steps") && i + 1 < argc) learnSteps = std::max(1, std::atoi(argv[++i]));
        if (!std::strcmp(argv[i], "--precision") && i + 1 < argc) {
            const char* p = argv[++i];
            if (!std::strcmp(p, "float32")) precisions = {Precision::Float32};
            if (!std::strcmp(p, "float64")) precisions = {Precision::Float64};
        }
    }
    if (learning) {
        learn(learnSteps);
        return 0;
    }
    speed(quick, precisions);
    snapshots(Precision::Float64);
    return 0;
}
