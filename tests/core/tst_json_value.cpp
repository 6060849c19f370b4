// The JSON parser and writer: valid documents, hostile documents, round trips.

#include <QtTest>

#include <bit>
#include <cmath>
#include <limits>
#include <string>

#include "core/data/random.h"
#include "core/io/json_value.h"
#include "tests/support/exact_compare.h"

using namespace gradflow::core;

class TestJsonValue : public QObject {
    Q_OBJECT

private slots:
    void parsesEveryType();
    void keepsIntegersExact();
    void decodesEscapes();
    void rejectsInvalid_data();
    void rejectsInvalid();
    void reportsLineAndColumn();
    void boundsDepthWithoutRecursion();
    void boundsSize();
    void survivesRandomBytes();
    void writerRoundTrips();
    void writerEscapesAndRepairs();
    void numbersRoundTripExactly();
};

void TestJsonValue::parsesEveryType() {
    const JsonParseResult r = parseJson(R"( {"a": [1, -2.5e3, true, false, null, "x"], "b": {}, "c": []} )");
    QVERIFY2(r.ok, r.error.c_str());
    const JsonValue& a = *r.value.find("a");
    QCOMPARE(a.asArray().size(), std::size_t(6));
    GRADFLOW_COMPARE_BITS(a.asArray()[0].asDouble(), 1.0);
    GRADFLOW_COMPARE_BITS(a.asArray()[1].asDouble(), -2500.0);
    QVERIFY(a.asArray()[2].asBool());
    QVERIFY(a.asArray()[3].isBool() && !a.asArray()[3].asBool());
    QVERIFY(a.asArray()[4].isNull());
    QCOMPARE(a.asArray()[5].asString(), std::string("x"));
    QVERIFY(r.value.find("b")->isObject());
    QVERIFY(r.value.find("c")->isArray());
    QVERIFY(r.value.find("missing") == nullptr);
    QVERIFY(parseJson("\xEF\xBB\xBF[]").ok);  // a byte order mark is tolerated
}

void TestJsonValue::keepsIntegersExact() {
    const JsonParseResult r = parseJson("[18446744073709551615, -9223372036854775808, 64.0, 18446744073709551616]");
    QVERIFY2(r.ok, r.error.c_str());
    const auto& a = r.value.asArray();
    QVERIFY(a[0].asNumber().isInteger);
    QCOMPARE(a[0].asNumber().magnitude, std::numeric_limits<std::uint64_t>::max());
    QVERIFY(a[1].asNumber().negative);
    QCOMPARE(a[1].asNumber().magnitude, std::uint64_t(1) << 63);
    QVERIFY(!a[2].asNumber().isInteger);
    GRADFLOW_COMPARE_BITS(a[2].asDouble(), 64.0);
    QVERIFY(!a[3].asNumber().isInteger);  // too large for 64 bits: a double
}

void TestJsonValue::decodesEscapes() {
    const JsonParseResult r = parseJson(R"(["\"\\\/\b\f\n\r\t", "\u00e9\u20ac", "\ud83d\ude00", "h\u00E9"])");
    QVERIFY2(r.ok, r.error.c_str());
    const auto& a = r.value.asArray();
    QCOMPARE(a[0].asString(), std::string("\"\\/\b\f\n\r\t"));
    QCOMPARE(a[1].asString(), std::string("\xC3\xA9\xE2\x82\xAC"));
    QCOMPARE(a[2].asString(), std::string("\xF0\x9F\x98\x80"));
    QCOMPARE(a[3].asString(), std::string("h\xC3\xA9"));
    QVERIFY(parseJson("\"\xF0\x9F\x98\x80 \xE2\x82\xAC \xC3\xA9\"").ok);  // raw UTF-8
}

