#include "ui/view_help.h"

#include <QCoreApplication>
#include <QFile>
#include <vector>

namespace gradflow::ui {

namespace {

QString helpText(const char* text) { return QCoreApplication::translate("ViewHelp", text); }

struct GlossaryEntry {
    QStringList patterns;  ///< any of these in a text (case-insensitive) selects the entry
    QString explanation;
};

// Order matters twice: the first entry that matches a stretch of text wins (so
// "log₁₀ condition" is not also read as plain "condition"), and explanations are listed
// in this order.
const std::vector<GlossaryEntry>& glossary() {
    static const std::vector<GlossaryEntry> entries{
        {{QStringLiteral("χ₁")},
         helpText("χ₁ = σ_w² E[φ′(z)²]: the mean-field factor by which one layer multiplies the squared gradient "
                  "norm ‖∂L/∂h‖² on its way back to the input. Below 1 gradients vanish with depth, above 1 they "
                  "explode; χ₁ = 1 is the edge of chaos.")},
        {{QStringLiteral("e-fold")},
         helpText("Depth scale ξ = 1/|ln χ₁|: the number of layers over which ‖∂L/∂h‖² changes by a factor "
                  "e ≈ 2.7. \"e-fold every 0.346 layers\" means about three e-folds per layer, roughly 1.3 decades "
                  "per layer.")},
        {{QStringLiteral("critical")},
         helpText("Critical: χ₁ = 1, the edge between order and chaos, where gradients keep their size through "
                  "any depth.")},
        {{QStringLiteral("ordered")},
         helpText("Ordered phase: χ₁ < 1, every layer shrinks the gradient, so it vanishes with depth.")},
        {{QStringLiteral("chaotic")},
         helpText("Chaotic phase: χ₁ > 1, every layer grows the gradient, so it explodes with depth.")},
        {{QStringLiteral("mean-field")},
         helpText("Mean-field prediction: what the theory of wide, randomly initialised plain stacks expects for "
                  "the statistic shown, anchored at the last layer. It applies at initialisation, without batch "
                  "norm or residual connections.")},
        {{QStringLiteral("σ_w²"), QStringLiteral("σ_b²")},
         helpText("σ_w², σ_b²: the variances of the initial weights (times the fan-in) and biases.")},
        {{QStringLiteral("mean log₁₀σ")},
         helpText("mean log₁₀σ: the typical end-to-end gain in decades; −3 means a typical direction shrinks a "
                  "thousand-fold from the first layer to the last.")},
        {{QStringLiteral("max log₁₀σ")},
         helpText("max log₁₀σ: the strongest direction's gain in decades (above 0 it grows, below 0 even the "
                  "strongest direction shrinks).")},
        {{QStringLiteral("fraction of σ"), QStringLiteral("σ per")},
         helpText("Histogram height: the share of all singular values whose log₁₀σ falls in one bin; the bin is "
                  "the stated part of a decade (a factor of 10) wide, and the heights add up to 1.")},
        {{QStringLiteral("within ×2 of 1")},
         helpText("The share of singular values between 0.5 and 2: directions the network neither shrinks nor "
                  "grows by more than a factor 2 from the first to the last layer. 100% is dynamical isometry.")},
        {{QStringLiteral("log₁₀ condition"), QStringLiteral("condition")},
         helpText("log₁₀ condition = log₁₀(σ_max / σ_min): how many decades lie between the most amplified and "
                  "the most damped direction. 0: all directions alike; 10: one direction 10¹⁰ times stronger "
                  "than another.")},
        {{QStringLiteral("singular value"), QStringLiteral("∂h_L/∂h_1"), QStringLiteral("end-to-end")},
         helpText("Singular values σ of the end-to-end Jacobian ∂h_L/∂h_1: how much the network stretches (σ > 1) "
                  "or squashes (σ < 1) each direction between the first and the last layer; a gradient travelling "
                  "back is scaled the same way. For an LSTM, values down to 1e-100 are the directions it forgets "
                  "at every step; its memory is the top of the spectrum.")},
        {{QStringLiteral("eigenvalue"), QStringLiteral("λ")},
         helpText("Eigenvalues λ of one layer's Jacobian ∂h_l/∂h_l−1, against the unit circle: |λ| > 1 grows "
                  "that direction at this layer, |λ| < 1 shrinks it.")},
        {{QStringLiteral("spectral radius"), QStringLiteral("ρ")},
         helpText("Spectral radius ρ = max |λ|: the growth of the fastest-growing direction per application of "
                  "the layer's Jacobian.")},
        {{QStringLiteral("‖∂L/∂W‖"), QStringLiteral("weight gradient")},
         helpText("‖∂L/∂W‖: the norm of the loss gradient with respect to a layer's weights, the size of the push "
                  "that layer gets from one step.")},
        {{QStringLiteral("‖∂L/∂h‖"), QStringLiteral("activation gradient")},
         helpText("‖∂L/∂h‖: the gradient reaching a layer's output on its way back from the loss, root-mean-square "
                  "over the batch of each sample's own gradient.")},
        {{QStringLiteral("update ratio"), QStringLiteral("‖ΔW‖")},
         helpText("Update ratio ‖ΔW‖/‖W‖: how much one step changes a layer's weights, relative to their size. "
                  "Around 1e-3 is a common healthy size.")},
        {{QStringLiteral("saturat"), QStringLiteral("dead")},
         helpText("Saturation: the share of (unit, sample) pairs whose activation derivative φ′ is below 5% of its "
                  "maximum (flat sigmoid or tanh units, dead ReLUs). Such units pass almost no gradient back.")},
        {{QStringLiteral("underflow"), QStringLiteral("exactly 0")},
         helpText("0 in floating point (▽ at the bars' bottom edge, grey in the heat map): either an underflow, a value smaller "
                  "than the "
                  "number format can hold (about 1e-308 in double precision, 1e-45 in float32), or exactly 0. "
                  "A recurrent net's weight gradient at time step 1 is exactly 0 because the state it acts on "
                  "there is h₀ = 0: a fact of the model, not an error.")},
        {{QStringLiteral("not finite"), QStringLiteral("overflow"), QStringLiteral("NaN")},
         helpText("Not finite: the value overflowed (beyond about 1e308) or is not a number; the run is diverging.")},
        {{QStringLiteral("diverged")},
         helpText("Diverged: the loss stopped being a finite number at this step, so training stopped.")},
        {{QStringLiteral("clipped")},
         helpText("Clipped: the gradient was longer than the clipping threshold, so the update was shortened "
                  "to it; ticks mark the steps where that happened.")},
        {{QStringLiteral("baseline")},
         helpText("Baseline: the loss of always answering the mean target, i.e. the variance of the targets "
                  "(about 0.167 on the adding problem). A model on this line has learnt nothing from its input.")},
        {{QStringLiteral("chance")}, helpText("Chance accuracy: what guessing achieves, one over the number of classes.")},
        {{QStringLiteral("test loss"), QStringLiteral("test accuracy")},
         helpText("Test loss and accuracy: the same network on held-out samples it never trains on (data.test_fraction "
                  "of the data, evaluated every data.test_every steps). Training and test curves parting means the "
                  "network memorises its training set instead of learning the task.")},
        {{QStringLiteral("smoothed")},
         helpText("Smoothed: a moving average of the per-batch values (on the log scale for the loss), so the "
                  "trend shows through the batch-to-batch noise.")},
        {{QStringLiteral("gate mean")},
         helpText("Gate mean: the average forget gate (LSTM) or update gate (GRU); near 1 the state, and its "
                  "gradient, pass through the step unchanged.")},
        {{QStringLiteral("activation mean"), QStringLiteral("activation value")},
         helpText("Activation mean ± standard deviation per layer: spreads that collapse toward 0 or pile up at "
                  "the ends of the activation's range show the forward signal dying or saturating.")},
        {{QStringLiteral("decision"), QStringLiteral("class ")},
         helpText("Decision regions: the background takes the colour of the class the network predicts there, "
                  "pale where it is unsure, strong where it is confident; the dots are the training data.")},
    };
    return entries;
}

}  // namespace

QList<ViewHelp> viewHelpEntries() {
    return {
        {QStringLiteral("gradients"), helpText("Gradient magnitude per layer"),
         helpText("One bar per layer, input side left, on a log axis: how large the gradient is at each depth. Bars "
                  "falling toward the input mean vanishing gradients, rising bars exploding ones; the dashed line "
                  "is the mean-field prediction. Hover a bar for its numbers, click it for its Jacobian spectrum.")},
        {QStringLiteral("heatmap"), helpText("Gradient flow over training"),
         helpText("Layer (rows, 1 = input side) by training step (columns), coloured by the gradient statistic on a "
                  "log scale: the gradient profile of every step of the run. Red cells are not finite, grey cells "
                  "exactly 0; ticks along the top mark clipped steps.")},
        {QStringLiteral("spectrum"), helpText("Jacobian spectrum"),
         helpText("Left: how the singular values of the end-to-end Jacobian ∂h_L/∂h_1 spread over decades. A pile "
                  "left of 1 means vanishing, right of 1 exploding, a narrow pile at 1 dynamical isometry. Right: "
                  "the eigenvalues of the layer clicked in the gradient view, against the unit circle.")},
        {QStringLiteral("loss"), helpText("Loss and accuracy"),
         helpText("The training loss on a log axis (faint: each batch; bold: the smoothed trend) and, for "
                  "classification, the accuracy with the chance level; dashed with markers, the same two on the "
                  "held-out test set. For regression a dashed baseline marks "
                  "the loss of always answering the mean target; ticks along the top mark clipped steps.")},
        {QStringLiteral("decision"), helpText("Data and decision boundary"),
         helpText("The training data and the network's decision regions (classification) or fitted curve "
                  "(regression): what the network has learnt so far.")},
        {QStringLiteral("health"), helpText("Layer health"),
         helpText("Per layer: the share of saturated or dead units (bars), which pass almost no gradient back, "
                  "and the activations' mean ± standard deviation. With dropout, a marker shows the share of "
                  "units each layer dropped in the training batch; evaluation and the test set drop none.")},
        {QStringLiteral("phase"), helpText("Phase diagram"),
         helpText("Mean-field theory of a plain, wide stack at initialisation: χ₁, the per-layer factor of the "
                  "squared gradient norm, over the weight and bias variances. Blue: ordered, gradients vanish; "
                  "red: chaotic, they explode; the line χ₁ = 1 is the edge of chaos; the star is this network.")},
        {QStringLiteral("distributions"), helpText("Layer distributions"),
         helpText("One layer's pre-activations, activations, weights or gradients as a histogram (faint behind: "
                  "at initialisation; shaded: where the activation saturates), and below, their percentiles "
                  "over the run. Gradients by magnitude on a log axis. Hover a bin for its range and count.")},
        {QStringLiteral("network"), helpText("Network graph"),
         helpText("The network as a graph, input left, output right. Narrow layers: each weight an edge, its width "
                  "and colour the size of its gradient |∂L/∂W| (or the weight) on a log scale fixed for the run; "
                  "each unit a circle filled by how much of the batch saturates it, crossed when dead. Wide "
                  "layers: one block coloured by ‖∂L/∂h‖. Arcs are residual skips. Click a layer to pick it.")},
    };
}

ViewHelp viewHelp(const QString& viewName) {
    for (const ViewHelp& entry : viewHelpEntries())
        if (entry.name == viewName) return entry;
    return {};
}

QString viewHelpPage(const QString& viewName) {
    if (viewHelp(viewName).name.isEmpty()) return {};
    QFile file(QStringLiteral(":/help/%1.html").arg(viewName));
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll());
}

