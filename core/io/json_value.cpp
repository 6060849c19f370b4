#include "core/io/json_value.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace gradflow::core {

// ---- JsonValue -------------------------------------------------------------------------

JsonValue::JsonValue(double value) {
    JsonNumber n;
    n.value = value;
    m_data = n;
}

JsonValue::JsonValue(std::int64_t value) {
    JsonNumber n;
    n.value = static_cast<double>(value);
    n.isInteger = true;
    n.negative = value < 0;
    // Negate in unsigned arithmetic: -INT64_MIN overflows a signed integer.
    n.magnitude = n.negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    m_data = n;
}

JsonValue::JsonValue(std::uint64_t value) {
    JsonNumber n;
    n.value = static_cast<double>(value);
    n.isInteger = true;
    n.magnitude = value;
    m_data = n;
}

bool JsonValue::asBool() const {
    const bool* b = std::get_if<bool>(&m_data);
    return b != nullptr && *b;
}

double JsonValue::asDouble() const {
    const JsonNumber* n = std::get_if<JsonNumber>(&m_data);
    return n != nullptr ? n->value : 0.0;
}

const JsonNumber& JsonValue::asNumber() const {
    static const JsonNumber empty;
    const JsonNumber* n = std::get_if<JsonNumber>(&m_data);
    return n != nullptr ? *n : empty;
}

const std::string& JsonValue::asString() const {
    static const std::string empty;
    const std::string* s = std::get_if<std::string>(&m_data);
    return s != nullptr ? *s : empty;
}

const JsonValue::Array& JsonValue::asArray() const {
    static const Array empty;
    const Array* a = std::get_if<Array>(&m_data);
    return a != nullptr ? *a : empty;
}

const JsonValue::Object& JsonValue::asObject() const {
    static const Object empty;
    const Object* o = std::get_if<Object>(&m_data);
    return o != nullptr ? *o : empty;
}

const JsonValue* JsonValue::find(std::string_view key) const {
    for (const JsonMember& member : asObject()) {
        if (member.key == key) return &member.value;
    }
    return nullptr;
}

void JsonValue::push(JsonValue value) {
    if (Array* a = mutableArray()) a->push_back(std::move(value));
}

void JsonValue::set(std::string key, JsonValue value) {
    if (Object* o = mutableObject()) o->push_back(JsonMember{std::move(key), std::move(value)});
}

const char* jsonTypeName(JsonValue::Type type) {
    switch (type) {
    case JsonValue::Type::Null: return "null";
    case JsonValue::Type::Bool: return "boolean";
    case JsonValue::Type::Number: return "number";
    case JsonValue::Type::String: return "string";
    case JsonValue::Type::Array: return "array";
    case JsonValue::Type::Object: return "object";
    }
    return "value";
}

// ---- UTF-8 -----------------------------------------------------------------------------

namespace {
bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

/// Length of the valid UTF-8 sequence at text[pos], or 0. Rejects overlong forms,
/// encoded surrogates (U+D800..DFFF) and code points above U+10FFFF.
std::size_t detail::utf8SequenceLength(std::string_view text, std::size_t pos) {
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(text[pos + i]); };
    const std::size_t left = text.size() - pos;
    const unsigned char c = at(0);
    if (c < 0x80) return 1;
    unsigned char lo = 0x80, hi = 0xBF;
    std::size_t length = 0;
    if (c >= 0xC2 && c <= 0xDF) length = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        length = 3;
        if (c == 0xE0) lo = 0xA0;       // overlong below U+0800
        else if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        length = 4;
        if (c == 0xF0) lo = 0x90;       // overlong below U+10000
        else if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (left < length) return 0;
    if (at(1) < lo || at(1) > hi) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (!isContinuation(at(i))) return 0;
    }
    return length;
}

