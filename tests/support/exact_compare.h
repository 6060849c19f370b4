#pragma once
// Exact comparison of floating-point values for tests that claim "exact", "bit for bit" or
// "the same numbers". QCOMPARE on doubles is fuzzy: it accepts a relative difference of
// 1e-12 and treats any two values within 1e-12 of zero as equal, so 1e-300 == 0 and
// -0.0 == 0.0 there, and a test of an exact round trip could not fail on small values.

#include <QByteArray>
#include <QtTest>

#include <bit>
#include <cstdint>

namespace gradflow::test {

/// True only for identical bit patterns. So -0.0 differs from 0.0, and a NaN equals only a
/// NaN with the same sign and payload (unlike ==, for which a NaN equals nothing): a value
/// that is copied, written and read back, or recomputed by the same code keeps its bits.
inline bool sameBits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }
inline bool sameBits(float a, float b) { return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b); }

/// Both values to 17 significant digits (enough to tell any two doubles apart) and their bits.
inline QByteArray describeBitsMismatch(const char* actualText, double actual, const char* expectedText, double expected) {
    const auto line = [](const char* text, double value) {
        return QByteArray("\n   ") + text + " = " + QByteArray::number(value, 'g', 17) + " (bits 0x" +
               QByteArray::number(static_cast<qulonglong>(std::bit_cast<std::uint64_t>(value)), 16).rightJustified(16, '0') + ")";
    };
    return QByteArray("values differ in their bits:") + line(actualText, actual) + line(expectedText, expected);
}

}  // namespace gradflow::test

/// QCOMPARE for doubles that must be equal to the bit (see sameBits); on failure prints both
/// values with %.17g and their bit patterns. The message is built only when the check fails.
#define GRADFLOW_COMPARE_BITS(actual, expected)                                                                                \
    do {                                                                                                                       \
        const double gradflowActual_ = (actual);                                                                               \
        const double gradflowExpected_ = (expected);                                                                           \
        const bool gradflowSame_ = ::gradflow::test::sameBits(gradflowActual_, gradflowExpected_);                             \
        QVERIFY2(                                                                                                              \
            gradflowSame_,                                                                                                     \
            gradflowSame_                                                                                                      \
                ? ""                                                                                                           \
                : ::gradflow::test::describeBitsMismatch(#actual, gradflowActual_, #expected, gradflowExpected_).constData()); \
    } while (false)
