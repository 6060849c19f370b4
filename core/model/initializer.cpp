#include "core/model/initializer.h"

#include <Eigen/Core>
#include <Eigen/QR>
#include <algorithm>
#include <array>
#include <cmath>

#include "core/config/name_registry.h"
#include "core/data/random.h"

namespace gradflow::core {

namespace {

constexpr std::array<InitializerInfo, 10> kInitializerRegistry{{
    {InitKind::XavierUniform, "xavier_uniform", "Xavier / Glorot uniform",
     "W ~ U(-a, a),  a = gain * sqrt(6 / (fan_in + fan_out))  (Glorot & Bengio 2010)"},
    {InitKind::XavierNormal, "xavier_normal", "Xavier / Glorot normal",
     "W ~ N(0, s^2),  s = gain * sqrt(2 / (fan_in + fan_out))  (Glorot & Bengio 2010)"},
    {InitKind::HeUniform, "he_uniform", "He / Kaiming uniform", "W ~ U(-a, a),  a = gain * sqrt(6 / fan_in)  (He et al. 2015)"},
    {InitKind::HeNormal, "he_normal", "He / Kaiming normal", "W ~ N(0, s^2),  s = gain * sqrt(2 / fan_in)  (He et al. 2015)"},
    {InitKind::LecunNormal, "lecun_normal", "LeCun normal", "W ~ N(0, s^2),  s = gain * sqrt(1 / fan_in)  (LeCun et al. 1998)"},
    {InitKind::Orthogonal, "orthogonal", "Orthogonal",
     "W = gain * Q, Q (semi-)orthogonal from the QR of a Gaussian matrix  (Saxe et al. 2014)"},
    {InitKind::Normal, "normal", "Normal", "W ~ N(0, (gain * std)^2)"},
    {InitKind::Uniform, "uniform", "Uniform", "W ~ U(-gain * limit, gain * limit)"},
    {InitKind::Constant, "constant", "Constant", "W = gain * value  (every weight; breaks symmetry never)"},
    {InitKind::Identity, "identity", "Identity", "W = gain * I  (Le et al. 2015, IRNN)"},
}};

using MatrixMap = Eigen::Map<Eigen::MatrixXd>;

void fillNormal(MatrixMap w, double stddev, Random& rng) {
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = stddev * rng.normal();
}

void fillUniform(MatrixMap w, double limit, Random& rng) {
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.uniform(-limit, limit);
}

// Haar-distributed (semi-)orthogonal matrix: QR of a Gaussian matrix with the signs of R's
// diagonal folded into Q (Mezzadri 2007), otherwise Q is biased.
void fillOrthogonal(MatrixMap w, double gain, Random& rng) {
    const bool tall = w.rows() >= w.cols();
    Eigen::MatrixXd gaussian(tall ? w.rows() : w.cols(), tall ? w.cols() : w.rows());
    for (Eigen::Index i = 0; i < gaussian.size(); ++i) gaussian.data()[i] = rng.normal();
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(gaussian);
    Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(gaussian.rows(), gaussian.cols());
    const Eigen::MatrixXd r = qr.matrixQR();
    for (Eigen::Index j = 0; j < q.cols(); ++j)
        if (r(j, j) < 0) q.col(j) = -q.col(j);
    if (tall) w = gain * q;
    else w = gain * q.transpose();
}

}  // namespace

std::span<const InitializerInfo> initializerRegistry() { return kInitializerRegistry; }

const InitializerInfo& initializerInfo(InitKind kind) { return kInitializerRegistry[static_cast<std::size_t>(kind)]; }

bool initializerFromName(std::string_view name, InitKind& out) { return enumFromName(kInitializerRegistry, name, out); }

double weightVariance(const InitSpec& spec, int fanIn, int fanOut) {
    const double g2 = spec.gain * spec.gain;
    const double in = fanIn, out = fanOut;
    switch (spec.kind) {
    case InitKind::XavierUniform:
    case InitKind::XavierNormal: return g2 * 2.0 / (in + out);
    case InitKind::HeUniform:
    case InitKind::HeNormal: return g2 * 2.0 / in;
    case InitKind::LecunNormal: return g2 / in;
    // Orthonormal rows (or columns) of length max(in, out): each entry has second moment 1/max.
    case InitKind::Orthogonal: return g2 / std::max(in, out);
    case InitKind::Normal: return g2 * spec.std * spec.std;
    case InitKind::Uniform: return g2 * spec.limit * spec.limit / 3.0;
    case InitKind::Constant: return g2 * spec.value * spec.value;  // second moment, not variance
    case InitKind::Identity: return g2 * std::min(in, out) / (in * out);
    }
    return 0.0;
}

void initializeWeights(const InitSpec& spec, int fanIn, int fanOut, Random& rng, std::span<double> weights) {
    MatrixMap w(weights.data(), fanOut, fanIn);
    const double g = spec.gain;
    switch (spec.kind) {
    case InitKind::XavierUniform: fillUniform(w, g * std::sqrt(6.0 / (fanIn + fanOut)), rng); break;
    case InitKind::XavierNormal: fillNormal(w, g * std::sqrt(2.0 / (fanIn + fanOut)), rng); break;
    case InitKind::HeUniform: fillUniform(w, g * std::sqrt(6.0 / fanIn), rng); break;
    case InitKind::HeNormal: fillNormal(w, g * std::sqrt(2.0 / fanIn), rng); break;
    case InitKind::LecunNormal: fillNormal(w, g * std::sqrt(1.0 / fanIn), rng); break;
    case InitKind::Orthogonal: fillOrthogonal(w, g, rng); break;
    case InitKind::Normal: fillNormal(w, g * spec.std, rng); break;
    case InitKind::Uniform: fillUniform(w, g * spec.limit, rng); break;
    case InitKind::Constant: w.setConstant(g * spec.value); break;
    case InitKind::Identity:
        w.setZero();
        for (int i = 0; i < std::min(fanIn, fanOut); ++i) w(i, i) = g;
        break;
    }
}

}  // namespace gradflow::core
