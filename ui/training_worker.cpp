#include "ui/training_worker.h"

#include <QDeadlineTimer>
#include <QMutexLocker>
#include <QThread>
#include <chrono>
#include <exception>
#include <limits>
#include <utility>

#include "core/experiment_validation.h"
#include "core/trainer.h"
#include "ui/snapshot_builder.h"

namespace gradflow::ui {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kPublishInterval{16};  // one snapshot per 60 Hz frame at most
constexpr milliseconds kChunk{8};             // longest stretch between command checks
constexpr std::size_t kMaxPendingSteps = 16384;  // if the GUI stops taking, thin locally

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

struct TrainingWorker::Commands {
    // Standing orders.
    bool run = false;
    std::int64_t stepBudget = 0;
    bool stop = false;
    // One-shot requests, moved out by the loop.
    std::optional<core::ExperimentConfig> resetConfig;
    std::optional<double> learningRate;
    std::optional<core::ClipSpec> clip;
    bool selectionChanged = false;
};

struct TrainingWorker::Loop {
    std::unique_ptr<core::Trainer> trainer;
    core::ExperimentConfig config;
    SnapshotBuilder builder;
    std::optional<core::StepStats> latest;
    std::vector<core::StepStats> kept;  // since the last publish
    std::int64_t keepStride = 1;
    bool dirty = false;                 // steps or settings not yet published
    Clock::time_point lastPublish{};
    // Rate measurement over windows of >= 250 ms.
    Clock::time_point rateStart{};
    std::int64_t rateSteps = 0;
    double stepsPerSecond = 0.0;
    // Pacing for a finite speed.
    Clock::time_point paceStart{};
    std::int64_t paceSteps = 0;
    double paceSpeed = 0.0;

    Clock::time_point paceDue() const;
    bool trainable() const { return trainer && !trainer->divergence().diverged; }
};

TrainingWorker::TrainingWorker(QObject* parent)
    : QObject(parent), m_commands(std::make_unique<Commands>()), m_loop(std::make_unique<Loop>())
{
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("gradflow-training"));
    m_thread->start();
}

TrainingWorker::~TrainingWorker() { stop(); }

void TrainingWorker::stop()
{
    {
        QMutexLocker lock(&m_mutex);
        m_commands->stop = true;
        m_interrupt = true;
        m_wake.wakeAll();
    }
    if (!m_thread) return;
    // The loop has no event loop, so quit() is only for form; wait() joins it. Never
    // terminate(): a half-finished step would leave Eigen and the heap inconsistent.
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    m_loop->trainer.reset();
    setState(State::Stopped);
}

