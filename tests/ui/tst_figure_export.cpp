// Every export format produces a valid file: PNG dimensions = size * scale, SVG parses as
// XML and names an explicit font family, PDF starts with %PDF; captions switch off; frame
// sequences are numbered; errors are reported as text, never thrown.
#include <QImageReader>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

#include "plot_test_data.h"
#include "ui/dashboard.h"
#include "ui/figure_caption.h"
#include "ui/figure_export.h"
#include "ui/plots/plot_view.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

class TestFigureExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void pngSizeTimesScale_data();
    void pngSizeTimesScale();
    void svgIsXmlWithExplicitFont();
    void pdfHeader();
    void everyViewExports();
    void captionText();
    void captionSwitchesOff();
    void hiResIsNotUpscaled();
    void badInputsGiveMessages();
    void headlessRender();
    void frameSequence();
    void exportLeavesTheWindowAsItWas();
    void dashboardFigureShowsEveryView_data();
    void dashboardFigureShowsEveryView();

private:
    QTemporaryDir m_dir;
    core::TrainingHistory m_history;
    SnapshotPtr m_snapshot;
};

void TestFigureExport::initTestCase() {
    QVERIFY(m_dir.isValid());
    fillHistory(m_history, 10, 60, 0.6);
    auto snap = makeSnapshot(10, 59, 0.6);
    snap->config.lesson.title = "Deep sigmoid";
    m_snapshot = snap;
}

void TestFigureExport::pngSizeTimesScale_data() {
    QTest::addColumn<QSize>("size");
    QTest::addColumn<double>("scale");
    QTest::newRow("1x") << QSize(800, 500) << 1.0;
    QTest::newRow("2x") << QSize(640, 400) << 2.0;
    QTest::newRow("3x") << QSize(400, 300) << 3.0;
    QTest::newRow("1.5x") << QSize(500, 300) << 1.5;
}

void TestFigureExport::pngSizeTimesScale() {
    QFETCH(QSize, size);
    QFETCH(double, scale);
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    const QString path = m_dir.filePath(QStringLiteral("grad_%1.png").arg(QTest::currentDataTag()));
    ExportOptions o;
    o.size = size;
    o.scale = scale;
    QCOMPARE(exportView(*dashboard.view("gradients"), path, o), QString());
    QImageReader reader(path);
    QCOMPARE(reader.size(), QSize(qRound(size.width() * scale), qRound(size.height() * scale)));
    const QString dashPath = m_dir.filePath(QStringLiteral("dash_%1.png").arg(QTest::currentDataTag()));
    o.size = size * 2;
    QCOMPARE(exportDashboard(dashboard, dashPath, o), QString());
    QCOMPARE(QImageReader(dashPath).size(), QSize(qRound(size.width() * 2 * scale), qRound(size.height() * 2 * scale)));
}

void TestFigureExport::svgIsXmlWithExplicitFont() {
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    const QString path = m_dir.filePath("dash.svg");
    ExportOptions o;
    o.size = QSize(1400, 900);
    QCOMPARE(exportDashboard(dashboard, path, o), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&f);
    int texts = 0;
    QStringList families;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == QLatin1String("text")) {
            ++texts;
            families << xml.attributes().value("font-family").toString();
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(texts > 20);  // axis labels are text, not paths or pixels
    QVERIFY(!families.contains(QStringLiteral("Sans Serif")));
    const Theme t = Theme::make(ThemeKind::Light, false);
    QVERIFY(families.join(',').contains(t.fontFamily));
}

void TestFigureExport::pdfHeader() {
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    const QString path = m_dir.filePath("spectrum.pdf");
    ExportOptions o;
    o.size = QSize(900, 500);
    QCOMPARE(exportView(*dashboard.view("spectrum"), path, o), QString());
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.read(5).startsWith("%PDF"));
    QVERIFY(f.size() > 2000);
    const QString dashPath = m_dir.filePath("dash.pdf");
    QCOMPARE(exportDashboard(dashboard, dashPath, o), QString());
    QFile g(dashPath);
    QVERIFY(g.open(QIODevice::ReadOnly));
    QVERIFY(g.read(5).startsWith("%PDF"));
}

