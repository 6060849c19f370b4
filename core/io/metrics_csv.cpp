#include "core/io/metrics_csv.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <system_error>

namespace gradflow::core {
namespace {

std::string errnoText(int error) { return std::error_code(error, std::generic_category()).message(); }

void appendNumber(std::string& out, double value) { out += formatCsvNumber(value); }

}  // namespace

std::string formatCsvNumber(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    // to_chars ignores the C locale; a GUI that set LC_NUMERIC would otherwise write "0,5".
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 10);
    return ec == std::errc() ? std::string(buffer, end) : "nan";
}

std::string formatPowerOfTen(double log10Value) {
    if (std::isnan(log10Value)) return "nan";
    if (std::isinf(log10Value)) return log10Value > 0 ? "inf" : "0";
    double exponent = std::floor(log10Value);
    double mantissa = std::pow(10.0, log10Value - exponent);
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, mantissa, std::chars_format::fixed, 9);
    if (ec != std::errc()) return "nan";
    std::string text(buffer, end);
    if (text.compare(0, 2, "10") == 0) {  // 9.9999999996 rounded up to the next decade
        text = "1.000000000";
        exponent += 1;
    }
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text + "e" + std::to_string(static_cast<long long>(exponent));
}

void appendMetricsRows(std::string& out, const StepStats& stats) {
    const std::string step = std::to_string(stats.step);
    for (std::size_t l = 0; l < stats.layers.size(); ++l) {
        const LayerStats& s = stats.layers[l];
        out += step;
        out += ',';
        out += std::to_string(l + 1);
        for (double v : {s.weightGradNorm, s.biasGradNorm, s.activationGradNorm, s.weightNorm, s.updateRatio, s.saturation}) {
            out += ',';
            appendNumber(out, v);
        }
        out += '\n';
    }
}

void appendLogRow(std::string& out, const StepStats& stats) {
    out += std::to_string(stats.step);
    for (double v : {stats.loss, stats.accuracy, stats.gradNorm, stats.gradNormClipped}) {
        out += ',';
        appendNumber(out, v);
    }
    out += stats.clipped ? ",1" : ",0";
    out += stats.diverged ? ",1," : ",0,";
    appendNumber(out, stats.learningRate);
    // Empty, not nan, where the test set was not evaluated: nan means it was, and broke.
    out += ',';
    if (stats.tested) appendNumber(out, stats.testLoss);
    out += ',';
    if (stats.tested) appendNumber(out, stats.testAccuracy);
    out += '\n';
}

void appendSpectrumRows(std::string& out, std::int64_t step, const JacobianSpectrum& spectrum) {
    if (!spectrum.available) return;
    const std::string prefix = std::to_string(step) + ",";
    for (std::size_t p = 0; p < spectrum.log10SingularValues.size(); ++p) {
        const auto& values = spectrum.log10SingularValues[p];
        for (std::size_t i = 0; i < values.size(); ++i) {
            out += prefix;
            out += std::to_string(p) + "," + std::to_string(i) + ",";
            out += formatPowerOfTen(values[i]);
            out += '\n';
        }
    }
}

CsvFileWriter::~CsvFileWriter() {
    if (m_file != nullptr) std::fclose(m_file);
}

bool CsvFileWriter::open(const std::string& path, std::string& error) {
    if (m_file != nullptr) std::fclose(m_file);
    m_path = path;
    m_failed = false;
    m_file = std::fopen(path.c_str(), "wb");
    if (m_file == nullptr) {
        error = "cannot write '" + path + "': " + errnoText(errno);
        return false;
    }
    std::string header(m_header);
    header += '\n';
    write(header);
    if (m_failed) {
        error = "cannot write '" + path + "': " + errnoText(errno);
        std::fclose(m_file);
        m_file = nullptr;
        return false;
    }
    return true;
}

void CsvFileWriter::write(const std::string& rows) {
    if (m_file == nullptr || m_failed) return;
    if (std::fwrite(rows.data(), 1, rows.size(), m_file) != rows.size()) m_failed = true;
}

bool CsvFileWriter::finish(std::string& error) {
    if (m_file == nullptr) return true;
    const int flushError = std::fflush(m_file) != 0 ? errno : 0;
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!m_failed && flushError == 0 && closed) return true;
    error = "writing '" + m_path + "' failed: " + errnoText(flushError != 0 ? flushError : EIO);
    return false;
}

void MetricsCsvWriter::append(const StepStats& stats) {
    std::string rows;
    appendMetricsRows(rows, stats);
    write(rows);
}

void StepLogCsvWriter::append(const StepStats& stats) {
    std::string row;
    appendLogRow(row, stats);
    write(row);
}

void SpectrumCsvWriter::append(std::int64_t step, const JacobianSpectrum& spectrum) {
    std::string rows;
    appendSpectrumRows(rows, step, spectrum);
    write(rows);
}

}  // namespace gradflow::core
