// The phase diagram says which model it describes, and never more: with batch norm or
// residual connections it greys the marker and says the map shows the plain stack (no
// verdict on this network); for recurrent nets a short note. At the sizes a 1366x768 or
// 1920x1080 window gives it, alone or in a comparison, normal or presenter type, every
// text lies inside the plot and none covers another.
#include <QtTest>

#include "plot_test_data.h"
#include "ui/plots/phase_diagram_plot.h"

using namespace gradflow;
using namespace gradflow::ui;
using namespace gradflow::ui::testdata;

namespace {

enum class Model { Plain, BatchNorm, Residual, Recurrent };

SnapshotPtr snapshotFor(Model model) {
    auto snap = makeSnapshot(8, 19, 0.5);
    if (model == Model::BatchNorm)
        for (auto& layer : snap->config.layers) layer.batchNorm = true;
    if (model == Model::Residual) snap->config.residual.every = 2;
    if (model == Model::Recurrent) snap->config.model = core::ModelKind::Recurrent;
    return snap;
}

/// The drawn box, corner to corner (continuous: boxes that only touch do not overlap).
QRectF boxOf(const QCPItemText* text) {
    return QRectF(text->topLeft->pixelPosition(), text->bottomRight->pixelPosition()).normalized();
}

}  // namespace

Q_DECLARE_METATYPE(Model)

class TestPhaseDiagram : public QObject {
    Q_OBJECT
private slots:
    void textsInsideAndApart_data();
    void textsInsideAndApart();
    void remediesAndRecurrentAreExplained();
};

void TestPhaseDiagram::textsInsideAndApart_data() {
    QTest::addColumn<Model>("model");
    QTest::newRow("plain") << Model::Plain;
    QTest::newRow("batchnorm") << Model::BatchNorm;
    QTest::newRow("residual") << Model::Residual;
    QTest::newRow("recurrent") << Model::Recurrent;
}

void TestPhaseDiagram::textsInsideAndApart() {
    QFETCH(Model, model);
    // Where the view sits: in a comparison's tabs (full side width) or a single run's
    // bottom-row tab, at 1366x768 and 1920x1080; presenter type makes single runs narrow
    // at 1366 (full width) and comparisons narrow everywhere. One view for all of them,
    // so the map is computed once.
    struct Place {
        const char* name;
        QSize size;
        bool presenter;
    };
    const QList<Place> places = {{"1366 comparison", QSize(500, 300), false},
                                 {"1366 single", QSize(320, 290), false},
                                 {"1920 single", QSize(500, 400), false},
                                 {"1920 comparison", QSize(780, 420), false},
                                 {"1366 comparison, presenter", QSize(500, 330), true},
                                 {"1366 single, presenter", QSize(1010, 330), true},
                                 {"1920 single, presenter", QSize(500, 420), true},
                                 {"1920 comparison, presenter", QSize(780, 420), true}};
    PhaseDiagramPlot view;
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const Place& place : places) {
        view.setTheme(Theme::make(ThemeKind::Light, place.presenter));
        view.resize(place.size);
        view.showFrame(snapshotFor(model), core::TrainingHistory());
        view.settle();
        view.replotNow();

        QCustomPlot* p = view.plot();
        QCOMPARE(p->width(), place.size.width());
        const QString where = QString::fromLatin1(place.name) + QStringLiteral(": ");
        const QRect viewport = p->viewport();
        const QRect axisRect = p->axisRect()->rect();
        QList<QPair<QString, QRectF>> shown;
        for (int i = 0; i < p->itemCount(); ++i) {
            auto* text = qobject_cast<QCPItemText*>(p->item(i));
            if (!text || !text->visible() || text->text().isEmpty()) continue;
            const QRectF box = boxOf(text);
            // Texts over the map stay in it; the empty-state message stays in the plot.
            const bool overMap = text->clipToAxisRect();
            QVERIFY2(QRectF(overMap ? axisRect : viewport).contains(box),
                     qPrintable(where + QStringLiteral("\"%1\" leaves the plot").arg(text->text())));
            for (const auto& [other, otherBox] : shown)
                QVERIFY2(!otherBox.intersects(box),
                         qPrintable(where + QStringLiteral("\"%1\" covers \"%2\"").arg(text->text(), other)));
            shown.append({text->text(), box});
        }
        // The model statement above the map is whole.
        QCPTextElement* statement = view.modelStatement();
        QVERIFY(!statement->text().isEmpty());
        QVERIFY2(QFontMetrics(statement->font()).horizontalAdvance(statement->text()) <= statement->rect().width(),
                 qPrintable(where + statement->text()));
        QVERIFY(viewport.contains(statement->outerRect()));
        // What a remedy or a recurrent net needs said is said, at every size.
        if (model != Model::Plain) QVERIFY2(view.note()->visible(), qPrintable(where + QStringLiteral("no room for the note")));
    }
}

