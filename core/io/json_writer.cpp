// The writer half of json_value.h: pretty printing, escaping, shortest round-trip numbers.

#include "core/io/json_value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace gradflow::core {
namespace {

using detail::utf8SequenceLength;

void writeString(std::string& out, std::string_view s) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c < 0x20 || c == 0x7F) {
            char buffer[8];
            std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
            out += buffer;
        } else if (c >= 0x80) {
            const std::size_t length = utf8SequenceLength(s, i);
            if (length == 0) {
                out += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
                ++i;
                continue;
            }
            out.append(s.substr(i, length));
            i += length;
            continue;
        } else {
            out += static_cast<char>(c);
        }
        ++i;
    }
    out += '"';
}

std::string numberText(const JsonNumber& n) {
    if (n.isInteger) {
        std::string text = n.negative ? "-" : "";
        text += std::to_string(n.magnitude);
        return text;
    }
    return formatJsonNumber(n.value);
}

constexpr int kMaxWriteDepth = 256;
constexpr std::size_t kOneLineWidth = 100;

void writeCompact(std::string& out, const JsonValue& value, int depth);

void writeCompactContainer(std::string& out, const JsonValue& value, int depth) {
    const bool isArray = value.isArray();
    out += isArray ? '[' : '{';
    bool first = true;
    if (isArray) {
        for (const JsonValue& element : value.asArray()) {
            if (!first) out += ", ";
            first = false;
            writeCompact(out, element, depth + 1);
        }
    } else {
        for (const JsonMember& member : value.asObject()) {
            if (!first) out += ", ";
            first = false;
            writeString(out, member.key);
            out += ": ";
            writeCompact(out, member.value, depth + 1);
        }
    }
    out += isArray ? ']' : '}';
}

void writeCompact(std::string& out, const JsonValue& value, int depth) {
    switch (value.type()) {
    case JsonValue::Type::Null: out += "null"; break;
    case JsonValue::Type::Bool: out += value.asBool() ? "true" : "false"; break;
    case JsonValue::Type::Number: out += numberText(value.asNumber()); break;
    case JsonValue::Type::String: writeString(out, value.asString()); break;
    case JsonValue::Type::Array:
    case JsonValue::Type::Object:
        // Values built in code could nest without bound; the writer must not recurse forever.
        if (depth >= kMaxWriteDepth) out += "null";
        else writeCompactContainer(out, value, depth);
        break;
    }
}

void writePretty(std::string& out, const JsonValue& value, int depth) {
    const bool container = value.isArray() || value.isObject();
    if (!container || depth >= kMaxWriteDepth) {
        writeCompact(out, value, depth);
        return;
    }
    std::string compact;
    writeCompact(compact, value, depth);
    if (compact.size() + 2 * static_cast<std::size_t>(depth) <= kOneLineWidth) {
        out += compact;
        return;
    }
    const std::string indent(2 * static_cast<std::size_t>(depth + 1), ' ');
    const bool isArray = value.isArray();
    out += isArray ? "[\n" : "{\n";
    bool first = true;
    const auto separator = [&] {
        if (!first) out += ",\n";
        first = false;
        out += indent;
    };
    if (isArray) {
        for (const JsonValue& element : value.asArray()) {
            separator();
            writePretty(out, element, depth + 1);
        }
    } else {
        for (const JsonMember& member : value.asObject()) {
            separator();
            writeString(out, member.key);
            out += ": ";
            writePretty(out, member.value, depth + 1);
        }
    }
    out += '\n';
    out.append(2 * static_cast<std::size_t>(depth), ' ');
    out += isArray ? ']' : '}';
}

}  // namespace

std::string formatJsonNumber(double value) {
    if (!std::isfinite(value)) return "null";
    char buffer[64];
    // Shortest representation that reads back bit-identically (and ignores the locale).
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    if (ec != std::errc()) return "null";
    std::string text(buffer, end);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";  // keep doubles visibly doubles
    return text;
}

std::string writeJsonOneLine(const JsonValue& value) {
    std::string out;
    writeCompact(out, value, 0);
    return out;
}

std::string writeJson(const JsonValue& value) {
    std::string out;
    writePretty(out, value, 0);
    out += '\n';
    return out;
}

}  // namespace gradflow::core
