#include "ui/training_worker.h"

#include <QThread>
#include <algorithm>
#include <chrono>
#include <exception>
#include <limits>
#include <utility>

#include "core/analysis/snapshot_builder.h"
#include "core/config/experiment_validation.h"
#include "core/training/lockstep.h"
#include "core/training/trainer.h"

namespace gradflow::ui {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using Lock = std::unique_lock<std::mutex>;

constexpr milliseconds kChunk{8};  // longest stretch between command checks

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

struct TrainingWorker::Commands {
    // Standing orders.
    bool run = false;
    std::int64_t stepBudget = 0;
    bool stop = false;
    // One-shot requests, moved out by the loop.
    std::optional<std::vector<core::ExperimentConfig>> resetConfigs;
    std::array<std::optional<double>, kMaxLanes> learningRate;
    std::array<std::optional<core::ClipSpec>, kMaxLanes> clip;
    bool selectionChanged = false;
    bool dropComparison = false;

    bool liveChange() const {
        return std::any_of(learningRate.begin(), learningRate.end(), [](const auto& v) { return v.has_value(); }) ||
               std::any_of(clip.begin(), clip.end(), [](const auto& v) { return v.has_value(); });
    }
};

/// One configuration being trained: its model, and what it has not published yet.
struct TrainingWorker::Lane {
    std::unique_ptr<core::Trainer> trainer;
    core::ExperimentConfig config;
    core::SnapshotBuilder builder;
    std::optional<core::StepStats> latest;
    std::vector<core::StepStats> kept;  // since the last publish

    bool trainable() const { return trainer && !trainer->divergence().diverged; }
};

struct TrainingWorker::Loop {
    std::vector<std::unique_ptr<Lane>> lanes;
    std::int64_t keepStride = 1;
    bool dirty = false;  // steps or settings not yet published
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
    /// Some lane can still step (a comparison goes on while one side has diverged).
    bool trainable() const {
        return std::any_of(lanes.begin(), lanes.end(), [](const auto& lane) { return lane->trainable(); });
    }
    bool built() const { return !lanes.empty(); }
};

TrainingWorker::TrainingWorker(QObject* parent, std::size_t maxPendingSteps)
    : QObject(parent),
      m_commands(std::make_unique<Commands>()),
      m_maxPendingSteps(maxPendingSteps),
      m_loop(std::make_unique<Loop>()) {
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("gradflow-training"));
    m_thread->start();
}

TrainingWorker::~TrainingWorker() { stop(); }

void TrainingWorker::stop() {
    {
        Lock lock(m_mutex);
        m_commands->stop = true;
        m_interrupt = true;
    }
    m_wake.notify_all();
    if (!m_thread) return;
    // The loop has no event loop, so quit() is only for form; wait() joins it. Never
    // terminate(): a half-finished step would leave Eigen and the heap inconsistent.
    m_thread->quit();
    m_thread->wait();
    // wait() synchronises inside uninstrumented Qt (a futex-based QMutex), so
    // ThreadSanitizer cannot see that everything the loop did happened before this line
    // and reports the destruction that follows as a race. Taking the loop's own mutex
    // once shows it the ordering: the loop leaves run() right after its last release.
    { Lock lock(m_mutex); }
    delete m_thread;
    m_thread = nullptr;
    m_loop->lanes.clear();
    setState(State::Stopped);
}

template <typename Edit>
void TrainingWorker::command(Edit&& edit) {
    {
        Lock lock(m_mutex);
        edit(*m_commands);
        m_interrupt = true;
    }
    m_wake.notify_all();
}

void TrainingWorker::reset(const core::ExperimentConfig& config, const std::optional<core::ExperimentConfig>& comparison) {
    std::vector<core::ExperimentConfig> configs{config};
    if (comparison) configs.push_back(*comparison);
    // A unit picked in the last run means nothing in the next (another lesson may not
    // even have that layer): the new run starts with no selection.
    m_selectedUnit = -1;
    command([&](Commands& c) {
        c.resetConfigs = std::move(configs);
        c.run = false;
        c.stepBudget = 0;
    });
}

