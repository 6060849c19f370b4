// The manual and --help cannot drift: both are written from the parser's option table, and
// this test reads the two outputs back and compares them option by option (name, value
// name and text). The version shown by --version is the one in the man page's title.

#include <QMap>
#include <QRegularExpression>
#include <QTest>

#include "tests/support/gradflow_process.h"

using namespace gradflow::test;

namespace {

struct Documented {
    QString valueName;
    QString text;  ///< lines joined by '\n'
    bool operator==(const Documented&) const = default;
};
using Options = QMap<QString, Documented>;

/// "  --name VALUE    text", continued on lines indented to the text column.
Options optionsInHelp(const QString& help) {
    static const QRegularExpression head(QStringLiteral("^  --([a-z][a-z-]*)(?: ([^ ]+))? +(\\S.*)$"));
    static const QRegularExpression continuation(QStringLiteral("^ {24}(\\S.*)$"));
    Options options;
    QString last;
    for (const QString& line : help.split(QLatin1Char('\n'))) {
        if (const auto m = head.match(line); m.hasMatch()) {
            last = m.captured(1);
            options[last] = {m.captured(2), m.captured(3)};
        } else if (const auto c = continuation.match(line); c.hasMatch() && !last.isEmpty()) {
            options[last].text += QLatin1Char('\n') + c.captured(1);
        } else {
            last.clear();
        }
    }
    return options;
}

QString unroff(QString text) {
    text.replace(QStringLiteral("\\&"), QString());
    text.replace(QStringLiteral("\\-"), QStringLiteral("-"));
    text.replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
    return text;
}

/// ".TP" / ".B \-\-name \fIVALUE\fR" / text lines separated by ".br".
Options optionsInManPage(const QString& page) {
    static const QRegularExpression head(QStringLiteral("^\\.B \\\\-\\\\-([a-z\\\\-]+)(?: \\\\fI(.+)\\\\fR)?$"));
    Options options;
    QString current;
    bool afterTp = false;
    for (const QString& line : page.split(QLatin1Char('\n'))) {
        if (line == QStringLiteral(".TP")) {
            afterTp = true;
            current.clear();
            continue;
        }
        if (afterTp) {
            afterTp = false;
            const auto m = head.match(line);
            if (!m.hasMatch()) continue;
            current = unroff(m.captured(1));
            options[current] = {unroff(m.captured(2)), QString()};
            continue;
        }
        if (current.isEmpty()) continue;
        if (line.startsWith(QStringLiteral(".SS")) || line.startsWith(QStringLiteral(".SH"))) {
            current.clear();
        } else if (line == QStringLiteral(".br")) {
            options[current].text += QLatin1Char('\n');
        } else {
            options[current].text += unroff(line);
        }
    }
    return options;
}

}  // namespace

class TestManPage : public QObject {
    Q_OBJECT
private slots:
    void helpAndManPageListTheSameOptions();
    void versionIsTheProjectVersion();
};

void TestManPage::helpAndManPageListTheSameOptions() {
    const RunResult help = runGradflow({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    const QString page = QString::fromUtf8(readAll(QStringLiteral(GRADFLOW_MAN_PAGE)));
    QVERIFY2(page.startsWith(QStringLiteral(".TH GRADFLOW 1")), GRADFLOW_MAN_PAGE);

    const Options inHelp = optionsInHelp(help.out);
    const Options inPage = optionsInManPage(page);
    // Every option the command-line tests use is there (the parsers above read something).
    for (const char* name : {"config", "preset", "headless", "steps", "metrics", "log", "export", "view", "every", "compare",
                             "list-presets", "help", "version"})
        QVERIFY2(inHelp.contains(QLatin1String(name)), name);
    QCOMPARE(inPage.keys(), inHelp.keys());
    for (const QString& name : inHelp.keys()) {
        QCOMPARE(inPage[name].valueName, inHelp[name].valueName);
        QCOMPARE(inPage[name].text, inHelp[name].text);
    }
    QCOMPARE(inHelp[QStringLiteral("log")].text.simplified(),
             QStringLiteral("per step: step,loss,accuracy,grad_norm,grad_norm_clipped,clipped,diverged, "
                            "learning_rate,test_loss,test_accuracy (test columns every data.test_every steps)"));
}

void TestManPage::versionIsTheProjectVersion() {
    const RunResult version = runGradflow({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QCOMPARE(version.out, QStringLiteral("gradflow " GRADFLOW_VERSION "\n"));
    const QString page = QString::fromUtf8(readAll(QStringLiteral(GRADFLOW_MAN_PAGE)));
    QVERIFY(page.section(QLatin1Char('\n'), 0, 0).contains(QStringLiteral("\"GradFlow " GRADFLOW_VERSION "\"")));
}

QTEST_MAIN(TestManPage)
#include "tst_man_page.moc"
