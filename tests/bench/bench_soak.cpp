// Soak run: a small feed-forward net trained for a million steps through core::Trainer,
// every step handed to a core::TrainingHistory as the GUI's main window does. Memory must
// stay flat (the history thins itself); the figures printed are peak and current RSS
// (VmHWM / VmRSS from /proc/self/status) at 10^4, 10^5 and 10^6 steps, and steps/s.
// steps/s is per window between checkpoints, on the wall clock and per second of this
// process's CPU time (the second stays meaningful on a shared, loaded machine).
//   bench_soak [--steps N]   (default 1000000)

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>

#include "core/training/trainer.h"
#include "core/training/training_history.h"

namespace {

using namespace gradflow::core;
using Clock = std::chrono::steady_clock;

// kB of one "Key:   123 kB" line of /proc/self/status, or -1 off Linux.
long statusKilobytes(const char* key) {
    std::ifstream status("/proc/self/status");
    std::string line;
    const std::size_t keyLength = std::strlen(key);
    while (std::getline(status, line)) {
        if (line.compare(0, keyLength, key) == 0 && line.size() > keyLength && line[keyLength] == ':')
            return std::strtol(line.c_str() + keyLength + 1, nullptr, 10);
    }
    return -1;
}

// Small enough that a million steps take minutes, deep enough to have a layer profile:
// 4 x 16 tanh, batch 16, Adam at a modest rate so the run neither stalls nor diverges.
ExperimentConfig soakConfig() {
    ExperimentConfig config;
    config.seed = 1;
    config.data.kind = DataKind::Spiral;
    config.data.samples = 512;
    LayerSpec layer;
    layer.width = 16;
    layer.activation.kind = ActivationKind::Tanh;
    layer.init.kind = InitKind::XavierNormal;
    config.layers.assign(4, layer);
    config.training.batchSize = 16;
    config.training.optimizer.kind = OptimizerKind::Adam;
    config.training.optimizer.learningRate = 1e-3;
    return config;
}

}  // namespace

int main(int argc, char** argv) {
    long long totalSteps = 1'000'000;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--steps") == 0 && i + 1 < argc) totalSteps = std::atoll(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_soak [--steps N]\n");
            return 2;
        }
    }

    auto trainer = Trainer::create(soakConfig());
    TrainingHistory history;  // the GUI's defaults
    const long startPeak = statusKilobytes("VmHWM");
    const long startCurrent = statusKilobytes("VmRSS");
    std::printf("soak: 4 x 16 tanh, batch 16, Adam; before training: peak %ld kB, current %ld kB\n", startPeak, startCurrent);
    std::printf("%10s %12s %12s %10s %12s %8s %8s %10s\n", "steps", "peak kB", "current kB", "steps/s", "steps/CPU-s", "kept",
                "stride", "loss");

    long long nextCheckpoint = 10'000;
    long long windowStart = 0;
    auto windowClock = Clock::now();
    std::clock_t windowCpu = std::clock();
    for (long long step = 1; step <= totalSteps; ++step) {
        const StepStats& stats = trainer->step();
        history.append(stats);
        if (trainer->divergence().diverged) {
            std::printf("diverged: %s\n", trainer->divergence().message.c_str());
            return 1;
        }
        if (step == nextCheckpoint || step == totalSteps) {
            const double seconds = std::chrono::duration<double>(Clock::now() - windowClock).count();
            const double cpuSeconds = double(std::clock() - windowCpu) / CLOCKS_PER_SEC;
            const long peak = statusKilobytes("VmHWM");  // read in order: arguments are not
            const long current = statusKilobytes("VmRSS");
            std::printf("%10lld %12ld %12ld %10.0f %12.0f %8zu %8lld %10.4f\n", step, peak, current,
                        double(step - windowStart) / seconds, double(step - windowStart) / cpuSeconds, history.entries().size(),
                        static_cast<long long>(history.stride()), stats.loss);
            std::fflush(stdout);
            windowStart = step;
            windowClock = Clock::now();
            windowCpu = std::clock();
            if (step == nextCheckpoint) nextCheckpoint *= 10;
        }
    }
    return 0;
}