void TrainingWorker::dropComparison() {
    {
        // The mailbox closes at once, so a frame taken before the loop gets to the command
        // already holds one lane: the GUI never appends B's steps after it stopped comparing.
        Lock lock(m_mutex);
        m_mailLanes = 1;
        m_mail[1] = Mailbox{};
    }
    command([](Commands& c) {
        // A comparison asked for but not built yet is not built.
        if (c.resetConfigs && c.resetConfigs->size() > 1) c.resetConfigs->resize(1);
        c.dropComparison = true;
    });
}

void TrainingWorker::train() {
    command([](Commands& c) {
        c.run = true;
        c.stepBudget = 0;
    });
}

void TrainingWorker::pause() {
    command([](Commands& c) {
        c.run = false;
        c.stepBudget = 0;
    });
}

void TrainingWorker::step(int steps) {
    if (steps <= 0) return;
    command([steps](Commands& c) {
        c.run = false;
        c.stepBudget += steps;
    });
}

void TrainingWorker::setLearningRate(double learningRate, int lane) {
    command([&](Commands& c) {
        for (int i = 0; i < kMaxLanes; ++i)
            if (lane == kAllLanes || lane == i) c.learningRate[std::size_t(i)] = learningRate;
    });
}

void TrainingWorker::setClip(const core::ClipSpec& clip, int lane) {
    command([&](Commands& c) {
        for (int i = 0; i < kMaxLanes; ++i)
            if (lane == kAllLanes || lane == i) c.clip[std::size_t(i)] = clip;
    });
}

void TrainingWorker::setSpeed(double stepsPerSecond) {
    // Read at every step; the pacing restarts itself when it sees a new value.
    m_speed = stepsPerSecond > 0.0 ? stepsPerSecond : 0.0;
    { Lock lock(m_mutex); }  // a paced loop between its check and its wait sees the new speed
    m_wake.notify_all();     // a paced loop may be sleeping towards its next step
}

void TrainingWorker::setSelectedUnit(int unit) {
    m_selectedUnit = unit;
    command([](Commands& c) { c.selectionChanged = true; });
}

QString TrainingWorker::errorText() const {
    Lock lock(m_mutex);
    return m_error;
}

bool TrainingWorker::isThreadRunning() const { return m_thread && m_thread->isRunning(); }

TrainingWorker::Update TrainingWorker::takeUpdate(std::int64_t historyStride) {
    Update update;
    Lock lock(m_mutex);
    update.snapshot = std::exchange(m_mail[0].latest, nullptr);
    update.steps.swap(m_mail[0].pendingSteps);
    update.comparison.snapshot = std::exchange(m_mail[1].latest, nullptr);
    update.comparison.steps.swap(m_mail[1].pendingSteps);
    update.newRun = std::exchange(m_pendingNewRun, false);
    update.lanes = m_mailLanes;
    // Only ever coarser: the GUI history never goes back to a finer stride in a run.
    if (historyStride > m_keepStride) m_keepStride = historyStride;
    return update;
}

void TrainingWorker::setState(State state) {
    if (m_state.exchange(state) != state) emit stateChanged(state);
}

// ---- worker thread ------------------------------------------------------------------

