// BPTT against central finite differences, in double, for every parameter of a tiny
// recurrent net: vanilla tanh, vanilla relu, LSTM and GRU, with both losses. Also the
// per-step Jacobians of the spectrum chain against the backward pass they must agree with.

#include <QtTest>

#include <cmath>

#include "core/data/random.h"
#include "core/model/recurrent_net.h"

using namespace gradflow::core;
using Net = RecurrentNet<double>;

Q_DECLARE_METATYPE(CellKind)
Q_DECLARE_METATYPE(ActivationKind)

namespace {

constexpr int kSteps = 6;
constexpr int kBatch = 3;

struct Problem {
    ExperimentConfig config;
    std::vector<Eigen::MatrixXd> steps;  ///< one I x B matrix per time step
    Net::Matrix inputs, targets;         ///< stacked I x T B, out x B
};

Problem makeProblem(CellKind cell, ActivationKind activation, LossKind loss, std::uint64_t seed = 5) {
    Problem p;
    ExperimentConfig& c = p.config;
    c.model = ModelKind::Recurrent;
    // copy_first with 3 classes: 3 inputs, 3 outputs; adding: 2 inputs, 1 output.
    c.data.kind = loss == LossKind::CrossEntropy ? DataKind::CopyFirst : DataKind::Adding;
    c.data.classes = 3;
    c.data.sequenceLength = kSteps;
    c.training.loss = loss;
    c.recurrent.cell = cell;
    c.recurrent.hiddenSize = 4;
    c.recurrent.activation.kind = activation;
    c.recurrent.inputInit = {InitKind::XavierNormal, 1.2};
    c.recurrent.recurrentInit = {InitKind::Orthogonal, 1.1};
    c.recurrent.forgetBias = 1.0;
    c.biasInit.std = 0.3;  // general biases, so every path sees general values
    Random rng(seed);
    const int in = c.inputDimension();
    p.inputs.resize(in, kSteps * kBatch);
    for (int t = 0; t < kSteps; ++t) {
        Eigen::MatrixXd x(in, kBatch);
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.normal();
        p.inputs.middleCols(t * kBatch, kBatch) = x;
        p.steps.push_back(x);
    }
    p.targets = Net::Matrix::Zero(c.outputDimension(), kBatch);
    for (int b = 0; b < kBatch; ++b) {
        if (loss == LossKind::CrossEntropy) p.targets(b % c.outputDimension(), b) = 1.0;
        else p.targets(0, b) = rng.normal();
    }
    return p;
}

double lossOf(Net& net, const Problem& p) {
    double accuracy = 0;
    net.forward(p.inputs, kBatch);
    return net.loss(p.targets, p.config.training.loss, accuracy);
}

void addCellRows() {
    QTest::addColumn<CellKind>("cell");
    QTest::addColumn<ActivationKind>("activation");
    QTest::addColumn<bool>("crossEntropy");
    const struct {
        const char* name;
        CellKind cell;
        ActivationKind activation;
    } cells[] = {{"vanilla-tanh", CellKind::Vanilla, ActivationKind::Tanh},
                 {"vanilla-relu", CellKind::Vanilla, ActivationKind::Relu},
                 {"lstm", CellKind::Lstm, ActivationKind::Tanh},
                 {"gru", CellKind::Gru, ActivationKind::Tanh}};
    for (const auto& c : cells)
        for (bool ce : {true, false})
            QTest::newRow((std::string(c.name) + (ce ? "-ce" : "-mse")).c_str()) << c.cell << c.activation << ce;
}

}  // namespace

class TestRecurrentGradientCheck : public QObject {
    Q_OBJECT
private slots:
    void everyParameter_data() { addCellRows(); }
    void everyParameter() {
        QFETCH(CellKind, cell);
        QFETCH(ActivationKind, activation);
        QFETCH(bool, crossEntropy);
        const Problem p = makeProblem(cell, activation, crossEntropy ? LossKind::CrossEntropy : LossKind::MeanSquaredError);
        Random rng(3);
        Net net(p.config, rng);
        lossOf(net, p);
        net.backward();
        constexpr double eps = 1e-5;
        int checked = 0;
        double worst = 0.0;
        for (const auto& block : net.parameterBlocks()) {
            const Eigen::VectorXd analytic = Eigen::Map<const Eigen::VectorXd>(block.gradient, block.size);
            for (Eigen::Index i = 0; i < block.size; ++i) {
                const double saved = block.value[i];
                block.value[i] = saved + eps;
                const double up = lossOf(net, p);
                block.value[i] = saved - eps;
                const double down = lossOf(net, p);
                block.value[i] = saved;
                const double numeric = (up - down) / (2 * eps);
                const double error = std::abs(numeric - analytic[i]) / std::max({1e-3, std::abs(numeric), std::abs(analytic[i])});
                worst = std::max(worst, error);
                if (error > 1e-5)
                    QFAIL(qPrintable(QString("parameter %1 of block size %2: analytic %3, numeric %4")
                                         .arg(i)
                                         .arg(block.size)
                                         .arg(analytic[i], 0, 'g', 12)
                                         .arg(numeric, 0, 'g', 12)));
                ++checked;
            }
        }
        // W_x, W_h, b, readout W, readout b: all of them, every element.
        const int gates = cell == CellKind::Lstm ? 4 : cell == CellKind::Gru ? 3 : 1;
        const int h = p.config.recurrent.hiddenSize, in = p.config.inputDimension(), out = p.config.outputDimension();
        QCOMPARE(checked, gates * h * (in + h + 1) + out * (h + 1));
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    }