void TestJsonValue::rejectsInvalid_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray("") << "empty input";
    QTest::newRow("truncated object") << QByteArray(R"({"a": 1)") << "end of input inside the object";
    QTest::newRow("truncated string") << QByteArray(R"({"a": "abc)") << "unterminated string";
    QTest::newRow("trailing comma") << QByteArray("[1, 2,]") << "expected a value";
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << "expected ':'";
    QTest::newRow("unquoted key") << QByteArray("{a: 1}") << "string key";
    QTest::newRow("single quotes") << QByteArray("['a']") << "unexpected";
    QTest::newRow("NaN") << QByteArray("[NaN]") << "NaN and Infinity";
    QTest::newRow("Infinity") << QByteArray("[Infinity]") << "NaN and Infinity";
    QTest::newRow("-Infinity") << QByteArray("[-Infinity]") << "NaN and Infinity";
    QTest::newRow("1e999") << QByteArray("[1e999]") << "out of the range of a double";
    QTest::newRow("-1e999") << QByteArray("[-1e999]") << "out of the range";
    QTest::newRow("leading zero") << QByteArray("[012]") << "leading zeros";
    QTest::newRow("bare dot") << QByteArray("[1.]") << "decimal point";
    QTest::newRow("plus sign") << QByteArray("[+1]") << "unexpected";
    QTest::newRow("hex") << QByteArray("[0x10]") << "expected ','";
    QTest::newRow("duplicate key") << QByteArray(R"({"a": 1, "b": 2, "a": 3})") << "duplicate key \"a\"";
    QTest::newRow("two values") << QByteArray("{} {}") << "after the end";
    QTest::newRow("control char") << QByteArray("[\"a\tb\"]") << "control character";
    QTest::newRow("bad escape") << QByteArray(R"(["\x41"])") << "invalid escape";
    QTest::newRow("short \\u") << QByteArray(R"(["\u12"])") << "four hex digits";
    QTest::newRow("lone high surrogate") << QByteArray(R"(["\ud800"])") << "without its low surrogate";
    QTest::newRow("high + non-low") << QByteArray(R"(["\ud800\u0041"])") << "without its low surrogate";
    QTest::newRow("lone low surrogate") << QByteArray(R"(["\udc00"])") << "lone low surrogate";
    QTest::newRow("overlong /") << QByteArray("[\"\xC0\xAF\"]") << "invalid UTF-8";
    QTest::newRow("overlong 3-byte") << QByteArray("[\"\xE0\x80\xAF\"]") << "invalid UTF-8";
    QTest::newRow("overlong 4-byte") << QByteArray("[\"\xF0\x80\x80\xAF\"]") << "invalid UTF-8";
    QTest::newRow("utf-8 surrogate") << QByteArray("[\"\xED\xA0\x80\"]") << "invalid UTF-8";
    QTest::newRow("above U+10FFFF") << QByteArray("[\"\xF4\x90\x80\x80\"]") << "invalid UTF-8";
    QTest::newRow("stray continuation") << QByteArray("[\"\x80\"]") << "invalid UTF-8";
    QTest::newRow("truncated sequence") << QByteArray("[\"\xE2\x82\"]") << "invalid UTF-8";
    QTest::newRow("0xFF") << QByteArray("[\"\xFF\"]") << "invalid UTF-8";
    QTest::newRow("binary outside string") << QByteArray("\x01\x02\x03", 3) << "unexpected byte 0x01";
    QTest::newRow("nul byte") << QByteArray("[1\0]", 4) << "byte 0x00";
}

void TestJsonValue::rejectsInvalid() {
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    const JsonParseResult r = parseJson(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
    QVERIFY(!r.ok);
    QVERIFY2(QString::fromStdString(r.error).contains(expected), r.error.c_str());
    QVERIFY2(r.error.rfind("line ", 0) == 0, r.error.c_str());
}

void TestJsonValue::reportsLineAndColumn() {
    const JsonParseResult r = parseJson("{\n  \"a\": 1,\n  \"\xC3\xA9\": tru\n}");
    QVERIFY(!r.ok);
    QCOMPARE(r.line, 3);
    QCOMPARE(r.column, 8);  // columns count characters: the two-byte é is one column
    QVERIFY2(r.error.rfind("line 3, column 8: ", 0) == 0, r.error.c_str());
}

void TestJsonValue::boundsDepthWithoutRecursion() {
    std::string ok(64, '[');
    ok += std::string(64, ']');
    QVERIFY(parseJson(ok).ok);
    std::string deep(65, '[');
    deep += std::string(65, ']');
    const JsonParseResult r = parseJson(deep);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.find("nesting deeper than 64") != std::string::npos, r.error.c_str());
    // 100k open brackets: refused at depth 65, long before any stack could overflow.
    QVERIFY(!parseJson(std::string(100000, '[')).ok);
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
    QVERIFY(!parseJson(objects).ok);
    JsonLimits generous;
    generous.maxDepth = 5000;  // the parser keeps its own stack: depth costs heap, not call stack
    QVERIFY(parseJson(std::string(5000, '[') + std::string(5000, ']'), generous).ok);
}

