#pragma once
// Runs core::Trainers on their own thread. The thread is a plain loop (no event loop):
// queued slots sent to a busy loop would never run, so every command is a field set under
// m_mutex followed by a wake-up, and the loop checks an atomic "something changed" flag
// between steps. Results leave as an immutable Snapshot in a mutex-guarded mailbox plus a
// vector of the steps the GUI's TrainingHistory keeps; the GUI pulls both on its frame
// timer with takeUpdate(), so the event loop never floods however fast training runs.
// Pattern: Qt's Mandelbrot example (a worker QThread that owns its loop, results posted back).
//
// A comparison runs two configurations as two lanes of the same loop: every step steps
// both, so they stay in lockstep whatever their relative cost. A lane that diverges stops
// while the other goes on; the run counts as diverged once every lane has.
//
// std::mutex rather than QMutex: QWaitCondition unlocks inside uninstrumented Qt code,
// which ThreadSanitizer cannot see; the standard primitives it sees whole.

#include <QObject>
#include <QString>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/config/experiment_config.h"
#include "core/training/step_stats.h"
#include "ui/snapshot.h"

class QThread;

namespace gradflow::core {
class Trainer;
}

namespace gradflow::ui {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    enum class State {
        Empty,     ///< no model yet (before the first reset)
        Building,  ///< a reset is building the model
        Paused,    ///< ready; stepping only on request
        Running,
        Diverged,  ///< the run went non-finite; only reset leaves this state
        Failed,    ///< the config could not be built (message in errorText())
        Stopped,   ///< shut down; the thread has ended
    };
    Q_ENUM(State)

    /// Lanes a run can have: the experiment, and the configuration it is compared with.
    static constexpr int kMaxLanes = 2;
    /// For setLearningRate() / setClip(): every lane.
    static constexpr int kAllLanes = -1;
    /// While running, at most one snapshot per this interval (one per 60 Hz frame).
    static constexpr std::chrono::milliseconds kPublishInterval{16};
    /// Steps a lane's mailbox holds for a GUI that stopped taking before it thins them.
    static constexpr std::size_t kMaxPendingSteps = 16384;

    /// One lane's part of an update: `snapshot` is null when nothing was published since
    /// the last take; `steps` are the newly kept steps (oldest first).
    struct LaneUpdate {
        SnapshotPtr snapshot;
        std::vector<core::StepStats> steps;
    };

    /// What the GUI takes each frame: the experiment's lane in `snapshot`/`steps`, the
    /// comparison's in `comparison` (empty unless the run has two lanes). `newRun` says the
    /// GUI must clear its histories before appending.
    struct Update {
        SnapshotPtr snapshot;
        std::vector<core::StepStats> steps;
        LaneUpdate comparison;
        bool newRun = false;
        int lanes = 1;  ///< lanes of the current run
    };

    /// `maxPendingSteps`: see kMaxPendingSteps (tests choose a small one).
    explicit TrainingWorker(QObject* parent = nullptr, std::size_t maxPendingSteps = kMaxPendingSteps);
    /// Stops and joins the thread (never terminates it).
    ~TrainingWorker() override;

    // Commands: thread-safe, non-blocking, callable from any thread.
    /// Rebuilds the trainer from `config` (validated first) and pauses at step 0, with no
    /// unit selected. With
    /// `comparison`, a second lane trains that configuration in lockstep.
    void reset(const core::ExperimentConfig& config, const std::optional<core::ExperimentConfig>& comparison = std::nullopt);
    /// Ends a comparison without touching the experiment: lane 0 keeps its model, step
    /// count and history and goes on as it was (running or paused); lane 1 is dropped.
    /// Nothing happens to a run with one lane.
    void dropComparison();
    void train();
    void pause();
    /// Performs exactly `steps` more steps, then pauses.
    void step(int steps = 1);
    /// Live settings, for one lane (0 or 1) or every lane.
    void setLearningRate(double learningRate, int lane = kAllLanes);
    void setClip(const core::ClipSpec& clip, int lane = kAllLanes);
    /// Target steps per second; 0 = flat out.
    void setSpeed(double stepsPerSecond);
    /// 0-based depth unit whose spectrum later snapshots carry; -1 for none.
    void setSelectedUnit(int unit);
    /// Ends the loop and joins the thread; idempotent. Called by the destructor.
    void stop();

    // Queries: thread-safe.
    State state() const { return m_state.load(); }
    std::int64_t stepsDone() const { return m_stepsDone.load(); }
    std::uint64_t runId() const { return m_runId.load(); }
    /// Publishes so far (each carries a snapshot per lane): how often the GUI is offered a frame.
    std::uint64_t publishCount() const { return m_publishCount.load(); }
    QString errorText() const;
    bool isThreadRunning() const;
    /// Takes the newest snapshot and the kept steps. `historyStride` is the GUI history's
    /// current stride: the worker only queues steps that are multiples of it.
    Update takeUpdate(std::int64_t historyStride = 1);

signals:
    /// Emitted from the worker thread (queued to receivers in the GUI thread).
    void stateChanged(gradflow::ui::TrainingWorker::State state);

private:
    struct Commands;  // what the GUI asked for since the loop last looked
    struct Lane;      // one configuration being trained (two while comparing)
    /// Applies `edit` to the commands under the lock, then wakes the loop.
    template <typename Edit>
    void command(Edit&& edit);
    void run();
    bool waitForWork(Commands& taken);
    void rebuild(const std::vector<core::ExperimentConfig>& configs);
    void dropComparisonLane();
    void applyLiveSettings(const Commands& taken);
    void trainChunk(bool budgeted);
    void publish(bool forceExpensive, bool running);
    void setState(State state);
    void throttle();

    struct Mailbox {
        SnapshotPtr latest;
        std::vector<core::StepStats> pendingSteps;
    };

    // Shared with the GUI thread, guarded by m_mutex.
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::unique_ptr<Commands> m_commands;
    std::array<Mailbox, kMaxLanes> m_mail;
    int m_mailLanes = 1;
    bool m_pendingNewRun = false;
    QString m_error;
    std::int64_t m_keepStride = 1;
    const std::size_t m_maxPendingSteps;

    // Lock-free flags read between steps.
    std::atomic<bool> m_interrupt{false};  ///< a command is waiting: leave the chunk
    std::atomic<State> m_state{State::Empty};
    std::atomic<std::int64_t> m_stepsDone{0};
    std::atomic<std::uint64_t> m_runId{0};
    std::atomic<std::uint64_t> m_publishCount{0};
    std::atomic<double> m_speed{0.0};
    std::atomic<int> m_selectedUnit{-1};

    // Owned by the worker thread only.
    struct Loop;
    std::unique_ptr<Loop> m_loop;
    QThread* m_thread = nullptr;
};

}  // namespace gradflow::ui