namespace {

using detail::utf8SequenceLength;

void appendUtf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// ---- Parser ----------------------------------------------------------------------------

/// An open array or object. The parser keeps these on its own stack instead of recursing,
/// so nesting depth costs heap memory bounded by JsonLimits::maxDepth, never call stack.
struct Frame {
    JsonValue container;
    std::string key;                      ///< objects: key awaiting its value
    std::vector<std::size_t> keyOffsets;  ///< objects: where each key starts (duplicates)
    std::size_t start = 0;
};

class Parser {
public:
    Parser(std::string_view text, const JsonLimits& limits) : m_text(text), m_limits(limits) {}
    JsonParseResult run();

private:
    bool fail(std::size_t pos, std::string message);
    /// "line L, column C" of a byte offset; also records it as the error position.
    std::string location(std::size_t pos);
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }
    void skipWhitespace();
    bool parseScalar(JsonValue& out);
    bool parseLiteral(JsonValue& out);
    bool parseNumber(JsonValue& out);
    bool parseString(std::string& out);
    bool parseEscape(std::string& out);
    bool parseHex4(std::uint32_t& out);
    bool parseKey(Frame& frame);
    bool closeObject(Frame& frame);
    std::string describe(std::size_t pos) const;

    std::string_view m_text;
    JsonLimits m_limits;
    std::size_t m_pos = 0;
    JsonParseResult m_result;
};

bool Parser::fail(std::size_t pos, std::string message) {
    m_result.error = location(pos) + ": " + message;
    return false;
}

std::string Parser::location(std::size_t pos) {
    pos = std::min(pos, m_text.size());
    int line = 1;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < pos; ++i) {
        if (m_text[i] == '\n') {
            ++line;
            lineStart = i + 1;
        }
    }
    int column = 1;
    for (std::size_t i = lineStart; i < pos; ++i) {
        if (!isContinuation(static_cast<unsigned char>(m_text[i]))) ++column;
    }
    m_result.line = line;
    m_result.column = column;
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

void Parser::skipWhitespace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++m_pos;
}

/// The offending character, printable or as a byte value.
std::string Parser::describe(std::size_t pos) const {
    if (pos >= m_text.size()) return "end of input";
    const unsigned char c = static_cast<unsigned char>(m_text[pos]);
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "byte 0x%02X", c);
    return buffer;
}

JsonParseResult Parser::run() {
    if (m_text.size() > m_limits.maxBytes) {
        m_result.error = "the text is " + std::to_string(m_text.size()) + " bytes; at most " + std::to_string(m_limits.maxBytes) +
                         " bytes are accepted";
        return std::move(m_result);
    }
    if (m_text.substr(0, 3) == "\xEF\xBB\xBF") m_pos = 3;  // tolerate a UTF-8 byte order mark

    std::vector<Frame> stack;
    JsonValue value;
    for (;;) {
        // Expecting a value.
        skipWhitespace();
        if (atEnd()) {
            fail(m_pos, stack.empty() ? "empty input: expected a JSON value" : "unexpected end of input: expected a value");
            return std::move(m_result);
        }
        const char c = peek();
        bool complete = true;
        if (c == '[' || c == '{') {
            if (static_cast<int>(stack.size()) >= m_limits.maxDepth) {
                fail(m_pos, "nesting deeper than " + std::to_string(m_limits.maxDepth) + " levels");
                return std::move(m_result);
            }
            stack.push_back(Frame{c == '[' ? JsonValue::array() : JsonValue::object(), {}, {}, m_pos});
            ++m_pos;
            skipWhitespace();
            if (!atEnd() && peek() == (c == '[' ? ']' : '}')) {
                ++m_pos;
                value = std::move(stack.back().container);
                stack.pop_back();
            } else {
                complete = false;
                if (c == '{' && !parseKey(stack.back())) return std::move(m_result);
            }
        } else if (!parseScalar(value)) {
            return std::move(m_result);
        }
        // A complete value: hand it to the enclosing containers, closing as many as end here.
        while (complete) {
            if (stack.empty()) {
                skipWhitespace();
                if (!atEnd()) {
                    fail(m_pos, "unexpected " + describe(m_pos) + " after the end of the JSON value");
                    return std::move(m_result);
                }
                m_result.value = std::move(value);
                m_result.ok = true;
                return std::move(m_result);
            }
            Frame& frame = stack.back();
            const bool isArray = frame.container.isArray();
            if (isArray) frame.container.push(std::move(value));
            else frame.container.set(std::move(frame.key), std::move(value));
            skipWhitespace();
            if (atEnd()) {
                const std::string opened = location(frame.start);
                fail(m_pos, std::string("unexpected end of input inside the ") + (isArray ? "array" : "object") + " opened at " +
                                opened);
                return std::move(m_result);
            }
            if (peek() == ',') {
                ++m_pos;
                if (!isArray) {
                    skipWhitespace();
                    if (!parseKey(frame)) return std::move(m_result);
                }
                complete = false;
            } else if (peek() == (isArray ? ']' : '}')) {
                ++m_pos;
                if (!isArray && !closeObject(frame)) return std::move(m_result);
                value = std::move(frame.container);
                stack.pop_back();
            } else {
                fail(m_pos, std::string("expected ',' or '") + (isArray ? "]" : "}") + "' but found " + describe(m_pos));
                return std::move(m_result);
            }
        }
    }
}

