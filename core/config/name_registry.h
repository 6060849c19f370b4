#pragma once
// Name look-ups over registries. A registry is any table of entries with a `kind` (an enum
// value) and the `name` experiment files and the command line use for it; richer
// registries (activations, initialisers, data sets, optimizers, cells) add labels and
// formulas for the GUI. Every reader, writer and front end goes through these functions,
// so each kind has one table and a name is spelled in exactly one place.

#include <concepts>
#include <cstddef>
#include <iterator>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace gradflow::core {

template <typename Enum>
struct EnumName {
    Enum kind;
    std::string_view name;
};

/// An entry of a registry of update rules (optimizers, learning-rate schedules): the rule
/// as the GUI's tooltip shows it beside the name and label.
template <typename Enum>
struct RuleName {
    Enum kind;
    std::string_view name;     ///< file name, e.g. "rmsprop"
    std::string_view label;    ///< GUI label, e.g. "RMSProp"
    std::string_view formula;  ///< the rule, for tooltips (UTF-8)
};

template <typename Registry>
concept NameRegistry = std::ranges::forward_range<Registry> && requires(std::ranges::range_reference_t<Registry> entry) {
    entry.kind;
    { entry.name } -> std::convertible_to<std::string_view>;
};

template <NameRegistry Registry>
using RegistryKind = std::remove_cvref_t<decltype(std::declval<std::ranges::range_reference_t<Registry>>().kind)>;

/// The entry for `kind`, or nullptr when the registry lacks it.
template <NameRegistry Registry>
auto findEntry(const Registry& registry, RegistryKind<Registry> kind) -> decltype(&*std::ranges::begin(registry)) {
    for (const auto& entry : registry) {
        if (entry.kind == kind) return &entry;
    }
    return nullptr;
}

/// The entry named `name`, or nullptr.
template <NameRegistry Registry>
auto findEntryByName(const Registry& registry, std::string_view name) -> decltype(&*std::ranges::begin(registry)) {
    for (const auto& entry : registry) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

template <NameRegistry Registry>
std::string_view enumName(const Registry& registry, RegistryKind<Registry> kind) {
    const auto* entry = findEntry(registry, kind);
    return entry ? std::string_view(entry->name) : std::string_view("?");
}

/// Sets `out` to the kind named `name`; false (and `out` untouched) if no entry has it.
template <NameRegistry Registry>
bool enumFromName(const Registry& registry, std::string_view name, RegistryKind<Registry>& out) {
    const auto* entry = findEntryByName(registry, name);
    if (entry) out = entry->kind;
    return entry != nullptr;
}

/// "a, b or c", for "allowed values" messages.
template <NameRegistry Registry>
std::string enumNameList(const Registry& registry) {
    std::string list;
    const auto count = static_cast<std::size_t>(std::ranges::distance(registry));
    std::size_t i = 0;
    for (const auto& entry : registry) {
        if (i > 0) list += i + 1 == count ? " or " : ", ";
        list += entry.name;
        ++i;
    }
    return list;
}

}  // namespace gradflow::core
