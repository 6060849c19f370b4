#pragma once
// A small JSON document model with a parser that never trusts its input: bounded size
// and nesting (the parser keeps its own stack, so it never recurses), strict UTF-8,
// \u escapes with surrogate pairs, duplicate keys refused, numbers range-checked, and
// every syntax error located by line and column. Nothing here throws to the caller.
// Standard C++ only, so core stays free of Qt.
//
// Why not QJsonDocument (or another library): besides keeping Qt out of core, experiment
// files need four things Qt's reader does not do. It keeps one of two duplicate keys
// without a word, so a hand-edited file could silently train something else; here a
// duplicate is an error. It holds a number as a double or a signed 64-bit integer, so a
// seed above 2^63 comes back rounded and the run is not the one saved; here every
// unsigned 64-bit integer stays exact. Its objects are sorted by key, so a file written
// back would reorder the user's fields; here members keep file order. And it reports a
// failure as a byte offset; here every error has a line and column a person can go to.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gradflow::core {

struct JsonMember;

/// A number keeps its integer value exactly when the text was an integer, so a 64-bit
/// seed survives a round trip that a double alone would round.
struct JsonNumber {
    double value = 0.0;
    bool isInteger = false;       ///< written without fraction or exponent, and fits 64 bits
    bool negative = false;        ///< of the integer
    std::uint64_t magnitude = 0;  ///< |integer| when isInteger
};

class JsonValue {
public:
    enum class Type { Null, Bool, Number, String, Array, Object };
    using Array = std::vector<JsonValue>;
    using Object = std::vector<JsonMember>;  ///< in file order

    // Constructors that touch m_data are defined below JsonMember (see there).
    JsonValue();
    JsonValue(std::nullptr_t);
    JsonValue(bool value);
    JsonValue(double value);
    JsonValue(int value);
    JsonValue(std::int64_t value);
    JsonValue(std::uint64_t value);
    JsonValue(JsonNumber value);
    JsonValue(std::string value);
    JsonValue(const char* value);
    JsonValue(Array value);
    JsonValue(Object value);

    static JsonValue object();
    static JsonValue array();

    Type type() const { return static_cast<Type>(m_data.index()); }
    bool isNull() const { return type() == Type::Null; }
    bool isBool() const { return type() == Type::Bool; }
    bool isNumber() const { return type() == Type::Number; }
    bool isString() const { return type() == Type::String; }
    bool isArray() const { return type() == Type::Array; }
    bool isObject() const { return type() == Type::Object; }

    /// Accessors return a neutral value when the type differs; check the type first.
    bool asBool() const;
    double asDouble() const;
    const JsonNumber& asNumber() const;
    const std::string& asString() const;
    const Array& asArray() const;
    const Object& asObject() const;

    /// Object member by key, or nullptr (also for non-objects).
    const JsonValue* find(std::string_view key) const;
    /// Appends (arrays) / appends a member (objects); ignored for other types.
    void push(JsonValue value);
    void set(std::string key, JsonValue value);

    Array* mutableArray() { return std::get_if<Array>(&m_data); }
    Object* mutableObject() { return std::get_if<Object>(&m_data); }

private:
    std::variant<std::nullptr_t, bool, JsonNumber, std::string, Array, Object> m_data;
};

struct JsonMember {
    std::string key;
    JsonValue value;
};

// Here rather than in the class: constructing the variant instantiates the destructor of
// std::vector<JsonMember>, which clang (with libstdc++) refuses while JsonMember is still
// incomplete; g++ happens to accept it.
inline JsonValue::JsonValue() = default;
inline JsonValue::JsonValue(std::nullptr_t) {}
inline JsonValue::JsonValue(bool value) : m_data(value) {}
inline JsonValue::JsonValue(int value) : JsonValue(static_cast<std::int64_t>(value)) {}
inline JsonValue::JsonValue(JsonNumber value) : m_data(value) {}
inline JsonValue::JsonValue(std::string value) : m_data(std::move(value)) {}
inline JsonValue::JsonValue(const char* value) : m_data(std::string(value)) {}
inline JsonValue::JsonValue(Array value) : m_data(std::move(value)) {}
inline JsonValue::JsonValue(Object value) : m_data(std::move(value)) {}
inline JsonValue JsonValue::object() { return JsonValue(Object{}); }
inline JsonValue JsonValue::array() { return JsonValue(Array{}); }

/// Lowercase JSON type name ("object", "number"...), for error messages.
const char* jsonTypeName(JsonValue::Type type);

struct JsonLimits {
    std::size_t maxBytes = 1 << 20;
    int maxDepth = 64;  ///< arrays/objects nested inside one another
};

struct JsonParseResult {
    JsonValue value;
    bool ok = false;
    std::string error;  ///< "line 3, column 14: expected ':' after object key"
    int line = 0;       ///< 1-based position of the error (0 when ok or for size errors)
    int column = 0;     ///< 1-based, in characters
};

JsonParseResult parseJson(std::string_view text, const JsonLimits& limits = {});

/// Shortest text that reads back as the same double; "null" for NaN/Inf, which JSON
/// cannot represent.
std::string formatJsonNumber(double value);

/// Serialises with 2-space indentation; containers holding only scalars are kept on one
/// line when short, which keeps layer lists readable. Invalid UTF-8 in strings is
/// replaced by U+FFFD so the output is always valid JSON.
std::string writeJson(const JsonValue& value);  // in json_writer.cpp
/// The same document on one line and without a final newline, for a chat message.
std::string writeJsonOneLine(const JsonValue& value);  // in json_writer.cpp

namespace detail {
/// Length of the valid UTF-8 sequence at text[pos], or 0 (overlong forms, encoded
/// surrogates and code points above U+10FFFF are invalid). Shared by parser and writer.
std::size_t utf8SequenceLength(std::string_view text, std::size_t pos);
}  // namespace detail

}  // namespace gradflow::core