bool Parser::parseKey(Frame& frame) {
    if (atEnd() || peek() != '"') return fail(m_pos, "expected a string key in double quotes but found " + describe(m_pos));
    frame.keyOffsets.push_back(m_pos);
    if (!parseString(frame.key)) return false;
    skipWhitespace();
    if (atEnd() || peek() != ':') return fail(m_pos, "expected ':' after the key \"" + frame.key + "\"");
    ++m_pos;
    return true;
}

/// Duplicate keys make a file mean two things; refuse them. Sorting keeps this
/// O(n log n) even for an object with a hundred thousand keys.
bool Parser::closeObject(Frame& frame) {
    const JsonValue::Object& members = frame.container.asObject();
    std::vector<std::size_t> order(members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return members[a].key != members[b].key ? members[a].key < members[b].key : a < b;
    });
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (members[order[i]].key == members[order[i - 1]].key) {
            return fail(frame.keyOffsets[order[i]], "duplicate key \"" + members[order[i]].key + "\"");
        }
    }
    return true;
}

bool Parser::parseScalar(JsonValue& out) {
    const char c = peek();
    if (c == '"') {
        std::string s;
        if (!parseString(s)) return false;
        out = JsonValue(std::move(s));
        return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parseNumber(out);
    return parseLiteral(out);
}

bool Parser::parseLiteral(JsonValue& out) {
    const std::size_t start = m_pos;
    std::size_t end = start;
    while (end < m_text.size() && end - start < 16 &&
           (std::isalpha(static_cast<unsigned char>(m_text[end])) != 0 || m_text[end] == '-')) {
        ++end;
    }
    const std::string_view word = m_text.substr(start, end - start);
    if (word == "true") out = JsonValue(true);
    else if (word == "false") out = JsonValue(false);
    else if (word == "null") out = JsonValue(nullptr);
    else if (word == "NaN" || word == "nan" || word == "Infinity" || word == "inf")
        return fail(start, "NaN and Infinity are not JSON numbers; use a finite number");
    else if (word.empty()) return fail(start, "unexpected " + describe(start) + ": expected a value");
    else
        return fail(start, "unexpected '" + std::string(word) +
                               "': expected a value (string, number, object, array, true, false or null)");
    m_pos = end;
    return true;
}

bool Parser::parseNumber(JsonValue& out) {
    const std::size_t start = m_pos;
    std::size_t p = m_pos;
    const auto digit = [&](std::size_t i) { return i < m_text.size() && m_text[i] >= '0' && m_text[i] <= '9'; };
    if (m_text[p] == '-') ++p;
    if (p < m_text.size() && m_text.substr(p, 3) == "Inf")
        return fail(start, "NaN and Infinity are not JSON numbers; use a finite number");
    if (!digit(p)) return fail(p, "expected a digit but found " + describe(p));
    if (m_text[p] == '0' && digit(p + 1)) return fail(p, "numbers must not have leading zeros");
    while (digit(p)) ++p;
    bool integer = true;
    if (p < m_text.size() && m_text[p] == '.') {
        integer = false;
        ++p;
        if (!digit(p)) return fail(p, "expected a digit after the decimal point");
        while (digit(p)) ++p;
    }
    if (p < m_text.size() && (m_text[p] == 'e' || m_text[p] == 'E')) {
        integer = false;
        ++p;
        if (p < m_text.size() && (m_text[p] == '+' || m_text[p] == '-')) ++p;
        if (!digit(p)) return fail(p, "expected a digit in the exponent");
        while (digit(p)) ++p;
    }
    const std::string_view lexeme = m_text.substr(start, p - start);
    JsonNumber number;
    // from_chars, unlike strtod, ignores the C locale (a GUI may have set LC_NUMERIC).
    const auto [ptr, ec] = std::from_chars(lexeme.data(), lexeme.data() + lexeme.size(), number.value);
    if (ec == std::errc::result_out_of_range)
        return fail(start, "the number " + std::string(lexeme.substr(0, 40)) + " is out of the range of a double");
    if (ec != std::errc() || ptr != lexeme.data() + lexeme.size()) return fail(start, "malformed number");
    if (integer) {
        number.negative = lexeme.front() == '-';
        const char* digits = lexeme.data() + (number.negative ? 1 : 0);
        const auto r = std::from_chars(digits, lexeme.data() + lexeme.size(), number.magnitude);
        number.isInteger = r.ec == std::errc();
    }
    out = JsonValue(number);
    m_pos = p;
    return true;
}

bool Parser::parseHex4(std::uint32_t& out) {
    if (m_text.size() - m_pos < 4) return fail(m_pos, "expected four hex digits after \\u");
    out = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = m_text[m_pos + i];
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) return fail(m_pos + i, "expected four hex digits after \\u");
        out = out * 16 + static_cast<std::uint32_t>(v);
    }
    m_pos += 4;
    return true;
}

