#pragma once
// gradflow.1, written from the same option table and synopsis as --help, so the manual
// cannot describe an option the parser does not have, or miss one it has.

#include <string>
#include <string_view>

namespace gradflow::app {

/// The man page in roff (man macros), for `version`.
std::string manPage(std::string_view version);

}  // namespace gradflow::app
