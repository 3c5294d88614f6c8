#include "engine/text.hpp"

#include <cctype>
#include <cstdint>

namespace certmint {

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty())
      out += separator;
    out += part;
  }
  return out;
}

std::string concat(std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (auto part : parts)
    size += part.size();
  std::string out;
  out.reserve(size);
  for (auto part : parts)
    out += part;
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

bool is_slug(std::string_view text) {
  for (auto c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return !text.empty();
}

// C0 controls, DEL and C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F in
// UTF-8). A NUL in a name is the old trick for a name that software
// comparing C strings reads as another (CVE-2009-2408); none of them
// belongs in a name a person or a policy reads.
bool has_control_character(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size(); ++i) {
    auto c = static_cast<uint8_t>(utf8[i]);
    if (c < 0x20 || c == 0x7f)
      return true;
    if (c == 0xc2 && i + 1 < utf8.size() && static_cast<uint8_t>(utf8[i + 1]) < 0xa0
        && static_cast<uint8_t>(utf8[i + 1]) >= 0x80)
      return true;
  }
  return false;
}

} // namespace certmint
