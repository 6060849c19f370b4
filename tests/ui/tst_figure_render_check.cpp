// Figures are tested by looking at them. For a vanishing, an exploding (diverging), a
// recurrent and a comparison run, every view and the whole dashboard are exported as PNG,
// SVG and PDF at 1366x768 and 1920x1080 by the headless export's own code; the SVG is
// rendered back to pixels by QSvgRenderer and by rsvg-convert, the PDF by pdftoppm, and
// each must look like its PNG: after a small blur, which forgives anti-aliasing and glyph
// rasterisation differences between renderers, at most kMaxDifferingPermille of the
// pixels may differ. Right after each export, while the plots are still laid out at the
// figure's size, the drawn geometry is checked as well: nothing outside its axis rect, no
// text wider than its room (ui/plots/plot_geometry.h).
#include <QImageReader>
#include <QPainter>
#include <QProcess>
#include <QStandardPaths>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QtTest>
#include <map>
#include <memory>

#include "preset_run.h"
#include "ui/dashboard.h"
#include "ui/figure_export.h"
#include "ui/plots/plot_geometry.h"
#include "ui/plots/plot_view.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

constexpr int kSteps = 30;
/// As the figure-check tool beside the repository: a right export stays well under this.
constexpr int kMaxDifferingPermille = 15;
/// A channel difference the blur does not explain (12% of full scale).
constexpr int kChannelTolerance = 31;
constexpr int kBlurRadius = 3;

/// Box blur of radius kBlurRadius, twice over a channel-interleaved copy (separable
/// running sums): about a Gaussian of sigma 2, as figure-check's `-blur 0x2`.
std::vector<int> blurred(const QImage& source) {
    const QImage image = source.convertToFormat(QImage::Format_RGB32);
    const int w = image.width(), h = image.height(), r = kBlurRadius;
    std::vector<int> a(std::size_t(w) * h * 3), b(a.size());
    for (int y = 0; y < h; ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < w; ++x) {
            int* p = &a[(std::size_t(y) * w + x) * 3];
            p[0] = qRed(line[x]), p[1] = qGreen(line[x]), p[2] = qBlue(line[x]);
        }
    }
    // One pass along x (stride 3) or y (stride 3w), from `in` to `out`.
    const auto pass = [&](const std::vector<int>& in, std::vector<int>& out, bool alongX) {
        const int lines = alongX ? h : w, length = alongX ? w : h;
        const std::size_t step = alongX ? 3 : std::size_t(w) * 3;
        for (int l = 0; l < lines; ++l) {
            const std::size_t origin = alongX ? std::size_t(l) * w * 3 : std::size_t(l) * 3;
            for (int c = 0; c < 3; ++c) {
                int sum = 0, count = 0;
                for (int i = 0; i < std::min(r, length); ++i) sum += in[origin + i * step + c], ++count;
                for (int i = 0; i < length; ++i) {
                    if (i + r < length) sum += in[origin + (i + r) * step + c], ++count;
                    if (i - r - 1 >= 0) sum -= in[origin + (i - r - 1) * step + c], --count;
                    out[origin + i * step + c] = sum / count;
                }
            }
        }
    };
    pass(a, b, true);
    pass(b, a, false);
    return a;
}

/// Share of pixels (per mille) whose blurred colours differ by more than the tolerance
/// (RMS over the channels, as ImageMagick's -fuzz measures).
int differingPermille(const std::vector<int>& a, const QImage& other) {
    if (other.isNull()) return 1000;
    const std::vector<int> b = blurred(other);
    if (a.size() != b.size()) return 1000;
    qint64 differing = 0;
    const qint64 limit = qint64(kChannelTolerance) * kChannelTolerance * 3;
    for (std::size_t i = 0; i < a.size(); i += 3) {
        const qint64 dr = a[i] - b[i], dg = a[i + 1] - b[i + 1], db = a[i + 2] - b[i + 2];
        if (dr * dr + dg * dg + db * db > limit) ++differing;
    }
    return int(differing * 1000 / qint64(a.size() / 3));
}

/// A renderer run in the background; its stderr is part of the verdict (poppler reports
/// broken content streams there and still writes a page).
struct Tool {
    std::unique_ptr<QProcess> process = std::make_unique<QProcess>();
    QString program;
    void start(const QString& p, const QStringList& arguments) {
        program = p;
        process->start(p, arguments);
    }
    QString finish() {
        if (!process->waitForFinished(60000)) return QStringLiteral("%1 did not finish").arg(program);
        const QString errors = QString::fromLocal8Bit(process->readAllStandardError()).trimmed();
        if (process->exitCode() != 0 || !errors.isEmpty())
            return QStringLiteral("%1 exit %2: %3").arg(program).arg(process->exitCode()).arg(errors.left(300));
        return {};
    }
};

