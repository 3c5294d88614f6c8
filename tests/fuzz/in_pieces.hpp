#pragma once

// Feeds a parser the bytes of a connection as TCP may deliver them: growing
// prefixes, `piece` bytes more each time, until it decides or all are in.

#include <algorithm>
#include <cstddef>
#include <string_view>

#include "gateway/http_parser.hpp"

namespace certmint::fuzz {

/// `parse(prefix, all_in)` parses the prefix received so far.
template <class Parse>
http_parse_outcome parse_in_pieces(std::string_view bytes, size_t piece, Parse parse) {
  for (size_t n = std::min(piece, bytes.size());; n = std::min(n + piece, bytes.size())) {
    bool all_in = n == bytes.size();
    auto outcome = parse(bytes.substr(0, n), all_in);
    if (outcome != http_parse_outcome::need_more || all_in)
      return outcome;
  }
}

} // namespace certmint::fuzz
