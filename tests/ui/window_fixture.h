#pragma once
// A main window for GUI tests: on a lesson, 1366x768, paused at step 0; and the one wait
// the tests use (QTest::qWaitFor with a generous limit: the condition ends it early).

#include <QApplication>
#include <QtTest>
#include <functional>
#include <memory>

#include "ui/main_window.h"
#include "ui/training_worker.h"

namespace gradflow::ui::testdata {

inline bool waitFor(const std::function<bool()>& predicate, int ms = 20000) { return QTest::qWaitFor(predicate, ms); }

/// A window on `preset`, paused at step 0. `active`: also shown and the active window
/// (keyboard shortcuts need one).
inline std::unique_ptr<MainWindow> makeWindow(const QString& preset = QStringLiteral("deep-sigmoid-vanishing"),
                                              bool active = false) {
    auto window = std::make_unique<MainWindow>();
    window->resize(1366, 768);
    if (!window->openPreset(preset)) return nullptr;
    if (active) {
        window->show();
        QApplication::setActiveWindow(window.get());
        if (!QTest::qWaitForWindowActive(window.get())) return nullptr;
    }
    if (!waitFor([&] { return window->worker()->state() == TrainingWorker::State::Paused; })) return nullptr;
    return window;
}

/// The same, shown and active.
inline std::unique_ptr<MainWindow> makeActiveWindow(const QString& preset = QStringLiteral("deep-sigmoid-vanishing")) {
    return makeWindow(preset, true);
}

}  // namespace gradflow::ui::testdata