struct Row {
    const char* tag;
    const char* preset;
    const char* change;
    QSize size;
};

/// The sanitizer pass (ASan+UBSan at -O1) paints several times slower and the whole CI
/// has 30 minutes: it checks the dashboard figure (all seven views) at the smaller size
/// only, which still runs every view's drawing, every format and every renderer once per
/// run; the Release pass checks each view alone and both sizes as well.
#ifdef GRADFLOW_SANITIZED
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

}  // namespace

class TestFigureRenderCheck : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void exportsLookLikeTheirPng_data();
    void exportsLookLikeTheirPng();

private:
    const PresetRun& run(const char* preset, const char* change);
    /// Exports `view` (null: the dashboard) as stem.png, .svg and .pdf and checks the
    /// drawn geometry; returns the problems found.
    QStringList exportFigure(Dashboard& dashboard, PlotView* view, const QSize& size, const QString& stem);
    /// Renders stem.svg with QSvgRenderer, takes the command-line renders when they are
    /// done, and compares each with stem.png.
    QStringList compareRenders(const QString& stem, const QSize& size, Tool& rsvg, Tool& poppler);

    QTemporaryDir m_dir;
    QString m_rsvg, m_pdftoppm;
    std::map<QString, std::unique_ptr<PresetRun>> m_runs;
    std::pair<int, QString> m_worst{0, QString()};  ///< the largest difference seen, and where
};

void TestFigureRenderCheck::initTestCase() {
    QVERIFY(m_dir.isValid());
    // Not a skip: .ci/packages installs both, and without them the vector formats go unchecked.
    m_rsvg = QStandardPaths::findExecutable(QStringLiteral("rsvg-convert"));
    m_pdftoppm = QStandardPaths::findExecutable(QStringLiteral("pdftoppm"));
    QVERIFY2(!m_rsvg.isEmpty(), "rsvg-convert is missing: apt-get install librsvg2-bin (see .ci/packages)");
    QVERIFY2(!m_pdftoppm.isEmpty(), "pdftoppm is missing: apt-get install poppler-utils (see .ci/packages)");
}

const PresetRun& TestFigureRenderCheck::run(const char* preset, const char* change) {
    const QString key = QString::fromLatin1(preset) + QLatin1Char('+') + QString::fromLatin1(change);
    auto& slot = m_runs[key];
    if (!slot) slot = runPreset(preset, kSteps, change);
    return *slot;
}

void TestFigureRenderCheck::exportsLookLikeTheirPng_data() {
    QTest::addColumn<QString>("preset");
    QTest::addColumn<QString>("change");
    QTest::addColumn<QSize>("size");
    const Row rows[] = {{"vanishing", "deep-sigmoid-vanishing", "", {}},
                        {"exploding", "exploding-large-weights", "", {}},
                        {"recurrent", "rnn-adding-forgets", "", {}},
                        {"comparison", "deep-sigmoid-vanishing", "batch-norm-on", {}}};
    QList<QSize> sizes{QSize(1366, 768)};
    if (!kSanitized) sizes << QSize(1920, 1080);
    for (const QSize& size : sizes)
        for (const Row& r : rows)
            QTest::addRow("%s %dx%d", r.tag, size.width(), size.height())
                << QString::fromLatin1(r.preset) << QString::fromLatin1(r.change) << size;
}