void TestPhaseDiagram::remediesAndRecurrentAreExplained() {
    PhaseDiagramPlot view;
    view.resize(700, 450);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const auto draw = [&](Model model) {
        view.showFrame(snapshotFor(model), core::TrainingHistory());
        view.settle();
        view.replotNow();
    };
    // A plain stack: the marker gives this network's verdict, in the critical colour.
    draw(Model::Plain);
    QVERIFY2(view.modelStatement()->text().contains(QStringLiteral("plain"), Qt::CaseInsensitive),
             qPrintable(view.modelStatement()->text()));
    QVERIFY(!view.note()->visible());
    QVERIFY(view.colorMap()->visible());
    const QColor verdictColour = view.currentMarker()->scatterStyle().pen().color();
    QCOMPARE(verdictColour, view.theme().critical);
    QCPItemText* markerLabel = nullptr;
    for (int i = 0; i < view.plot()->itemCount(); ++i) {
        auto* text = qobject_cast<QCPItemText*>(view.plot()->item(i));
        if (text && text->text().startsWith(QStringLiteral("this network"))) markerLabel = text;
    }
    QVERIFY(markerLabel && markerLabel->visible());
    QVERIFY2(markerLabel->text().contains(QStringLiteral("shrinks")), qPrintable(markerLabel->text()));

    // Batch norm: the map is the plain stack's; it says so and gives no verdict.
    draw(Model::BatchNorm);
    QVERIFY(view.note()->visible());
    QVERIFY2(view.note()->text().contains(QStringLiteral("Batch norm changes the dynamics")), qPrintable(view.note()->text()));
    QVERIFY(view.note()->text().contains(QStringLiteral("plain stack")));
    QVERIFY(!markerLabel->text().contains(QStringLiteral("shrinks")) && !markerLabel->text().contains(QStringLiteral("grows")));
    QVERIFY(markerLabel->text().contains(QStringLiteral("plain stack")));
    QCOMPARE(view.currentMarker()->scatterStyle().pen().color(), view.theme().mutedText);

    draw(Model::Residual);
    QVERIFY2(view.note()->text().contains(QStringLiteral("Residual connections change the dynamics")),
             qPrintable(view.note()->text()));

    // Recurrent: no map, a short note inside the plot.
    draw(Model::Recurrent);
    QVERIFY(!view.colorMap()->visible());
    QVERIFY(view.note()->visible());
    QVERIFY(view.note()->text().contains(QStringLiteral("recurrent")));
    QVERIFY(QRectF(view.plot()->axisRect()->rect()).contains(boxOf(view.note())));

    // Back to a plain stack: the verdict and its colour return, the note goes.
    draw(Model::Plain);
    QVERIFY(!view.note()->visible());
    QCOMPARE(view.currentMarker()->scatterStyle().pen().color(), view.theme().critical);
}

QTEST_MAIN(TestPhaseDiagram)
#include "tst_phase_diagram.moc"