void TrainingWorker::run() {
    Commands taken;
    while (waitForWork(taken)) {
        if (taken.dropComparison) dropComparisonLane();
        if (taken.resetConfigs) {
            rebuild(*taken.resetConfigs);
            // Live settings sent after the reset request but taken with it belong to the
            // new run (the GUI edits its applied config after asking for the reset).
            applyLiveSettings(taken);
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

bool TrainingWorker::waitForWork(Commands& taken) {
    Lock lock(m_mutex);
    for (;;) {
        Commands& c = *m_commands;
        if (c.stop) return false;
        const bool oneShot = c.resetConfigs || c.liveChange() || c.selectionChanged || c.dropComparison;
        const bool training = m_loop->trainable() && (c.run || c.stepBudget > 0);
        // A run that stopped (pause, budget spent, divergence) publishes once more so the
        // GUI sees the final state with a fresh spectrum.
        const bool settle = !training && (m_loop->dirty || m_state.load() == State::Running);
        if (oneShot || training || settle) break;
        if (!m_loop->trainable()) c.run = false;  // nothing to run: forget the order
        m_wake.wait(lock);
    }
    m_interrupt = false;
    Commands& c = *m_commands;
    taken.run = c.run;
    taken.stepBudget = c.stepBudget;
    taken.resetConfigs = std::exchange(c.resetConfigs, std::nullopt);
    for (std::size_t i = 0; i < c.learningRate.size(); ++i) {
        taken.learningRate[i] = std::exchange(c.learningRate[i], std::nullopt);
        taken.clip[i] = std::exchange(c.clip[i], std::nullopt);
    }
    taken.selectionChanged = std::exchange(c.selectionChanged, false);
    taken.dropComparison = std::exchange(c.dropComparison, false);
    m_loop->keepStride = m_keepStride;
    return true;
}

void TrainingWorker::rebuild(const std::vector<core::ExperimentConfig>& configs) {
    Loop& loop = *m_loop;
    setState(State::Building);
    loop.lanes.clear();  // free the old models before allocating the new ones
    loop.stepsPerSecond = 0.0;
    m_stepsDone = 0;
    QString error;
    for (std::size_t i = 0; i < configs.size() && error.isEmpty(); ++i) {
        // Name the side only when there are two: a single run's message stays as it was.
        const QString side = configs.size() > 1 ? (i == 0 ? tr("A: ") : tr("B: ")) : QString();
        auto lane = std::make_unique<Lane>();
        lane->config = configs[i];
        const auto issues = core::validateExperiment(configs[i]);
        if (!issues.empty()) {
            for (const auto& issue : issues) error += side + QString::fromStdString(issue.text()) + QLatin1Char('\n');
            break;
        }
        try {
            lane->trainer = core::Trainer::create(configs[i]);
        } catch (const std::exception& e) {
            error = side + QString::fromUtf8(e.what());
            break;
        }
        loop.lanes.push_back(std::move(lane));
    }
    if (!error.isEmpty()) loop.lanes.clear();
    const std::uint64_t runId = m_runId.load() + 1;
    {
        Lock lock(m_mutex);
        m_error = error.trimmed();
        for (Mailbox& mail : m_mail) {
            mail.pendingSteps.clear();
            mail.latest.reset();
        }
        m_mailLanes = int(std::max<std::size_t>(1, configs.size()));
        m_pendingNewRun = true;
        m_keepStride = 1;
        loop.keepStride = 1;
    }
    m_runId = runId;
    if (!loop.built()) {
        setState(State::Failed);
        return;
    }
    for (const auto& lane : loop.lanes) {
        lane->builder.beginRun(*lane->trainer, lane->config, runId);
        lane->trainer->setStepInspector(lane->builder.distributionInspector());
    }
    loop.dirty = true;
    publish(true, false);
    setState(State::Paused);
}

void TrainingWorker::dropComparisonLane() {
    Loop& loop = *m_loop;
    if (loop.lanes.size() < 2) return;
    loop.lanes.resize(1);
    m_stepsDone = loop.lanes.front()->trainer->stepsDone();
    loop.dirty = true;
    // A comparison whose side B alone was still training ends where A diverged (the
    // idle pass that follows publishes that state).
    if (!loop.trainable()) {
        {
            Lock lock(m_mutex);
            m_commands->run = false;
            m_commands->stepBudget = 0;
        }
        setState(State::Diverged);
    }
}

void TrainingWorker::applyLiveSettings(const Commands& taken) {
    Loop& loop = *m_loop;
    for (std::size_t i = 0; i < loop.lanes.size(); ++i) {
        Lane& lane = *loop.lanes[i];
        const auto& learningRate = taken.learningRate[i];
        const auto& clip = taken.clip[i];
        if (!learningRate && !clip) continue;
        if (learningRate) {
            lane.config.training.optimizer.learningRate = *learningRate;
            lane.trainer->setLearningRate(*learningRate);
        }
        if (clip) {
            lane.config.training.clip = *clip;
            lane.trainer->setClip(*clip);
        }
        lane.builder.setConfig(lane.config);
        loop.dirty = true;
    }
}

Clock::time_point TrainingWorker::Loop::paceDue() const {
    if (paceSpeed <= 0.0) return paceStart;
    return paceStart + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(paceSteps / paceSpeed));
}

void TrainingWorker::trainChunk(bool budgeted) {
    Loop& loop = *m_loop;
    const auto start = Clock::now();
    std::int64_t budget = std::numeric_limits<std::int64_t>::max();
    if (budgeted) {
        Lock lock(m_mutex);
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
    // The trainers' references die at their next step: keep pointers only until copied.
    std::array<const core::StepStats*, kMaxLanes> last{};
    core::Lockstep lockstep;
    for (const auto& lane : loop.lanes) lockstep.addLane(*lane->trainer);
    while (!m_interrupt.load(std::memory_order_relaxed) && done < budget) {
        if (speed > 0.0 && Clock::now() < loop.paceDue()) {
            ahead = true;
            break;
        }
        // A step request ends here: the window will stand at this step, so its histograms
        // are the ones to show.
        if (budgeted && done + 1 == budget)
            for (const auto& lane : loop.lanes) lane->builder.collectNextStep();
        const std::vector<const core::StepStats*>& stepped = lockstep.step();
        for (std::size_t i = 0; i < stepped.size(); ++i) {
            if (!stepped[i]) continue;
            last[i] = stepped[i];
            if (last[i]->step % loop.keepStride == 0) loop.lanes[i]->kept.push_back(*last[i]);
        }
        ++done;
        ++loop.paceSteps;
        if (!lockstep.canStep() || Clock::now() - start >= kChunk) break;
    }
    std::int64_t stepsDone = 0;
    for (std::size_t i = 0; i < loop.lanes.size(); ++i) {
        if (last[i]) loop.lanes[i]->latest = *last[i];
        stepsDone = std::max(stepsDone, loop.lanes[i]->trainer->stepsDone());
    }
    m_stepsDone = stepsDone;
    loop.dirty = loop.dirty || done > 0;
    loop.rateSteps += done;

    const auto now = Clock::now();
    if (now - loop.rateStart >= milliseconds(250)) {
        loop.stepsPerSecond = loop.rateSteps / seconds(now - loop.rateStart);
        loop.rateStart = now;
        loop.rateSteps = 0;
    }

    const bool diverged = !loop.trainable();
    bool finished = diverged;
    {
        Lock lock(m_mutex);
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

void TrainingWorker::throttle() {
    const auto due = m_loop->paceDue();
    // Sleep on the condition so any command (pause, reset, stop) wakes us at once; at most
    // 100 ms so a speed change is noticed promptly.
    const auto until = std::min(due, Clock::now() + milliseconds(100));
    Lock lock(m_mutex);
    m_wake.wait_until(lock, until, [this] { return m_interrupt.load(); });
}

void TrainingWorker::publish(bool forceExpensive, bool running) {
    Loop& loop = *m_loop;
    if (!loop.built()) return;
    std::array<SnapshotPtr, kMaxLanes> snapshots;
    for (std::size_t i = 0; i < loop.lanes.size(); ++i) {
        Lane& lane = *loop.lanes[i];
        core::SnapshotBuilder::Inputs inputs;
        inputs.latest = lane.latest ? &*lane.latest : nullptr;
        inputs.running = running && lane.trainable();
        inputs.stepsPerSecond = lane.trainable() ? loop.stepsPerSecond : 0.0;
        inputs.selectedUnit = m_selectedUnit.load();
        inputs.forceExpensive = forceExpensive;
        snapshots[i] = lane.builder.build(*lane.trainer, inputs);
    }
    loop.dirty = false;
    loop.lastPublish = Clock::now();
    ++m_publishCount;

    Lock lock(m_mutex);
    // A lane whose mailbox dropComparison() closed is about to go: its frames go nowhere.
    for (std::size_t i = 0; i < std::min(loop.lanes.size(), std::size_t(m_mailLanes)); ++i) {
        Lane& lane = *loop.lanes[i];
        Mailbox& mail = m_mail[i];
        mail.latest = std::move(snapshots[i]);
        mail.pendingSteps.insert(mail.pendingSteps.end(), lane.kept.begin(), lane.kept.end());
        lane.kept.clear();
    }
    const bool overfull =
        std::any_of(m_mail.begin(), m_mail.end(), [&](const Mailbox& m) { return m.pendingSteps.size() > m_maxPendingSteps; });
    if (overfull) {
        // The GUI is not taking (minimised, blocked): keep every other step, as the GUI's
        // history would once it filled; both lanes alike, so they stay aligned.
        m_keepStride *= 2;
        for (Mailbox& mail : m_mail)
            std::erase_if(mail.pendingSteps, [&](const core::StepStats& s) { return s.step % m_keepStride != 0; });
    }
}

}  // namespace gradflow::ui