    // The chain the spectrum multiplies must be the backward pass's own Jacobians: for the
    // state s (h, or (h, c) for the LSTM), dL/ds_{t-1} = J_t^T dL/ds_t, with dL/ds_T =
    // (dL/dh_T, 0) because only h_T feeds the readout. The h part must match BPTT's dL/dh_t.
    void jacobiansMatchBackprop_data() { addCellRows(); }
    void jacobiansMatchBackprop() {
        QFETCH(CellKind, cell);
        QFETCH(ActivationKind, activation);
        QFETCH(bool, crossEntropy);
        const Problem p = makeProblem(cell, activation, crossEntropy ? LossKind::CrossEntropy : LossKind::MeanSquaredError);
        Random rng(3);
        Net net(p.config, rng);
        lossOf(net, p);
        net.backward();
        const JacobianChain chain = net.jacobianChain(p.steps, kBatch);
        QCOMPARE(chain.probes, kBatch);
        QCOMPARE(chain.firstDepthUnit, 2);
        QCOMPARE(chain.units(), kSteps - 1);
        QCOMPARE(chain.explicitJacobians.empty(), cell == CellKind::Vanilla);
        const int h = p.config.recurrent.hiddenSize;
        const Net::Matrix& grads = net.hiddenGradients();
        for (int probe = 0; probe < kBatch; ++probe) {
            const int state = static_cast<int>(chain.unitJacobian(0, probe).rows());
            QCOMPARE(state, cell == CellKind::Lstm ? 2 * h : h);
            Eigen::VectorXd v = Eigen::VectorXd::Zero(state);
            v.head(h) = grads.col((kSteps - 1) * kBatch + probe);
            for (int t = kSteps; t >= 2; --t) {
                v = chain.unitJacobian(t - 2, probe).transpose() * v;
                const Eigen::VectorXd expected = grads.col((t - 2) * kBatch + probe);
                QVERIFY2((v.head(h) - expected).norm() <= 1e-12 * std::max(1e-300, expected.norm()) + 1e-18,
                         qPrintable(QString("probe %1, step %2").arg(probe).arg(t - 1)));
            }
        }
    }

    // Float32 runs the same arithmetic: its gradients agree with double to float precision.
    void floatMatchesDouble() {
        const Problem p = makeProblem(CellKind::Lstm, ActivationKind::Tanh, LossKind::CrossEntropy);
        Random rngD(3), rngF(3);
        Net netD(p.config, rngD);
        RecurrentNet<float> netF(p.config, rngF);
        double accuracy = 0;
        netD.forward(p.inputs, kBatch);
        netD.loss(p.targets, LossKind::CrossEntropy, accuracy);
        netD.backward();
        const Eigen::MatrixXf inputsF = p.inputs.cast<float>(), targetsF = p.targets.cast<float>();
        netF.forward(inputsF, kBatch);
        netF.loss(targetsF, LossKind::CrossEntropy, accuracy);
        netF.backward();
        const auto blocksD = netD.parameterBlocks();
        const auto blocksF = netF.parameterBlocks();
        for (std::size_t b = 0; b < blocksD.size(); ++b) {
            const Eigen::VectorXd d = Eigen::Map<const Eigen::VectorXd>(blocksD[b].gradient, blocksD[b].size);
            const Eigen::VectorXd f = Eigen::Map<const Eigen::VectorXf>(blocksF[b].gradient, blocksF[b].size).cast<double>();
            QVERIFY((d - f).norm() <= 1e-4 * std::max(1.0, d.norm()));
        }
    }
};

QTEST_APPLESS_MAIN(TestRecurrentGradientCheck)
#include "tst_recurrent_gradient_check.moc"
