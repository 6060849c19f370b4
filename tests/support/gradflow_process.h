#pragma once
// The gradflow executable run as a process, and the files it writes read back, for the
// command-line tests (tests/app). GRADFLOW_EXECUTABLE is the built binary's path.

#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace gradflow::test {

struct RunResult {
    int exitCode = -1;
    QString out;
    QString err;
};

inline RunResult runGradflow(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(GRADFLOW_EXECUTABLE), arguments);
    RunResult result;
    if (!process.waitForFinished(120000)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

/// The file's lines without the empty one after its last newline; none if unreadable.
inline QStringList readLines(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QStringList lines = QString::fromUtf8(file.readAll()).split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty()) lines.pop_back();
    return lines;
}

inline QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace gradflow::test