void TestFigureExport::everyViewExports() {
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    QCOMPARE(dashboard.views().size(), 9);
    ExportOptions o;
    o.size = QSize(600, 400);
    for (PlotView* v : dashboard.views()) {
        const QImage img = renderViewImage(*v, o);
        QCOMPARE(img.size(), QSize(600, 400));
        // Not blank: more than one colour in the plot.
        QSet<QRgb> colours;
        for (int y = 0; y < img.height(); y += 7)
            for (int x = 0; x < img.width(); x += 7) colours.insert(img.pixel(x, y));
        QVERIFY2(colours.size() > 3, qPrintable(v->name()));
    }
}

void TestFigureExport::captionText() {
    const QString c = figureCaption(*m_snapshot);
    QVERIFY(c.contains(QStringLiteral("depth 9 × width 64")));
    QVERIFY(c.contains(QStringLiteral("step 60")));
    QVERIFY(c.contains(QStringLiteral("no mitigations")));
    auto s = std::make_shared<Snapshot>(*m_snapshot);
    for (auto& l : s->config.layers) l.batchNorm = true;
    s->config.residual.every = 2;
    s->config.training.clip.mode = core::ClipMode::Norm;
    const QString m = mitigationsText(s->config);
    QVERIFY(m.contains("batch norm") && m.contains("residual every 2") && m.contains("clip norm 1"));
}

void TestFigureExport::captionSwitchesOff() {
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    PlotView* v = dashboard.view("loss");
    ExportOptions o;
    o.size = QSize(600, 400);
    o.caption = true;
    const QImage with = renderViewImage(*v, o);
    o.caption = false;
    const QImage without = renderViewImage(*v, o);
    QCOMPARE(with.size(), without.size());  // the caption lives inside the requested size
    QVERIFY(with != without);
    const QByteArray svg = renderViewSvg(*v, o);
    QVERIFY(!svg.contains("Deep sigmoid"));
    o.caption = true;
    QVERIFY(renderViewSvg(*v, o).contains("Deep sigmoid"));
}

void TestFigureExport::hiResIsNotUpscaled() {
    // A 3x export renders at 3x (thin features stay thin) rather than blowing up a 1x
    // bitmap: count distinct grey levels in the text-heavy title strip at 3x vs 1x.
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    PlotView* v = dashboard.view("gradients");
    ExportOptions o;
    o.size = QSize(500, 300);
    o.caption = false;
    const QImage one = renderViewImage(*v, o);
    o.scale = 3.0;
    const QImage three = renderViewImage(*v, o);
    const QImage up = one.scaled(three.size(), Qt::IgnoreAspectRatio, Qt::FastTransformation);
    QVERIFY(three != up);
    QVERIFY(qAbs(three.dotsPerMeterX() - 3 * one.dotsPerMeterX()) <= 2);
}

void TestFigureExport::badInputsGiveMessages() {
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    ExportOptions o;
    o.size = QSize(400, 300);
    QVERIFY(!exportDashboard(dashboard, m_dir.filePath("x.bmpx"), o).isEmpty());
    QVERIFY(!exportDashboard(dashboard, m_dir.filePath("missing/dir/x.png"), o).isEmpty());
    o.scale = 9;
    QVERIFY(!exportDashboard(dashboard, m_dir.filePath("x.png"), o).isEmpty());
    QVERIFY(!renderHeadless(m_snapshot, m_history, m_dir.filePath("v.png"), ExportOptions{QSize(400, 300)}, "nope").isEmpty());
}

void TestFigureExport::headlessRender() {
    const QString path = m_dir.filePath("headless.png");
    QCOMPARE(renderHeadless(m_snapshot, m_history, path, ExportOptions{QSize(1366, 768), 2.0}), QString());
    QCOMPARE(QImageReader(path).size(), QSize(2732, 1536));
    const QString viewPath = m_dir.filePath("phase.svg");
    QCOMPARE(renderHeadless(m_snapshot, m_history, viewPath, ExportOptions{QSize(700, 500)}, "phase"), QString());
    QVERIFY(QFileInfo(viewPath).size() > 1000);
    // Before the first step (empty states) and a diverged step both render.
    QCOMPARE(renderHeadless(std::make_shared<Snapshot>(), core::TrainingHistory(), m_dir.filePath("empty.png"), ExportOptions{QSize(900, 600)}),
             QString());
    core::TrainingHistory bad;
    fillHistory(bad, 10, 30, 0.6, true);
    QCOMPARE(renderHeadless(makeSnapshot(10, 29, 0.6, true), bad, m_dir.filePath("diverged.pdf"), ExportOptions{QSize(900, 600)}, QString(),
                            ThemeKind::Dark),
             QString());
}

