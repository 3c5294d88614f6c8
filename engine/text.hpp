#pragma once

// Small string helpers used across layers.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace certmint {

/// Joins `parts` with `separator` (", " by default, as in Infisical's
/// joined error messages).
std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ");

/// The parts one after the other, in one allocation.
std::string concat(std::initializer_list<std::string_view> parts);

/// ASCII lower case.
std::string to_lower(std::string_view text);

/// Without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

/// Lower-case letters, digits and hyphens, at least one character.
bool is_slug(std::string_view text);

/// Whether UTF-8 text holds a C0 control, DEL or a C1 control (U+0080 to
/// U+009F): none belongs in a name a person or a policy reads.
bool has_control_character(std::string_view utf8);

} // namespace certmint