void TestJsonValue::boundsSize() {
    JsonLimits limits;
    limits.maxBytes = 100;
    const JsonParseResult r = parseJson(std::string(101, ' '), limits);
    QVERIFY(!r.ok);
    QVERIFY2(r.error.find("at most 100 bytes") != std::string::npos, r.error.c_str());
    // A large object with many keys parses quickly (duplicate check is not quadratic).
    std::string many = "{";
    for (int i = 0; i < 50000; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    many += "}";
    QVERIFY(parseJson(many).ok);
}

void TestJsonValue::survivesRandomBytes() {
    Random rng(11);
    for (int round = 0; round < 2000; ++round) {
        std::string text(static_cast<std::size_t>(rng.below(200)), '\0');
        for (char& c : text) c = static_cast<char>(rng.below(256));
        if (round % 2 == 0) text = "{\"a\": [" + text;  // garbage behind a valid prefix
        const JsonParseResult r = parseJson(text);
        QVERIFY(r.ok || !r.error.empty());
    }
}

void TestJsonValue::writerRoundTrips() {
    const std::string text = R"({"format": "x", "n": [1, -2, 0.1, 1e-300, 1.7976931348623157e308, 18446744073709551615], )"
                             R"("nested": {"a": {"b": [[], {}, [null, true, false]]}}, "s": "\u00e9\n\"q\""})";
    const JsonParseResult first = parseJson(text);
    QVERIFY2(first.ok, first.error.c_str());
    const std::string written = writeJson(first.value);
    const JsonParseResult second = parseJson(written);
    QVERIFY2(second.ok, second.error.c_str());
    QCOMPARE(writeJson(second.value), written);
    GRADFLOW_COMPARE_BITS(second.value.find("n")->asArray()[3].asDouble(), 1e-300);
    QCOMPARE(second.value.find("n")->asArray()[5].asNumber().magnitude, std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(second.value.find("s")->asString(), std::string("\xC3\xA9\n\"q\""));
}

void TestJsonValue::writerEscapesAndRepairs() {
    JsonValue object = JsonValue::object();
    object.set("bad utf-8", std::string("a\xFF"
                                        "b\xC0"));
    object.set("controls", std::string("\x01\x1F\x7F", 3));
    object.set("nan", std::numeric_limits<double>::quiet_NaN());
    const std::string written = writeJson(object);
    const JsonParseResult r = parseJson(written);
    QVERIFY2(r.ok, (r.error + "\n" + written).c_str());
    QCOMPARE(r.value.find("bad utf-8")->asString(), std::string("a\xEF\xBF\xBD"
                                                                "b\xEF\xBF\xBD"));
    QCOMPARE(r.value.find("controls")->asString(), std::string("\x01\x1F\x7F", 3));
    QVERIFY(r.value.find("nan")->isNull());
}

void TestJsonValue::numbersRoundTripExactly() {
    const auto roundTrip = [](double value) {
        const JsonParseResult r = parseJson(formatJsonNumber(value));
        return r.ok && r.value.isNumber() ? r.value.asDouble() : std::numeric_limits<double>::quiet_NaN();
    };
    Random rng(3);
    for (int i = 0; i < 5000; ++i) {
        const double value = (rng.uniform() - 0.5) * std::pow(10.0, rng.below(600) - 300);
        GRADFLOW_COMPARE_BITS(roundTrip(value), value);
    }
    // Every finite bit pattern is as likely as any other here: all exponents, subnormals included.
    for (int i = 0; i < 5000; ++i) {
        const double value = std::bit_cast<double>(rng.nextU64());
        if (!std::isfinite(value)) continue;  // written as null, by design (writerEscapesAndRepairs)
        GRADFLOW_COMPARE_BITS(roundTrip(value), value);
    }
    // The edges, where a fuzzy comparison sees nothing: both zeros, the smallest subnormal and
    // normal, the largest double, and neighbours one unit in the last place apart.
    for (const double value : {0.0, -0.0, std::numeric_limits<double>::denorm_min(), -std::numeric_limits<double>::denorm_min(),
                               std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                               -std::numeric_limits<double>::max(), std::nextafter(1.0, 2.0), std::nextafter(0.1, 0.0), 1e-300})
        GRADFLOW_COMPARE_BITS(roundTrip(value), value);
    QCOMPARE(formatJsonNumber(1.0), std::string("1.0"));
    QCOMPARE(formatJsonNumber(0.05), std::string("0.05"));
    QCOMPARE(formatJsonNumber(std::numeric_limits<double>::infinity()), std::string("null"));
}

QTEST_APPLESS_MAIN(TestJsonValue)
#include "tst_json_value.moc"
