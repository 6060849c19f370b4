#pragma once
// CSV output shared by the command line and the GUI's File > Export: per-layer metrics,
// the per-step log and Jacobian spectra. The writers stream (one buffered write per
// step), so a run of a million steps never holds its rows in memory. Numbers are
// written locale-independently with 10 significant digits; non-finite values as
// nan / inf / -inf.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/analysis/jacobian_spectrum.h"
#include "core/training/step_stats.h"

namespace gradflow::core {

inline constexpr std::string_view kMetricsCsvHeader =
    "step,layer,weight_grad_norm,bias_grad_norm,activation_grad_norm,weight_norm,update_ratio,saturation";
/// test_loss and test_accuracy came last so that scripts reading the earlier columns by
/// position keep working; they are empty on rows where the test set was not evaluated.
inline constexpr std::string_view kLogCsvHeader =
    "step,loss,accuracy,grad_norm,grad_norm_clipped,clipped,diverged,learning_rate,test_loss,test_accuracy";
inline constexpr std::string_view kSpectrumCsvHeader = "step,input,index,singular_value";

/// 10 significant digits, "nan", "inf", "-inf".
std::string formatCsvNumber(double value);
/// 10^log10Value written as mantissa and exponent ("5.011872336e-251"), so values far
/// beyond double's range print right; -inf (a zero singular value) prints as 0.
std::string formatPowerOfTen(double log10Value);

/// Rows for one step, each ending in '\n'. Layer = depth unit, 1-based (1..L hidden,
/// L+1 output); input and index are 0-based (probe, singular value rank, largest first).
void appendMetricsRows(std::string& out, const StepStats& stats);
void appendLogRow(std::string& out, const StepStats& stats);
void appendSpectrumRows(std::string& out, std::int64_t step, const JacobianSpectrum& spectrum);

/// A CSV file written row by row. open() truncates and writes the header; finish()
/// flushes, closes and reports any write error (a full disk) as text.
class CsvFileWriter {
public:
    explicit CsvFileWriter(std::string_view header) : m_header(header) {}
    ~CsvFileWriter();
    CsvFileWriter(const CsvFileWriter&) = delete;
    CsvFileWriter& operator=(const CsvFileWriter&) = delete;

    bool open(const std::string& path, std::string& error);
    bool finish(std::string& error);
    bool isOpen() const { return m_file != nullptr; }
    const std::string& path() const { return m_path; }

protected:
    void write(const std::string& rows);

private:
    std::string_view m_header;
    std::string m_path;
    std::FILE* m_file = nullptr;
    bool m_failed = false;
};

class MetricsCsvWriter : public CsvFileWriter {
public:
    MetricsCsvWriter() : CsvFileWriter(kMetricsCsvHeader) {}
    void append(const StepStats& stats);
};

class StepLogCsvWriter : public CsvFileWriter {
public:
    StepLogCsvWriter() : CsvFileWriter(kLogCsvHeader) {}
    void append(const StepStats& stats);
};

class SpectrumCsvWriter : public CsvFileWriter {
public:
    SpectrumCsvWriter() : CsvFileWriter(kSpectrumCsvHeader) {}
    void append(std::int64_t step, const JacobianSpectrum& spectrum);
};

}  // namespace gradflow::core