bool Parser::parseEscape(std::string& out) {
    const std::size_t start = m_pos;  // at the backslash
    ++m_pos;
    if (atEnd()) return fail(start, "unterminated escape sequence");
    const char c = peek();
    ++m_pos;
    switch (c) {
    case '"': out += '"'; return true;
    case '\\': out += '\\'; return true;
    case '/': out += '/'; return true;
    case 'b': out += '\b'; return true;
    case 'f': out += '\f'; return true;
    case 'n': out += '\n'; return true;
    case 'r': out += '\r'; return true;
    case 't': out += '\t'; return true;
    case 'u': break;
    default: return fail(start, "invalid escape sequence \\" + std::string(1, c));
    }
    std::uint32_t cp = 0;
    if (!parseHex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(start, "lone low surrogate \\u escape (not a Unicode character)");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (m_text.substr(m_pos, 2) != "\\u") return fail(start, "high surrogate \\u escape without its low surrogate");
        m_pos += 2;
        std::uint32_t low = 0;
        if (!parseHex4(low)) return false;
        if (low < 0xDC00 || low > 0xDFFF) return fail(start, "high surrogate \\u escape without its low surrogate");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    appendUtf8(out, cp);
    return true;
}

bool Parser::parseString(std::string& out) {
    const std::size_t start = m_pos;
    ++m_pos;  // opening quote
    out.clear();
    for (;;) {
        if (atEnd()) return fail(start, "unterminated string");
        const unsigned char c = static_cast<unsigned char>(peek());
        if (c == '"') {
            ++m_pos;
            return true;
        }
        if (c == '\\') {
            if (!parseEscape(out)) return false;
        } else if (c < 0x20) {
            return fail(m_pos, "control character in a string (write it as an escape such as \\n)");
        } else {
            const std::size_t length = utf8SequenceLength(m_text, m_pos);
            if (length == 0) return fail(m_pos, "invalid UTF-8 (" + describe(m_pos) + ") in a string");
            out.append(m_text.substr(m_pos, length));
            m_pos += length;
        }
    }
}

}  // namespace

JsonParseResult parseJson(std::string_view text, const JsonLimits& limits) { return Parser(text, limits).run(); }

}  // namespace gradflow::core
