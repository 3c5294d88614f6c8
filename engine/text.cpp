#include "engine/text.hpp"

#include <cctype>

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

} // namespace certmint