void TrainingWorker::reset(const core::ExperimentConfig& config)
{
    QMutexLocker lock(&m_mutex);
    m_commands->resetConfig = config;
    m_commands->run = false;
    m_commands->stepBudget = 0;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::train()
{
    QMutexLocker lock(&m_mutex);
    m_commands->run = true;
    m_commands->stepBudget = 0;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::pause()
{
    QMutexLocker lock(&m_mutex);
    m_commands->run = false;
    m_commands->stepBudget = 0;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::step(int steps)
{
    if (steps <= 0) return;
    QMutexLocker lock(&m_mutex);
    m_commands->run = false;
    m_commands->stepBudget += steps;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::setLearningRate(double learningRate)
{
    QMutexLocker lock(&m_mutex);
    m_commands->learningRate = learningRate;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::setClip(const core::ClipSpec& clip)
{
    QMutexLocker lock(&m_mutex);
    m_commands->clip = clip;
    m_interrupt = true;
    m_wake.wakeAll();
}

void TrainingWorker::setSpeed(double stepsPerSecond)
{
    // Read at every step; the pacing restarts itself when it sees a new value.
    m_speed = stepsPerSecond > 0.0 ? stepsPerSecond : 0.0;
    QMutexLocker lock(&m_mutex);
    m_wake.wakeAll();  // a paced loop may be sleeping towards its next step
}

void TrainingWorker::setSelectedUnit(int unit)
{
    m_selectedUnit = unit;
    QMutexLocker lock(&m_mutex);
    m_commands->selectionChanged = true;
    m_interrupt = true;
    m_wake.wakeAll();
}

QString TrainingWorker::errorText() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

bool TrainingWorker::isThreadRunning() const { return m_thread && m_thread->isRunning(); }

TrainingWorker::Update TrainingWorker::takeUpdate(std::int64_t historyStride)
{
    Update update;
    QMutexLocker lock(&m_mutex);
    update.snapshot = std::move(m_latest);
    m_latest.reset();
    update.steps.swap(m_pendingSteps);
    update.newRun = m_pendingNewRun;
    m_pendingNewRun = false;
    // Only ever coarser: the GUI history never goes back to a finer stride in a run.
    if (historyStride > m_keepStride) m_keepStride = historyStride;
    return update;
}

void TrainingWorker::setState(State state)
{
    if (m_state.exchange(state) != state) emit stateChanged(state);
}

// ---- worker thread ------------------------------------------------------------------

void TrainingWorker::run()
{
    Commands taken;
    while (waitForWork(taken)) {
        if (taken.resetConfig) {
            rebuild(*taken.resetConfig);
            continue;
        }
        applyLiveSettings(taken);
        const bool budgeted = taken.stepBudget > 0;
        if (m_loop->trainable() && (taken.run || budgeted)) {
            setState(State::Running);
            trainChunk(budgeted);
        } else {
            // Idle: settle the last frame (fresh spectrum) and restart rate and pacing.
            m_loop->stepsPerSecond = 0.0;
            m_loop->rateSteps = 0;
            m_loop->paceSteps = 0;
            publish(true, false);
            if (m_loop->trainable()) setState(State::Paused);
        }
    }
}

bool TrainingWorker::waitForWork(Commands& taken)
{
    QMutexLocker lock(&m_mutex);
    for (;;) {
        Commands& c = *m_commands;
        if (c.stop) return false;
        const bool oneShot = c.resetConfig || c.learningRate || c.clip || c.selectionChanged;
        const bool training = m_loop->trainable() && (c.run || c.stepBudget > 0);
        // A run that stopped (pause, budget spent, divergence) publishes once more so the
        // GUI sees the final state with a fresh spectrum.
        const bool settle = !training && (m_loop->dirty || m_state.load() == State::Running);
        if (oneShot || training || settle) break;
        if (!m_loop->trainable()) c.run = false;  // nothing to run: forget the order
        m_wake.wait(&m_mutex);
    }
    m_interrupt = false;
    Commands& c = *m_commands;
    taken.run = c.run;
    taken.stepBudget = c.stepBudget;
    taken.resetConfig = std::exchange(c.resetConfig, std::nullopt);
    taken.learningRate = std::exchange(c.learningRate, std::nullopt);
    taken.clip = std::exchange(c.clip, std::nullopt);
    taken.selectionChanged = std::exchange(c.selectionChanged, false);
    m_loop->keepStride = m_keepStride;
    return true;
}

void TrainingWorker::rebuild(const core::ExperimentConfig& config)
{
    Loop& loop = *m_loop;
    setState(State::Building);
    loop.trainer.reset();  // free the old model before allocating the new one
    loop.latest.reset();
    loop.kept.clear();
    loop.stepsPerSecond = 0.0;
    m_stepsDone = 0;
    QString error;
    const auto issues = core::validateExperiment(config);
    if (!issues.empty()) {
        for (const auto& issue : issues) error += QString::fromStdString(issue.text()) + QLatin1Char('\n');
    } else {
        try {
            loop.trainer = core::Trainer::create(config);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
    }
    loop.config = config;
    const std::uint64_t runId = m_runId.load() + 1;
    {
        QMutexLocker lock(&m_mutex);
        m_error = error.trimmed();
        m_pendingSteps.clear();
        m_pendingNewRun = true;
        m_latest.reset();
        m_keepStride = 1;
        loop.keepStride = 1;
    }
    m_runId = runId;
    if (!loop.trainer) {
        setState(State::Failed);
        return;
    }
    loop.builder.beginRun(*loop.trainer, config, runId);
    loop.dirty = true;
    publish(true, false);
    setState(State::Paused);
}

void TrainingWorker::applyLiveSettings(const Commands& taken)
{
    Loop& loop = *m_loop;
    if (taken.learningRate) loop.config.training.optimizer.learningRate = *taken.learningRate;
    if (taken.clip) loop.config.training.clip = *taken.clip;
    if (!taken.learningRate && !taken.clip) return;
    if (loop.trainer) {
        if (taken.learningRate) loop.trainer->setLearningRate(*taken.learningRate);
        if (taken.clip) loop.trainer->setClip(*taken.clip);
    }
    loop.builder.setConfig(loop.config);
    loop.dirty = true;
}

Clock::time_point TrainingWorker::Loop::paceDue() const
{
    if (paceSpeed <= 0.0) return paceStart;
    return paceStart + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(paceSteps / paceSpeed));
}

void TrainingWorker::trainChunk(bool budgeted)
{
    Loop& loop = *m_loop;
    const auto start = Clock::now();
    std::int64_t budget = std::numeric_limits<std::int64_t>::max();
    if (budgeted) {
        QMutexLocker lock(&m_mutex);
        budget = m_commands->stepBudget;
    }
    // Step requests run flat out; pacing restarts on a new speed, after a pause, or when
    // steps are slower than the target (no burst to "catch up" later).
    const double speed = budgeted ? 0.0 : m_speed.load();
    if (speed != loop.paceSpeed || loop.paceSteps == 0 || (speed > 0.0 && start - loop.paceDue() > milliseconds(250))) {
        loop.paceStart = start;
        loop.paceSteps = 0;
        loop.paceSpeed = speed;
    }
    if (loop.rateSteps == 0) loop.rateStart = start;

    std::int64_t done = 0;
    bool ahead = false;
    const core::StepStats* last = nullptr;
    while (!m_interrupt.load(std::memory_order_relaxed) && done < budget) {
        if (speed > 0.0 && Clock::now() < loop.paceDue()) {
            ahead = true;
            break;
        }
        last = &loop.trainer->step();
        ++done;
        ++loop.paceSteps;
        if (last->step % loop.keepStride == 0) loop.kept.push_back(*last);
        if (last->diverged || Clock::now() - start >= kChunk) break;
    }
    if (last) loop.latest = *last;  // the trainer's reference dies at its next step
    m_stepsDone = loop.trainer->stepsDone();
    loop.dirty = loop.dirty || done > 0;
    loop.rateSteps += done;

    const auto now = Clock::now();
    if (now - loop.rateStart >= milliseconds(250)) {
        loop.stepsPerSecond = loop.rateSteps / seconds(now - loop.rateStart);
        loop.rateStart = now;
        loop.rateSteps = 0;
    }

    const bool diverged = loop.trainer->divergence().diverged;
    bool finished = diverged;
    {
        QMutexLocker lock(&m_mutex);
        if (budgeted) {
            m_commands->stepBudget = std::max<std::int64_t>(0, m_commands->stepBudget - done);
            finished = finished || m_commands->stepBudget == 0;
        }
        if (diverged) {
            m_commands->run = false;
            m_commands->stepBudget = 0;
        }
    }
    if (finished) {
        loop.stepsPerSecond = 0.0;
        loop.rateSteps = 0;
        publish(true, false);
        setState(diverged ? State::Diverged : State::Paused);
        return;
    }
    if (now - loop.lastPublish >= kPublishInterval) publish(false, true);
    if (ahead) throttle();
}

void TrainingWorker::throttle()
{
    const auto wait = std::chrono::duration_cast<milliseconds>(m_loop->paceDue() - Clock::now()).count();
    if (wait <= 0) return;
    // Sleep on the wait condition so any command (pause, reset, stop) wakes us at once;
    // at most 100 ms so a speed change is noticed promptly.
    QMutexLocker lock(&m_mutex);
    if (!m_interrupt.load()) m_wake.wait(&m_mutex, QDeadlineTimer(std::min<qint64>(wait, 100)));
}

void TrainingWorker::publish(bool forceExpensive, bool running)
{
    Loop& loop = *m_loop;
    if (!loop.trainer) return;
    SnapshotBuilder::Inputs inputs;
    inputs.latest = loop.latest ? &*loop.latest : nullptr;
    inputs.running = running;
    inputs.stepsPerSecond = loop.stepsPerSecond;
    inputs.selectedUnit = m_selectedUnit.load();
    inputs.forceExpensive = forceExpensive;
    SnapshotPtr snapshot = loop.builder.build(*loop.trainer, inputs);
    loop.dirty = false;
    loop.lastPublish = Clock::now();

    QMutexLocker lock(&m_mutex);
    m_latest = std::move(snapshot);
    if (m_pendingSteps.empty()) {
        m_pendingSteps.swap(loop.kept);
    } else {
        m_pendingSteps.insert(m_pendingSteps.end(), loop.kept.begin(), loop.kept.end());
    }
    loop.kept.clear();
    if (m_pendingSteps.size() > kMaxPendingSteps) {
        // The GUI is not taking (minimised, blocked): keep every other step, as the
        // GUI's history would once it filled.
        m_keepStride *= 2;
        std::erase_if(m_pendingSteps, [&](const core::StepStats& s) { return s.step % m_keepStride != 0; });
    }
}

}  // namespace gradflow::ui
