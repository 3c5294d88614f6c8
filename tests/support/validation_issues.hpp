#pragma once

// Reading a parser's 422 in tests: the messages of its issues, in order.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "gateway/api_error.hpp"

namespace certmint::test {

/// The messages of all issues of `err`, which must be a 422.
inline std::vector<std::string> issues_of(const std::optional<api_error>& err) {
  REQUIRE(err);
  CHECK(err->code == errc::validation_failed);
  std::vector<std::string> out;
  for (const auto& issue : err->issues)
    out.push_back(issue.message);
  return out;
}

inline bool has(const std::vector<std::string>& messages, const std::string& wanted) {
  return std::find(messages.begin(), messages.end(), wanted) != messages.end();
}

} // namespace certmint::test