void TestFigureRenderCheck::exportsLookLikeTheirPng() {
    QFETCH(QString, preset);
    QFETCH(QString, change);
    QFETCH(QSize, size);
    const PresetRun& r = run(preset.toLatin1().constData(), change.toLatin1().constData());
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    Dashboard dashboard;
    const HeadlessComparison comparison = r.comparison();
    prepareHeadlessDashboard(dashboard, r.snapshot, r.history, size, ThemeKind::Light, r.comparing() ? &comparison : nullptr);
    const QString tag = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'));
    QStringList problems;
    // Every figure first; a comparison exports the whole dashboard only (as --compare does).
    QStringList stems;
    if (!r.comparing() && !kSanitized) {
        for (PlotView* view : dashboard.views()) {
            stems << m_dir.filePath(tag + QLatin1Char('-') + view->name());
            view->resize(size);  // as renderHeadless does for --view
            problems << exportFigure(dashboard, view, size, stems.last());
        }
    }
    stems << m_dir.filePath(tag + QStringLiteral("-dashboard"));
    problems << exportFigure(dashboard, nullptr, size, stems.last());
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    // Then every renderer at once: the command-line ones run beside this process, which
    // renders with QSvgRenderer and compares.
    const QString w = QString::number(size.width()), h = QString::number(size.height());
    std::vector<Tool> rsvg(std::size_t(stems.size())), poppler(std::size_t(stems.size()));
    for (qsizetype i = 0; i < stems.size(); ++i) {
        const QString& stem = stems[i];
        rsvg[std::size_t(i)].start(
            m_rsvg, {QStringLiteral("-w"), w, QStringLiteral("-h"), h, QStringLiteral("-b"), QStringLiteral("white"),
                     stem + QStringLiteral(".svg"), QStringLiteral("-o"), stem + QStringLiteral("-rsvg.png")});
        poppler[std::size_t(i)].start(
            m_pdftoppm, {QStringLiteral("-png"), QStringLiteral("-singlefile"), QStringLiteral("-scale-to-x"), w,
                         QStringLiteral("-scale-to-y"), h, stem + QStringLiteral(".pdf"), stem + QStringLiteral("-poppler")});
    }
    for (qsizetype i = 0; i < stems.size(); ++i)
        problems << compareRenders(stems[i], size, rsvg[std::size_t(i)], poppler[std::size_t(i)]);
    // How close the closest call was, for a log that shows drift before it fails.
    qInfo("worst so far: %d permille (%s)", m_worst.first, qPrintable(m_worst.second));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
}

QStringList TestFigureRenderCheck::exportFigure(Dashboard& dashboard, PlotView* view, const QSize& size, const QString& stem) {
    QStringList problems;
    const QString name = view ? view->name() : QStringLiteral("dashboard");
    ExportOptions options;
    options.size = size;
    for (const char* suffix : {".png", ".svg", ".pdf"}) {
        const QString path = stem + QLatin1String(suffix);
        const QString error = view ? exportView(*view, path, options) : exportDashboard(dashboard, path, options);
        if (!error.isEmpty()) problems << QStringLiteral("%1: %2").arg(path, error);
        // One layout serves every format: checked after the first export, while the
        // plots are still laid out at the figure's size.
        if (qstrcmp(suffix, ".png") != 0) continue;
        QList<PlotView*> painted = view                    ? QList<PlotView*>{view}
                                   : dashboard.comparing() ? dashboard.visibleViews()
                                                           : dashboard.views();
        if (!view && !dashboard.comparing())
            painted.removeIf([](const PlotView* v) { return !dashboardFigureViews().contains(v->name()); });
        for (PlotView* v : painted)
            for (const QString& p : figureGeometryProblems(*v->plot()))
                problems << QStringLiteral("%1 (%2): %3").arg(name, v->name(), p);
    }
    return problems;
}

QStringList TestFigureRenderCheck::compareRenders(const QString& stem, const QSize& size, Tool& rsvg, Tool& poppler) {
    QStringList problems;
    const QString name = QFileInfo(stem).fileName();
    const std::vector<int> reference = blurred(QImage(stem + QStringLiteral(".png")));
    QImage qt(size, QImage::Format_RGB32);
    qt.fill(Qt::white);
    {
        QPainter painter(&qt);
        QSvgRenderer(stem + QStringLiteral(".svg")).render(&painter);
    }
    const QString rsvgError = rsvg.finish(), popplerError = poppler.finish();
    const QList<std::tuple<QString, QString, QImage>> renders{
        {QStringLiteral("svg (QSvgRenderer)"), QString(), qt},
        {QStringLiteral("svg (rsvg-convert)"), rsvgError, QImage(stem + QStringLiteral("-rsvg.png"))},
        {QStringLiteral("pdf (pdftoppm)"), popplerError, QImage(stem + QStringLiteral("-poppler.png"))}};
    for (const auto& [renderer, error, image] : renders) {
        if (!error.isEmpty()) problems << QStringLiteral("%1 %2: %3").arg(name, renderer, error);
        const int permille = differingPermille(reference, image);
        if (permille > m_worst.first) m_worst = {permille, name + QLatin1Char(' ') + renderer};
        if (permille >= kMaxDifferingPermille)
            problems << QStringLiteral("%1 %2: %3 permille of the pixels differ from the PNG").arg(name, renderer).arg(permille);
    }
    return problems;
}

QTEST_MAIN(TestFigureRenderCheck)
#include "tst_figure_render_check.moc"