QStringList glossaryFor(const QString& text) {
    QStringList out;
    QString rest = text;
    for (const GlossaryEntry& entry : glossary()) {
        bool found = false;
        for (const QString& pattern : entry.patterns) {
            const qsizetype at = rest.indexOf(pattern, 0, Qt::CaseInsensitive);
            if (at < 0) continue;
            // Consumed, so a shorter pattern of a later entry does not match it again.
            rest.replace(at, pattern.size(), QString(pattern.size(), QLatin1Char(' ')));
            found = true;
        }
        if (found) out << entry.explanation;
    }
    return out;
}

QString viewToolTip(const QString& viewName, const QString& text) {
    const QStringList terms = text.trimmed().isEmpty() ? QStringList() : glossaryFor(text);
    const ViewHelp help = viewHelp(viewName);
    QString body;
    if (!terms.isEmpty()) {
        for (const QString& t : terms) body += QStringLiteral("<p>%1</p>").arg(t.toHtmlEscaped());
    } else if (!help.name.isEmpty()) {
        body = QStringLiteral("<p><b>%1</b></p><p>%2</p>").arg(help.title.toHtmlEscaped(), help.summary.toHtmlEscaped());
    }
    if (body.isEmpty()) return {};
    // Rich text wraps at the tooltip's width; plain text would run across the screen.
    return QStringLiteral("<qt>%1<p><i>%2</i></p></qt>").arg(body, helpText("F1: what am I looking at?"));
}

}  // namespace gradflow::ui