void TestFigureExport::frameSequence() {
    Dashboard dashboard;
    ExportOptions o;
    o.size = QSize(320, 200);
    const QString dir = m_dir.filePath("frames");
    FrameSequenceWriter writer(dir, o, "loss");
    core::TrainingHistory history;
    for (int s = 0; s < 3; ++s) {
        history.append(makeStats(s, 5, 0.6));
        dashboard.showFrame(makeSnapshot(5, s, 0.6), history);
        QCOMPARE(writer.writeFrame(dashboard), QString());
    }
    QCOMPARE(writer.framesWritten(), 3);
    QCOMPARE(FrameSequenceWriter::frameFileName(1), QStringLiteral("frame_00001.png"));
    for (int i = 1; i <= 3; ++i) QVERIFY(QFileInfo::exists(dir + "/" + FrameSequenceWriter::frameFileName(i)));
    QCOMPARE(QImageReader(dir + "/frame_00003.png").size(), QSize(320, 200));
}

void TestFigureExport::exportLeavesTheWindowAsItWas() {
    // A figure is laid out at its own size; afterwards every plot on screen draws into its
    // whole widget again (it once kept the figure cell's viewport: half a plot on screen).
    Dashboard dashboard;
    dashboard.showFrame(m_snapshot, m_history);
    dashboard.resize(1500, 900);
    dashboard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
    QHash<PlotView*, QRect> before;
    int visible = 0;
    for (PlotView* v : dashboard.views()) {
        if (v->isVisible()) {
            QCOMPARE(v->plot()->viewport(), v->plot()->rect());
            ++visible;
        }
        before[v] = v->plot()->viewport();
    }
    QVERIFY(visible > 0);  // else the check above never ran
    ExportOptions o;
    o.size = QSize(700, 400);
    renderDashboardImage(dashboard, o);
    renderViewImage(*dashboard.view("gradients"), o);
    QCOMPARE(exportView(*dashboard.view("spectrum"), m_dir.filePath("screen.pdf"), o), QString());
    for (PlotView* v : dashboard.views()) QCOMPARE(v->plot()->viewport(), before[v]);
}

void TestFigureExport::dashboardFigureShowsEveryView_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("1366x768") << QSize(1366, 768);
    QTest::newRow("1920x1080") << QSize(1920, 1080);
}

void TestFigureExport::dashboardFigureShowsEveryView() {
    // The window keeps the layer-health and phase views in tabs behind the data view; the
    // figure of the whole dashboard has no tabs, so it must draw them anyway. Each has a
    // colour nothing else uses: the saturation bars, and the phase map's ordered end
    // (chi_1 <= 1/10, wherever sigma_w^2 is small).
    QFETCH(QSize, size);
    const auto near = [](QRgb p, QColor c) {
        return std::abs(qRed(p) - c.red()) + std::abs(qGreen(p) - c.green()) + std::abs(qBlue(p) - c.blue()) < 24;
    };
    const QColor saturation = Theme::make(ThemeKind::Light, false).categorical.value(3);
    const QColor ordered(0x21, 0x66, 0xac);
    // Headless and in the window (shown, another tab in front).
    for (const bool onScreen : {false, true}) {
        Dashboard dashboard;
        dashboard.showFrame(m_snapshot, m_history);
        if (onScreen) {
            dashboard.resize(size);
            dashboard.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dashboard));
            dashboard.revealView(dashboard.view("decision"));
        }
        ExportOptions o;
        o.size = size;
        const QImage image = renderDashboardImage(dashboard, o).convertToFormat(QImage::Format_RGB32);
        int health = 0, phase = 0;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2) {
                const QRgb p = image.pixel(x, y);
                health += near(p, saturation);
                phase += near(p, ordered);
            }
        }
        QVERIFY2(health > 100, qPrintable(QStringLiteral("layer health missing (%1)").arg(health)));
        QVERIFY2(phase > 100, qPrintable(QStringLiteral("phase diagram missing (%1)").arg(phase)));
    }
}

QTEST_MAIN(TestFigureExport)
#include "tst_figure_export.moc"
